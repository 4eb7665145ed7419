/**
 * Part — the gateway's hop: an SDK client calling through `mcpool serve
 * --http` (a child process, HTTP upstream) against the same client calling
 * the same upstream server directly, in one run; a modern (2026-07-28)
 * client through the gateway beside them. And what an idle
 * downstream session costs: 1,000 sessions over 3 upstream servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ADD, closeSdkClient, connectSdkClient, httpTransport } from '../clients.js';
import type { Context, Goal, Part } from '../report.js';
import { startHttpFleet } from '../servers/fleet.js';
import { fmtBytes, fmtDuration, fmtRate, table } from '../util/format.js';
import { runLoad } from '../util/load.js';
import { median, quantile } from '../util/stats.js';
import { connectModernClient } from './gateway-modern.js';
import { sessionMemory } from './gateway-sessions.js';

const GOAL_P50_MS = 0.3;
const GOAL_P99_MS = 1;
const GOAL_THROUGHPUT = 0.8;
const GOAL_SESSION_BYTES = 50 * 1024;

/** The built `mcpool` command of @mcpool/gateway. */
function cliPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@mcpool/gateway/package.json')), 'dist', 'cli.js');
}

/** Starts `mcpool serve --http 127.0.0.1:0` over `upstream` and waits for its URL. */
async function serveGateway(
  upstream: readonly string[],
): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpool-bench-'));
  const config = join(dir, 'mcpool.json');
  const mcpServers = Object.fromEntries(upstream.map((url, i) => [`up${i}`, { url }]));
  writeFileSync(config, JSON.stringify({ mcpServers, http: { maxSessions: 2_000 } }));
  const child = spawn(
    process.execPath,
    [cliPath(), 'serve', '--config', config, '--http', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`mcpool serve did not start: ${stderr}`)),
      15_000,
    );
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const found = /serving \d+ servers at (\S+)/.exec(stderr)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`mcpool serve exited (${code}): ${stderr}`)));
  });
  return {
    url,
    child,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Round {
  directP50: number;
  directP99: number;
  gatewayP50: number;
  gatewayP99: number;
  /** The direct path measured beside the modern one. */
  modernDirectP50: number;
  modernDirectP99: number;
  modernP50: number;
  modernP99: number;
}

type Call = () => Promise<unknown>;

/**
 * Concurrency 1, the calls of two paths in turn (the first alternating), so
 * both see the same machine. The modern path is measured in pairs of its
 * own: interleaved with the legacy gateway, its garbage (a web
 * `Request`/`Response` per call in the same gateway process) would land in
 * the legacy path's p99.
 */
async function latencyPair(
  paths: readonly [Call, Call],
  calls: number,
): Promise<{ p50: [number, number]; p99: [number, number] }> {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < calls; i++) {
    for (let k = 0; k < 2; k++) {
      const which = (i + k) % 2;
      const t = performance.now();
      await (paths[which] as Call)();
      (times[which] as number[]).push(performance.now() - t);
    }
  }
  const [d, g] = times;
  return {
    p50: [quantile(d, 0.5), quantile(g, 0.5)],
    p99: [quantile(d, 0.99), quantile(g, 0.99)],
  };
}

async function latencyRound(paths: readonly [Call, Call, Call], calls: number): Promise<Round> {
  const [direct, gateway, modern] = paths;
  const legacy = await latencyPair([direct, gateway], calls);
  const era = await latencyPair([direct, modern], calls);
  return {
    directP50: legacy.p50[0],
    directP99: legacy.p99[0],
    gatewayP50: legacy.p50[1],
    gatewayP99: legacy.p99[1],
    modernDirectP50: era.p50[0],
    modernDirectP99: era.p99[0],
    modernP50: era.p50[1],
    modernP99: era.p99[1],
  };
}

async function throughput(call: Call, calls: number): Promise<number> {
  const result = await runLoad(() => call(), {
    total: calls,
    concurrency: 32,
  });
  if (result.failures > 0)
    throw new Error(`throughput: ${result.failures} calls failed (${result.errors[0]})`);
  return (result.calls * 1000) / result.elapsedMs;
}

export const gateway: Part = {
  id: 'gateway',
  title: 'Gateway hop: mcpool serve --http against a direct SDK client',
  async run(context: Context) {
    const rounds = context.quick ? 2 : 15;
    const callsPerRound = context.quick ? 100 : 2_000;
    const throughputCalls = context.quick ? 400 : 10_000;
    const idleSessions = context.quick ? 100 : 1_000;
    const fleet = await startHttpFleet([{ id: 'up0' }, { id: 'up1' }, { id: 'up2' }]);
    const closers: (() => Promise<void>)[] = [() => fleet.close()];
    try {
      const upUrl = fleet.url('up0');
      context.log('starting mcpool serve --http');
      const served = await serveGateway([upUrl]);
      closers.unshift(() => served.close());
      const direct = await connectSdkClient(httpTransport(upUrl), 'bench-direct');
      const viaGateway = await connectSdkClient(httpTransport(served.url), 'bench-gateway');
      const modern = await connectModernClient(served.url);
      closers.unshift(
        () => closeSdkClient(direct),
        () => closeSdkClient(viaGateway),
        () => modern.close(),
      );
      const paths: [Call, Call, Call] = [
        () => direct.callTool(ADD),
        () => viaGateway.callTool(ADD),
        modern.call,
      ];
      await latencyRound(paths, 50);

      const latency: Round[] = [];
      const ratios: number[] = [];
      const modernRatios: number[] = [];
      const tput: { direct: number; gateway: number; modern: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        context.log(`round ${r + 1}/${rounds}`);
        latency.push(await latencyRound(paths, callsPerRound));
        // Rotate which path goes first, so none always meets a warmer machine.
        const measured = [0, 0, 0];
        for (let k = 0; k < 3; k++) {
          const which = (r + k) % 3;
          measured[which] = await throughput(paths[which] as Call, throughputCalls);
        }
        const [d = 0, g = 0, m = 0] = measured;
        tput.push({ direct: d, gateway: g, modern: m });
        ratios.push(g / d);
        modernRatios.push(m / d);
      }
      const addedP50 = median(latency.map((l) => l.gatewayP50 - l.directP50));
      const addedP99 = median(latency.map((l) => l.gatewayP99 - l.directP99));
      const ratio = median(ratios);
      const modernAddedP50 = median(latency.map((l) => l.modernP50 - l.modernDirectP50));
      const modernAddedP99 = median(latency.map((l) => l.modernP99 - l.modernDirectP99));
      const modernRatio = median(modernRatios);

      context.log(`${idleSessions} idle sessions over 3 upstream servers`);
      const memory = await sessionMemory(
        fleet.servers.map((s) => s.url),
        idleSessions,
      );

      const rows = [
        [
          'direct SDK client',
          fmtDuration(median(latency.map((l) => l.directP50))),
          fmtDuration(median(latency.map((l) => l.directP99))),
          fmtRate(median(tput.map((t) => t.direct))),
        ],
        [
          'through mcpool serve',
          fmtDuration(median(latency.map((l) => l.gatewayP50))),
          fmtDuration(median(latency.map((l) => l.gatewayP99))),
          fmtRate(median(tput.map((t) => t.gateway))),
        ],
        [
          'added / ratio',
          fmtDuration(addedP50),
          fmtDuration(addedP99),
          `${(ratio * 100).toFixed(1)}% of direct`,
        ],
        [
          'modern client (2026-07-28) through mcpool serve',
          fmtDuration(median(latency.map((l) => l.modernP50))),
          fmtDuration(median(latency.map((l) => l.modernP99))),
          fmtRate(median(tput.map((t) => t.modern))),
        ],
        [
          'modern: added / ratio',
          fmtDuration(modernAddedP50),
          fmtDuration(modernAddedP99),
          `${(modernRatio * 100).toFixed(1)}% of direct`,
        ],
      ];
      const judged = !context.quick;
      const goals: Goal[] = [
        {
          text: `the gateway adds ≤ ${GOAL_P50_MS} ms at p50 (concurrency 1)`,
          met: judged ? addedP50 <= GOAL_P50_MS : null,
          detail: `median over ${rounds} rounds of ${callsPerRound} calls per path: ${fmtDuration(addedP50)}.`,
        },
        {
          text: `the gateway adds ≤ ${GOAL_P99_MS} ms at p99 (concurrency 1)`,
          met: judged ? addedP99 <= GOAL_P99_MS : null,
          detail: `${fmtDuration(addedP99)}.`,
        },
        {
          text: `throughput through the gateway ≥ ${GOAL_THROUGHPUT * 100}% of direct at concurrency 32`,
          met: judged ? ratio >= GOAL_THROUGHPUT : null,
          detail: `median ratio over ${rounds} rounds: ${(ratio * 100).toFixed(1)}%.`,
        },
        {
          text: `an idle downstream session holds ≤ ${fmtBytes(GOAL_SESSION_BYTES)} of heap`,
          met: judged ? memory.bytesPerSession <= GOAL_SESSION_BYTES : null,
          detail: `${memory.count} sessions over 3 upstream servers (upstream sessions lazy): ${fmtBytes(memory.bytesPerSession)} each, ${fmtDuration(memory.openMs)} to open one.`,
        },
      ];
      return {
        about:
          "An SDK client calls `add` on one Streamable HTTP server (in a child process) directly and through `mcpool serve --http` (another child process, the same server upstream), and a v2 client pinned to 2026-07-28 calls it through the gateway too; at concurrency 1 the calls of two paths in turn, direct beside the legacy gateway path and then direct beside the modern one (so the modern path's garbage in the gateway stays out of the legacy path's p99); then each path alone at concurrency 32, the order rotating per round. The modern rows are informative: no goal is set for them. Figures are medians over rounds. Idle sessions: initialize + initialized on an in-process gateway, heap after full collections.",
        text: `${table(['path', 'p50', 'p99', 'calls/s at 32'], rows)}\n\nIdle session: ${fmtBytes(memory.bytesPerSession)} of heap each (${memory.count} sessions), ${fmtDuration(memory.openMs)} to open.`,
        goals,
        notes: context.quick ? ['Quick mode: figures are rough and goals are not judged.'] : [],
        data: {
          latency,
          throughput: tput,
          addedP50,
          addedP99,
          ratio,
          modern: { addedP50: modernAddedP50, addedP99: modernAddedP99, ratio: modernRatio },
          memory,
        },
      };
    } finally {
      for (const close of closers) await close().catch(() => {});
    }
  },
};
