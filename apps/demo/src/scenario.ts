// Over 350 lines: the demo's steps, each a few dozen lines, share one pool,
// its clients and the server processes; apart they would pass all of that around.
import { all, fastest, majority } from '@mcpool/aggregators';
import { fromName } from '@mcpool/balancers';
import { BatchClient } from '@mcpool/batch';
import { withCache } from '@mcpool/cache';
import {
  type AttemptReport,
  type CallToolResult,
  McpoolError,
  MultiServerClient,
  type ServerPool,
} from '@mcpool/core';
import type { Logger } from 'pino';
import type { Dashboard } from './dashboard.js';
import { discoveryStep } from './discovery-step.js';
import type { DemoServerProcess } from './server-process.js';
import type { Terminal } from './terminal.js';

/** Everything a step may use. */
export interface DemoContext {
  pool: ServerPool;
  client: MultiServerClient;
  /** The demo's own server processes; empty when the servers came from MCP_SERVERS. */
  processes: DemoServerProcess[];
  log: Logger;
  terminal: Terminal;
  dashboard: Dashboard | undefined;
  /** Breaker state of a server, when a breaker is installed. */
  breakerState: (serverId: string) => string;
}

/** What one step found. */
export interface StepResult {
  ok: boolean;
  detail: string;
  /** Steps that need the demo's own processes say so when the servers are external. */
  skipped?: boolean;
}

export interface Step {
  name: string;
  needsProcesses?: boolean;
  run(ctx: DemoContext): Promise<StepResult>;
}

export function textOf(result: CallToolResult): string {
  return (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `total` calls with at most `concurrency` in flight; returns how many failed. */
async function load(
  total: number,
  concurrency: number,
  call: (i: number) => Promise<unknown>,
  onProgress?: (done: number, failed: number) => void,
): Promise<{ failed: number; errors: unknown[] }> {
  let next = 0;
  let done = 0;
  let failed = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        await call(i);
      } catch (error) {
        failed++;
        errors.push(error);
      }
      done++;
      onProgress?.(done, failed);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { failed, errors };
}

async function spread(ctx: DemoContext, client: MultiServerClient, calls: number, key?: string) {
  const counts = new Map<string, number>(ctx.pool.servers().map((s) => [s.id, 0]));
  await load(calls, 4, async () => {
    const r = await client.callTool({ name: 'server_info', arguments: {} }, key ? { key } : {});
    const id = textOf(r);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  return counts;
}

const loadSpread: Step = {
  name: 'Load spread under each strategy',
  async run(ctx) {
    const ids = ctx.pool.servers().map((s) => s.id);
    const lines: string[] = [];
    let ok = true;
    const calls = ids.length * 20;
    const checks: Record<string, (c: number[]) => boolean> = {
      round_robin: (c) => c.every((n) => n === calls / ids.length),
      weighted: (c) => {
        const weights = ctx.pool.servers().map((s) => s.weight);
        const sum = weights.reduce((a, b) => a + b, 0);
        return c.every((n, i) => Math.abs(n - ((weights[i] ?? 0) / sum) * calls) <= 1);
      },
      priority: (c) => {
        const top = Math.max(...ctx.pool.servers().map((s) => s.priority));
        return ctx.pool.servers().every((s, i) => (s.priority === top) === (c[i] ?? 0) > 0);
      },
      least_connections: (c) => c.reduce((a, b) => a + b, 0) === calls,
      random: (c) => c.reduce((a, b) => a + b, 0) === calls,
      p2c_ewma: (c) => c.reduce((a, b) => a + b, 0) === calls,
      consistent_hash: (c) => c.filter((n) => n > 0).length === 1,
    };
    for (const [name, check] of Object.entries(checks)) {
      const balancer = fromName(name);
      const client = new MultiServerClient(ctx.pool, { balancer });
      const counts = await spread(
        ctx,
        client,
        calls,
        name === 'consistent_hash' ? 'user-42' : undefined,
      );
      await client.close();
      const c = ids.map((id) => counts.get(id) ?? 0);
      const good = check(c);
      ok &&= good;
      ctx.log.info(
        { strategy: name, distribution: Object.fromEntries(counts) },
        `Load balancing: ${name} spread ${calls} calls as ${c.join('/')}`,
      );
      lines.push(`${good ? '✔' : '✘'} ${name.padEnd(18)} ${ctx.terminal.bars(ids, c)}`);
    }
    ctx.terminal.block(lines);
    return { ok, detail: `7 strategies, ${calls} calls each` };
  },
};

const mergedCatalog: Step = {
  name: 'Merged catalog from every server (all)',
  async run(ctx) {
    let missing = -1;
    const tools = await ctx.client.listTools({
      aggregation: all({
        onReport: (report) => {
          missing = report.missing.length;
        },
      }),
    });
    const names = tools.map((t) => t.name);
    const unique = new Set(names).size === names.length;
    const expected = ['add', 'subtract', 'multiply', 'divide', 'server_info', 'create_ticket'];
    const complete = expected.every((n) => names.includes(n));
    ctx.terminal.block([`tools: ${names.join(', ')}`]);
    return {
      ok: unique && complete && missing === 0,
      detail: `${names.length} tools, each once, from ${ctx.pool.servers().length} servers; ${missing} missing`,
    };
  },
};

const failover: Step = {
  name: 'A server dies under load: failover',
  needsProcesses: true,
  async run(ctx) {
    const victim = ctx.processes[1] ?? ctx.processes[0];
    if (!victim) return { ok: false, detail: 'no server to kill' };
    let downAt = 0;
    const onDown = (e: { serverId: string }) => {
      if (e.serverId === victim.id && downAt === 0) downAt = performance.now();
    };
    let afterDown = 0;
    const late: string[] = [];
    const onAttempt = (r: AttemptReport) => {
      // Health checks keep probing it on purpose; traffic must not reach it.
      if (r.background) return;
      // Count attempts that started after the pool took the server out; those
      // already in flight when it died end with errors or timeouts, as they must.
      const startedAt = performance.now() - r.latencyMs;
      if (r.server.id === victim.id && downAt > 0 && startedAt > downAt) {
        afterDown++;
        late.push(`${r.method} ${r.outcome} started +${(startedAt - downAt).toFixed(0)}ms`);
      }
    };
    ctx.pool.on('server:unhealthy', onDown);
    ctx.pool.on('attempt', onAttempt);
    const fallbacksBefore = ctx.client.getMetrics().fallbackUsed + ctx.client.getMetrics().retries;
    let killed = false;
    const total = 240;
    const result = await load(
      total,
      8,
      async (i) => {
        if (i === 60 && !killed) {
          killed = true;
          await victim.kill();
          ctx.dashboard?.event(`killed ${victim.id}`);
        }
        const r = await ctx.client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
        if (textOf(r) !== String(i + 1)) throw new Error(`wrong answer ${textOf(r)}`);
        await sleep(5);
      },
      (done, failed) =>
        ctx.terminal.progress(
          `calls ${done}/${total}, failed ${failed}, ${victim.id} ${ctx.pool.isHealthy(victim.id) ? 'healthy' : 'OUT'}`,
        ),
    );
    ctx.pool.off('server:unhealthy', onDown);
    ctx.pool.off('attempt', onAttempt);
    const moved =
      ctx.client.getMetrics().fallbackUsed + ctx.client.getMetrics().retries - fallbacksBefore;
    const noticed = downAt > 0;
    return {
      ok: result.failed === 0 && noticed && afterDown === 0,
      detail: `${total - result.failed}/${total} calls succeeded; ${victim.id} taken out${noticed ? '' : ' — NOT noticed'}; ${moved} calls failed over; ${afterDown} attempts reached it afterwards${late.length ? ` (${late.join(', ')})` : ''}`,
    };
  },
};

const recovery: Step = {
  name: 'The server comes back',
  needsProcesses: true,
  async run(ctx) {
    const victim = ctx.processes[1] ?? ctx.processes[0];
    if (!victim) return { ok: false, detail: 'no server' };
    await victim.start();
    ctx.dashboard?.event(`restarted ${victim.id}`);
    const started = performance.now();
    let served = 0;
    for (let i = 0; i < 400 && served === 0; i++) {
      const r = await ctx.client.callTool({ name: 'server_info', arguments: {} });
      if (textOf(r) === victim.id) served++;
      ctx.terminal.progress(
        `waiting for ${victim.id} to be used again… ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      await sleep(50);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return {
      ok: served > 0,
      detail:
        served > 0
          ? `${victim.id} back in rotation after ${seconds} s`
          : `${victim.id} not used again within ${seconds} s`,
    };
  },
};

const majorityVote: Step = {
  name: 'Majority outvotes a server that answers wrong',
  needsProcesses: true,
  async run(ctx) {
    const liar = ctx.processes[2];
    if (!liar) return { ok: false, detail: 'needs three servers' };
    await liar.set({ wrongOffset: 1000 });
    try {
      const lie = await ctx.client.callTool(
        { name: 'add', arguments: { a: 20, b: 22 } },
        { server: liar.id },
      );
      const agreed = await ctx.client.callTool(
        { name: 'add', arguments: { a: 20, b: 22 } },
        { aggregation: majority() },
      );
      ctx.terminal.block([
        `${liar.id} alone says ${textOf(lie)}; the majority says ${textOf(agreed)}`,
      ]);
      return {
        ok: textOf(agreed) === '42' && textOf(lie) === '1042',
        detail: `${liar.id} said ${textOf(lie)}, majority answered ${textOf(agreed)}`,
      };
    } finally {
      await liar.set({ wrongOffset: 0 });
    }
  },
};

const fastestWins: Step = {
  name: 'Fastest ignores a slow server',
  needsProcesses: true,
  async run(ctx) {
    const slow = ctx.processes[0];
    if (!slow) return { ok: false, detail: 'no server' };
    await slow.set({ latencyMs: 1_500 });
    try {
      const started = performance.now();
      const r = await ctx.client.callTool(
        { name: 'server_info', arguments: {} },
        { aggregation: fastest() },
      );
      const ms = performance.now() - started;
      return {
        ok: textOf(r) !== slow.id && ms < 1_500,
        detail: `${textOf(r)} answered in ${ms.toFixed(0)} ms while ${slow.id} takes 1500 ms`,
      };
    } finally {
      await slow.set({ latencyMs: 0 });
    }
  },
};

const caching: Step = {
  name: 'Cache answers repeated questions',
  async run(ctx) {
    const cache = withCache(ctx.client);
    try {
      for (let i = 0; i < 20; i++)
        await ctx.client.callTool({ name: 'multiply', arguments: { a: 6, b: 7 } });
      const m = cache.metrics();
      return {
        ok: m.hits === 19 && m.misses === 1,
        detail: `20 calls of multiply(6, 7): ${m.misses} miss, ${m.hits} hits`,
      };
    } finally {
      await cache.close();
    }
  },
};

const batching: Step = {
  name: 'Batch many small calls',
  async run(ctx) {
    const batch = new BatchClient(ctx.client, { batchSize: 10, flushDelay: 20 });
    try {
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          batch.add({ method: 'callTool', params: { name: 'add', arguments: { a: i, b: i } } }),
        ),
      );
      const right = results.filter((r, i) => textOf(r as CallToolResult) === String(2 * i)).length;
      const m = batch.metrics();
      return {
        ok: right === 25 && m.batches === 3,
        detail: `25 operations in ${m.batches} batches, ${right} right answers`,
      };
    } finally {
      await batch.close();
    }
  },
};

const unsafe: Step = {
  name: 'A call that may have run is never repeated',
  needsProcesses: true,
  async run(ctx) {
    const flaky = ctx.processes[0];
    if (!flaky) return { ok: false, detail: 'no server' };
    await flaky.set({ failRate: 1 });
    try {
      const error = await ctx.client
        .callTool(
          { name: 'create_ticket', arguments: { title: 'printer on fire' } },
          { server: flaky.id },
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const code = McpoolError.isInstance(error) ? error.code : String(error);
      return {
        ok: code === 'REQUEST_MAY_HAVE_RUN',
        detail: `create_ticket failed on ${flaky.id}: ${code} (not retried)`,
      };
    } finally {
      await flaky.set({ failRate: 0 });
    }
  },
};

const breaker: Step = {
  name: 'Circuit breaker opens on a failing server',
  needsProcesses: true,
  async run(ctx) {
    const sick = ctx.processes[2];
    if (!sick) return { ok: false, detail: 'needs three servers' };
    await sick.set({ failRate: 1 });
    let opened = false;
    let why = '';
    let calls = 0;
    let failed = 0;
    try {
      // Load until the breaker opens (its window must fill with failures first), then a little more.
      const started = performance.now();
      let after = 0;
      while (after < 40 && performance.now() - started < 15_000) {
        const result = await load(20, 4, async (i) => {
          await ctx.client.callTool({ name: 'add', arguments: { a: i, b: 0 } });
          if (!opened && ctx.breakerState(sick.id) === 'open') {
            opened = true;
            why = ctx.pool.exclusions(sick.id).breaker ?? '';
          }
        });
        calls += 20;
        failed += result.failed;
        if (opened) after += 20;
        ctx.terminal.progress(
          `${calls} calls, ${failed} failed, breaker ${ctx.breakerState(sick.id)}`,
        );
      }
      const out = Object.entries(ctx.pool.exclusions(sick.id))
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ');
      return {
        ok: failed === 0 && opened,
        detail: `${sick.id} failing: breaker ${opened ? `opened (${why})` : `did NOT open (out of selection: ${out || 'no'})`}; ${calls - failed}/${calls} calls succeeded`,
      };
    } finally {
      await sick.set({ failRate: 0 });
    }
  },
};

/** The scenario, in order. */
export const STEPS: Step[] = [
  loadSpread,
  mergedCatalog,
  failover,
  recovery,
  majorityVote,
  fastestWins,
  caching,
  batching,
  unsafe,
  breaker,
  discoveryStep,
];
