/**
 * Part — what OpenTelemetry tracing costs per call: the same pool over one
 * in-memory server without `@mcpool/opentelemetry`, with it and no tracer
 * provider registered (the goal: at most 0.2 µs more per call), and with the
 * SDK's batch span processor exporting into memory. The three setups' calls
 * are interleaved at concurrency 1, so they meet the same disturbances.
 */

import { first, ServerPool } from '@mcpool/core';
import { tracing } from '@mcpool/opentelemetry';
import { startInProcessServer } from '@mcpool/testkit';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ADD, startPool } from '../clients.js';
import type { Context, Part } from '../report.js';
import { fmtDuration, table } from '../util/format.js';
import { runLoad } from '../util/load.js';
import { medianCi95, type Summary, summarize } from '../util/stats.js';

type Variant = 'pool' | 'off' | 'sdk';
const VARIANTS: readonly Variant[] = ['pool', 'off', 'sdk'];
const LABELS: Record<Variant, string> = {
  pool: 'pool without tracing',
  off: 'tracing, no provider registered',
  sdk: 'tracing, SDK batch processor, in-memory exporter',
};
/** µs per call that tracing may add when no provider is registered. */
const GOAL_US = 0.2;

interface Target {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

async function target(variant: Variant, exporter: InMemorySpanExporter): Promise<Target> {
  const server = startInProcessServer({ id: `trace-${variant}` });
  const handle = await startPool([{ id: server.id, transport: server.transport }]);
  let provider: BasicTracerProvider | undefined;
  if (variant !== 'pool') {
    provider =
      variant === 'sdk'
        ? new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] })
        : undefined;
    const telemetry = tracing(provider ? { tracerProvider: provider } : {});
    handle.pool.use(telemetry);
    telemetry.traceClient(handle.client);
  }
  return {
    call: () => handle.client.callTool(ADD),
    close: async () => {
      await handle.close();
      await provider?.shutdown();
      await server.close();
    },
  };
}

/**
 * The package's own work per call with no provider registered, without the
 * pool's noise around it: a call through its call middleware and one attempt
 * through its attempt middleware, both around a stub that answers at once,
 * against the stub alone, in alternating batches. ns per call.
 */
async function middlewareCost(
  batch: number,
  rounds: number,
): Promise<{ bare: number[]; traced: number[] }> {
  const telemetry = tracing();
  const pool = new ServerPool();
  pool.use(telemetry);
  const server = {
    id: 's',
    name: 's',
    weight: 1,
    priority: 0,
    tags: [],
    state: 'connected',
    healthy: true,
    inFlight: 0,
    latencyEwmaMs: undefined,
  } as const;
  const request = {
    method: 'tools/call',
    params: { name: 'add', arguments: { a: 2, b: 3 } },
    safe: true,
    target: 'add',
  };
  const aggregation = first();
  const answer = Promise.resolve({ content: [] });
  const stub = () => answer;
  const signal = new AbortController().signal;
  const bareCall = () => stub();
  const tracedCall = () =>
    telemetry.call({ request, server: undefined, signal: undefined, aggregation }, (ctx) =>
      telemetry.attempt({ server, request: ctx.request, signal }, stub),
    );
  const bare: number[] = [];
  const traced: number[] = [];
  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    return ((performance.now() - started) * 1e6) / batch;
  };
  await time(bareCall);
  await time(tracedCall);
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      bare.push(await time(bareCall));
      traced.push(await time(tracedCall));
    } else {
      traced.push(await time(tracedCall));
      bare.push(await time(bareCall));
    }
  }
  await pool.close();
  return { bare, traced };
}

export const tracingPart: Part = {
  id: 'tracing',
  title: 'Tracing: what @mcpool/opentelemetry costs per call',
  async run(context: Context) {
    const calls = context.quick ? 300 : 5_000;
    const rounds = context.quick ? 3 : 21;
    const exporter = new InMemorySpanExporter();
    const targets = {} as Record<Variant, Target>;
    for (const v of VARIANTS) targets[v] = await target(v, exporter);
    try {
      for (const v of VARIANTS)
        await runLoad(() => targets[v].call(), { total: calls, concurrency: 1 });
      const latency: Record<Variant, number[]> = { pool: [], off: [], sdk: [] };
      for (let r = 0; r < rounds; r++) {
        const sum: Record<Variant, number> = { pool: 0, off: 0, sdk: 0 };
        const result = await runLoad(
          async (i) => {
            const v = VARIANTS[(i + r) % VARIANTS.length] as Variant;
            const started = performance.now();
            await targets[v].call();
            sum[v] += performance.now() - started;
          },
          { total: calls * VARIANTS.length, concurrency: 1 },
        );
        if (result.failures > 0)
          throw new Error(`tracing: ${result.failures} calls failed (${result.errors[0]})`);
        for (const v of VARIANTS) latency[v].push((sum[v] * 1000) / calls);
        // The exporter keeps what it is given: empty it so memory stays flat across rounds.
        exporter.reset();
      }
      const micro = await middlewareCost(context.quick ? 20_000 : 200_000, rounds);
      const microAdded = micro.traced.map((t, i) => t - (micro.bare[i] as number));
      const microSummary = summarize(microAdded);
      const microCi = medianCi95(microAdded);
      const added = (v: Variant) => latency[v].map((x, i) => x - (latency.pool[i] as number));
      const us: Record<Variant, Summary> = {
        pool: summarize(latency.pool),
        off: summarize(latency.off),
        sdk: summarize(latency.sdk),
      };
      const extra = { off: summarize(added('off')), sdk: summarize(added('sdk')) };
      const ci = { off: medianCi95(added('off')), sdk: medianCi95(added('sdk')) };
      const ciText = (c: { lo: number; hi: number }) =>
        Number.isNaN(c.lo) ? '' : `${c.lo.toFixed(2)} … ${c.hi.toFixed(2)} µs`;
      const text = table(
        ['setup', 'per call (median of rounds)', 'added per call', '95% CI of added'],
        VARIANTS.map((v) => [
          LABELS[v],
          fmtDuration(us[v].median / 1000),
          v === 'pool' ? '' : `${extra[v].median.toFixed(2)} µs`,
          v === 'pool' ? '' : ciText(ci[v]),
        ]),
      );
      const microText = `\n\nThe package's own work with no provider registered (its call and attempt middleware around a stub that answers at once, against the stub alone): ${microSummary.median.toFixed(0)} ns per call${Number.isNaN(microCi.lo) ? '' : ` (95% CI ${microCi.lo.toFixed(0)} … ${microCi.hi.toFixed(0)} ns)`}.`;
      context.log(
        `tracing: off +${extra.off.median.toFixed(2)} µs, sdk +${extra.sdk.median.toFixed(2)} µs`,
      );
      return {
        about:
          'One pool over one in-memory server, `add` at concurrency 1, three setups with their calls interleaved: no tracing; `pool.use(tracing())` with no tracer or meter provider registered; and tracing into the SDK (BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter). "Added" is each round\'s mean latency minus the untraced pool\'s in the same round.',
        text: text + microText,
        goals: [
          {
            text: `tracing with no provider registered adds at most ${GOAL_US} µs per call (judged on the package's own work, which the pool's noise cannot hide)`,
            met: context.quick || Number.isNaN(microCi.hi) ? null : microCi.hi <= GOAL_US * 1000,
            detail: `${microSummary.median.toFixed(0)} ns per call of its own; through the pool: median ${extra.off.median.toFixed(2)} µs${ciText(ci.off) ? `, 95% CI ${ciText(ci.off)}` : ''}`,
          },
        ],
        notes: [
          `With the SDK recording every call (two spans per call, sampled), each call costs ${extra.sdk.median.toFixed(1)} µs more.`,
        ],
        data: { calls, rounds, us, extra, ci, middlewareNs: { added: microSummary, ci: microCi } },
      };
    } finally {
      for (const v of VARIANTS) await targets[v].close();
    }
  },
};
