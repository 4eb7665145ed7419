// Over 350 lines: the heap-per-server table and the long runs share one
// checkpoint routine (GC, listener census, handles) and one report.
/**
 * Part 6 — memory and leaks: the heap a pool of many in-memory servers takes
 * per server (beside as many bare SDK clients), and whether heap, abort
 * listeners and active handles stay flat over a long run of calls.
 */
import type { ServerConfig } from '@mcpool/core';
import { type InProcessTestServer, startInProcessServer } from '@mcpool/testkit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ADD,
  closeSdkClient,
  connectSdkClient,
  httpTransport,
  type PoolHandle,
  startPool,
} from '../clients.js';
import type { Goal, Part } from '../report.js';
import { startHttpFleet } from '../servers/fleet.js';
import { fmtBytes, fmtDuration, fmtInt, fmtRate, table } from '../util/format.js';
import { settleHeap } from '../util/gc.js';
import { runLoad, sleep } from '../util/load.js';
import {
  activeResources,
  type SignalCensus,
  type SignalTracker,
  sameCounts,
  trackAbortSignals,
} from '../util/signals.js';
import { slope } from '../util/stats.js';
import { takeWarnings } from '../util/warnings.js';

const CONCURRENCY = 32;
/** What "flat" allows: the heap after GC may differ by this much between start and end. */
const FLAT_BYTES = 1024 * 1024;
/** Longest the full-mode long run may take; the call count is picked to fit. */
const FULL_BUDGET_MS = 240_000;
const FULL_TARGET = 1_000_000;

interface ManyServers {
  servers: number;
  sdk: { heapPerServer: number; startMs: number };
  pool: { heapPerServer: number; startMs: number };
}

async function manyServers(n: number): Promise<ManyServers> {
  const servers: InProcessTestServer[] = Array.from({ length: n }, (_, i) =>
    startInProcessServer({ id: `m${i}` }),
  );
  try {
    // Bare SDK clients, one per server, connected in parallel.
    const h0 = await settleHeap();
    let t = performance.now();
    const clients: Client[] = await Promise.all(
      servers.map(async (s) => connectSdkClient(await s.transport.create())),
    );
    const sdkStart = performance.now() - t;
    const h1 = await settleHeap();
    await Promise.all(clients.map((c) => closeSdkClient(c)));
    clients.length = 0;
    // The same servers behind one pool.
    const h2 = await settleHeap();
    t = performance.now();
    const handle = await startPool(
      servers.map((s): ServerConfig => ({ id: s.id, transport: s.transport })),
      { connectionTimeout: 60_000 },
    );
    const poolStart = performance.now() - t;
    const h3 = await settleHeap();
    await handle.close();
    return {
      servers: n,
      sdk: { heapPerServer: (h1 - h0) / n, startMs: sdkStart },
      pool: { heapPerServer: (h3 - h2) / n, startMs: poolStart },
    };
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

interface Checkpoint {
  calls: number;
  /** heapUsed after repeated full collections. */
  heapUsed: number;
  /** Abort listeners on live signals, after the collections. */
  abort: SignalCensus;
  /** Most abort listeners on one signal just before the collections. */
  maxOnOneBeforeGc: number;
  resources: Record<string, number>;
}

interface LongRun {
  label: string;
  transport: 'memory' | 'http';
  calls: number;
  concurrency: number;
  callsPerSecond: number;
  checkpoints: Checkpoint[];
  heapGrowth: number;
  bytesPerThousandCalls: number;
  flat: { heap: boolean; listeners: boolean; resources: boolean };
  /** AbortSignals that got an abort listener, per call. */
  signalsPerCall: number;
  warnings: Record<string, number>;
  elapsedMs: number;
}

/**
 * A moment at rest before each checkpoint: a MultiServerClient lets go of its
 * shared abort signal (and the SDK's listeners on it) 100 ms after its last
 * call; leaks are what stays after that.
 */
const REST_MS = 250;

async function checkpoint(tracker: SignalTracker, calls: number): Promise<Checkpoint> {
  const before = tracker.census();
  await sleep(REST_MS);
  await settleHeap();
  // The census drops the tracker's references to collected signals; measure after that,
  // so the tracker's own bookkeeping does not count as heap.
  const abort = tracker.census();
  const heapUsed = await settleHeap();
  return {
    calls,
    heapUsed,
    abort,
    maxOnOneBeforeGc: before.maxOnOne,
    resources: activeResources(),
  };
}

async function longRun(
  label: string,
  transport: LongRun['transport'],
  tracker: SignalTracker,
  call: () => Promise<unknown>,
  total: number,
  pieces: number,
): Promise<LongRun> {
  takeWarnings();
  // Warm up first, so JIT code and lazily built state do not count as growth.
  await runLoad(call, { total: Math.min(5_000, Math.ceil(total / 10)), concurrency: CONCURRENCY });
  const checkpoints = [await checkpoint(tracker, 0)];
  const signalsAtStart = tracker.created();
  let done = 0;
  let busyMs = 0;
  const t0 = performance.now();
  for (let p = 0; p < pieces; p++) {
    const size = Math.floor(((p + 1) * total) / pieces) - done;
    const result = await runLoad(call, { total: size, concurrency: CONCURRENCY });
    if (result.failures > 0)
      throw new Error(`${label}: ${result.failures} calls failed (${result.errors[0]})`);
    done += result.calls;
    busyMs += result.elapsedMs;
    checkpoints.push(await checkpoint(tracker, done));
  }
  const first = checkpoints[0] as Checkpoint;
  const last = checkpoints[checkpoints.length - 1] as Checkpoint;
  // Growth is judged on the second half of the run, after every cache and pool has filled.
  const half = checkpoints.slice(Math.floor(checkpoints.length / 2));
  const perCall = slope(
    half.map((c) => c.calls),
    half.map((c) => c.heapUsed),
  );
  return {
    label,
    transport,
    calls: done,
    concurrency: CONCURRENCY,
    callsPerSecond: (done * 1000) / busyMs,
    checkpoints,
    heapGrowth: last.heapUsed - first.heapUsed,
    signalsPerCall: (tracker.created() - signalsAtStart) / Math.max(1, done),
    bytesPerThousandCalls: perCall * 1000,
    flat: {
      heap: Math.abs(last.heapUsed - first.heapUsed) < FLAT_BYTES,
      listeners: last.abort.listeners <= first.abort.listeners,
      resources: sameCounts(first.resources, last.resources),
    },
    warnings: takeWarnings(),
    elapsedMs: performance.now() - t0,
  };
}

export const memory: Part = {
  id: 'memory',
  title: '6. Memory and leaks',
  async run(context) {
    const { quick } = context;
    const many = await manyServers(quick ? 50 : 1_000);
    context.log(
      `memory: ${many.servers} servers, pool ${fmtBytes(many.pool.heapPerServer)}/server, bare SDK ${fmtBytes(many.sdk.heapPerServer)}/server`,
    );

    const runs: LongRun[] = [];
    let chosen = '';
    const tracker = trackAbortSignals();
    try {
      // In memory: the long run, as many calls as fit.
      {
        const servers = Array.from({ length: 3 }, (_, i) =>
          startInProcessServer({ id: `l${i + 1}` }),
        );
        let handle: PoolHandle | undefined;
        try {
          handle = await startPool(servers.map((s) => ({ id: s.id, transport: s.transport })));
          const h = handle;
          const call = () => h.client.callTool(ADD);
          let total = 10_000;
          if (!quick) {
            const probe = await runLoad(call, { total: 20_000, concurrency: CONCURRENCY });
            const rate = (probe.calls * 1000) / probe.elapsedMs;
            const fits = Math.floor((rate * FULL_BUDGET_MS) / 100_000) * 100_000;
            total = Math.max(100_000, Math.min(FULL_TARGET, fits));
            chosen =
              total === FULL_TARGET
                ? `${fmtInt(total)} calls: at ${fmtRate(rate)} measured just before, they fit in the ${fmtDuration(FULL_BUDGET_MS)} budget.`
                : `${fmtInt(total)} calls, not ${fmtInt(FULL_TARGET)}: at ${fmtRate(rate)} measured just before, that is what fits in the ${fmtDuration(FULL_BUDGET_MS)} budget.`;
          } else {
            chosen = `${fmtInt(total)} calls (quick mode).`;
          }
          context.log(`memory: long run of ${fmtInt(total)} calls in memory`);
          runs.push(
            await longRun(
              'pool of 3 in-memory servers',
              'memory',
              tracker,
              call,
              total,
              quick ? 4 : 10,
            ),
          );
          await handle.close();
          handle = undefined;
          // The same servers through a bare SDK client: the baseline for listeners per call.
          const bareTotal = quick ? 3_000 : 200_000;
          const client = await connectSdkClient(
            await (servers[0] as InProcessTestServer).transport.create(),
          );
          try {
            context.log(`memory: ${fmtInt(bareTotal)} calls in memory through a bare SDK client`);
            runs.push(
              await longRun(
                'bare SDK client, in memory',
                'memory',
                tracker,
                () => client.callTool(ADD),
                bareTotal,
                quick ? 2 : 5,
              ),
            );
          } finally {
            await closeSdkClient(client);
          }
        } finally {
          await handle?.close();
          await Promise.all(servers.map((s) => s.close()));
        }
      }
      // Over HTTP: fewer calls, pool and bare SDK client side by side (the transport's own listeners).
      {
        const fleet = await startHttpFleet([{ id: 'lh' }]);
        const url = fleet.url('lh');
        const total = quick ? 400 : 10_000;
        const pieces = quick ? 2 : 5;
        try {
          const handle = await startPool([
            { id: 'lh', transport: { type: 'streamable-http', url } },
          ]);
          try {
            context.log(`memory: ${fmtInt(total)} calls over HTTP through the pool`);
            runs.push(
              await longRun(
                'pool of 1 HTTP server',
                'http',
                tracker,
                () => handle.client.callTool(ADD),
                total,
                pieces,
              ),
            );
          } finally {
            await handle.close();
          }
          const client = await connectSdkClient(httpTransport(url));
          try {
            context.log(`memory: ${fmtInt(total)} calls over HTTP through a bare SDK client`);
            runs.push(
              await longRun(
                'bare SDK client, HTTP',
                'http',
                tracker,
                () => client.callTool(ADD),
                total,
                pieces,
              ),
            );
          } finally {
            await closeSdkClient(client);
          }
        } finally {
          await fleet.close();
        }
      }
    } finally {
      tracker.uninstall();
    }

    const manyText = table(
      ['', 'heap per server', 'start all'],
      [
        [
          `${fmtInt(many.servers)} bare SDK clients`,
          fmtBytes(many.sdk.heapPerServer),
          fmtDuration(many.sdk.startMs),
        ],
        [
          `pool of ${fmtInt(many.servers)} servers`,
          fmtBytes(many.pool.heapPerServer),
          fmtDuration(many.pool.startMs),
        ],
        ['pool extra per server', fmtBytes(many.pool.heapPerServer - many.sdk.heapPerServer), ''],
      ],
    );
    const runText = table(
      [
        'long run',
        'calls',
        'calls/s',
        'heap start',
        'heap end',
        'growth',
        'B/1k calls',
        'abort listeners',
        'signals/call',
        'max on one signal',
        'handles',
      ],
      runs.map((r) => {
        const a = r.checkpoints[0] as Checkpoint;
        const b = r.checkpoints[r.checkpoints.length - 1] as Checkpoint;
        const handles = (c: Checkpoint) => Object.values(c.resources).reduce((x, y) => x + y, 0);
        const maxBefore = Math.max(...r.checkpoints.map((c) => c.maxOnOneBeforeGc));
        return [
          r.label,
          fmtInt(r.calls),
          fmtRate(r.callsPerSecond),
          fmtBytes(a.heapUsed),
          fmtBytes(b.heapUsed),
          fmtBytes(r.heapGrowth),
          r.bytesPerThousandCalls.toFixed(1),
          `${a.abort.listeners} → ${b.abort.listeners}`,
          r.signalsPerCall.toFixed(2),
          fmtInt(maxBefore),
          `${handles(a)} → ${handles(b)}`,
        ];
      }),
    );
    const goals: Goal[] = runs.map((r) => ({
      text: `flat over ${fmtInt(r.calls)} calls (${r.label}): heap after GC within ${fmtBytes(FLAT_BYTES)}, abort listeners and active handles unchanged`,
      met: quick ? null : r.flat.heap && r.flat.listeners && r.flat.resources,
      detail: `heap ${fmtBytes(r.heapGrowth)} (${r.bytesPerThousandCalls.toFixed(1)} B per 1,000 calls over the second half), listeners ${r.flat.listeners ? 'flat' : 'grew'}, handles ${r.flat.resources ? 'unchanged' : 'changed'}.${quick ? ' Quick mode: too few calls to judge.' : ''}`,
    }));
    const notes = [
      `Long run: ${chosen} Concurrency ${CONCURRENCY}; heap (heapUsed after repeated global.gc()) and counts are taken after a warm-up and at ${runs[0]?.checkpoints.length ?? 0} checkpoints.`,
      `Checkpoints are taken after ${REST_MS} ms at rest (a MultiServerClient shares one abort signal among up to 64 calls, since Node 20 spends ~2.5 µs on each new one, and lets it go 100 ms after its last call). Abort listeners are counted on every AbortSignal still alive after GC (EventTarget.prototype.addEventListener is watched during this part). "signals/call" is how many AbortSignals got an abort listener per call; "max on one signal" is the most listeners seen on a single signal just before a collection (over HTTP, undici adds one per request to the transport's long-lived signal and removes it only when the request object is garbage collected).`,
      "Heap per server includes the in-process server each client talks to (the same for both); the pool also keeps each server's catalog (tools, resources, templates, prompts).",
      ...runs
        .filter((r) => Object.keys(r.warnings).length > 0)
        .map(
          (r) =>
            `${r.label}: process warnings ${Object.entries(r.warnings)
              .map(([k, v]) => `${k} ×${v}`)
              .join(', ')}.`,
        ),
    ];
    return {
      about:
        'Heap per server of a pool of many in-memory servers beside as many bare SDK clients, and a long run of calls through one pool with heap, abort listeners and active handles at start and end.',
      text: `${manyText}\n\n${runText}`,
      goals,
      notes,
      data: { many, runs },
    };
  },
};
