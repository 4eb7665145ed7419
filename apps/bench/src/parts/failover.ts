/**
 * Part 5 — failover: one of three Streamable HTTP servers is killed under a
 * steady load of idempotent calls, and later restarted. Counts failed calls,
 * how long calls keep reaching the dead server, and how long until it serves
 * again; beside three bare SDK clients driven round robin by hand.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { closeSdkClient, connectSdkClient, httpTransport, startPool, WHOAMI } from '../clients.js';
import type { Goal, Part } from '../report.js';
import { type HttpFleet, startHttpFleet } from '../servers/fleet.js';
import { createPlugin } from '../stack.js';
import { fmtDuration, fmtInt, table } from '../util/format.js';
import { sleep } from '../util/load.js';
import { quantileSorted, sorted } from '../util/stats.js';

const IDS = ['f1', 'f2', 'f3'] as const;
const VICTIM = 'f2';
const CONCURRENCY = 8;
const RECONNECT = { baseMs: 100, maxMs: 1_000 };
const HEALTH = {
  interval: 500,
  timeout: 500,
  outlierDetection: { baseEjectionTime: 1_000 },
};
/** Hard cap on calls per variant, so the loop is bounded whatever happens. */
const MAX_CALLS = 400_000;

interface Timing {
  warmMs: number;
  outageMs: number;
  /** Longest wait for the victim to serve again after restart. */
  recoveryMaxMs: number;
  /** Load kept up after the victim served again. */
  tailMs: number;
}

interface VariantResult {
  variant: string;
  calls: number;
  failed: number;
  failedDuringOutage: number;
  failedAfterRestart: number;
  firstErrors: string[];
  callsPerSecondDuringOutage: number;
  /** Attempts (first tries and retries) that went to the victim while it was down. */
  attemptsToVictimDuringOutage: number;
  /**
   * Time from kill until the pool took the victim out of selection (its first
   * `server:unhealthy` event), ms; undefined if it never did. From then on only
   * probes reach it.
   */
  excludedAfterMs: number | undefined;
  /** Attempts on the victim after it left selection, before the restart (probes when an ejection expires). */
  attemptsAfterExclusion: number;
  /** Latency of calls started during the outage, ms. */
  outageLatency: { p50: number; p99: number; max: number };
  /** Time from restart to the first call the victim answered, ms; undefined if it never did. */
  reuseAfterRestartMs: number | undefined;
  retries: number | undefined;
  /** Pool events about the victim, ms after the kill. */
  events: { atMs: number; event: string }[];
  settings: string;
}

interface Driver {
  call(): Promise<string>;
  /** Called with every attempt that reached the victim (time from performance.now()). */
  onVictimAttempt(listener: (at: number) => void): void;
  retries(): number | undefined;
  events(): { at: number; event: string }[];
  close(): Promise<void>;
}

function textOf(result: unknown): string {
  const content = (result as { content?: { text?: string }[] }).content;
  return content?.[0]?.text ?? '?';
}

async function sdkDriver(fleet: HttpFleet): Promise<Driver> {
  const clients: Client[] = [];
  for (const id of IDS) clients.push(await connectSdkClient(httpTransport(fleet.url(id))));
  let next = 0;
  let listener: ((at: number) => void) | undefined;
  return {
    call: async () => {
      const at = next++ % clients.length;
      if (IDS[at] === VICTIM) listener?.(performance.now());
      return textOf(await (clients[at] as Client).callTool(WHOAMI));
    },
    onVictimAttempt: (l) => {
      listener = l;
    },
    retries: () => undefined,
    events: () => [],
    close: async () => {
      for (const c of clients) await closeSdkClient(c);
    },
  };
}

async function poolDriver(fleet: HttpFleet, withHealth: boolean): Promise<Driver | undefined> {
  const health = withHealth ? await createPlugin('health checker', HEALTH) : undefined;
  if (withHealth && !health) return undefined;
  const handle = await startPool(
    IDS.map((id) => ({ id, transport: { type: 'streamable-http' as const, url: fleet.url(id) } })),
    { reconnect: RECONNECT },
  );
  if (health) handle.pool.use(health);
  const events: { at: number; event: string }[] = [];
  const note = (event: string) => events.push({ at: performance.now(), event });
  handle.pool.on('server:unhealthy', (e) => {
    if (e.serverId === VICTIM) note(`unhealthy (${e.source}: ${e.reason})`);
  });
  handle.pool.on('server:healthy', (e) => {
    if (e.serverId === VICTIM) note(`healthy (${e.reason})`);
  });
  handle.pool.on('server:disconnected', (e) => {
    if (e.serverId === VICTIM) note(`disconnected (${e.reason})`);
  });
  handle.pool.on('server:connected', (e) => {
    if (e.serverId === VICTIM) note('connected');
  });
  let listener: ((at: number) => void) | undefined;
  handle.pool.on('attempt', (report) => {
    // Traffic only: the health checker's own probes are background attempts.
    if (report.server.id === VICTIM && !report.background) listener?.(performance.now());
  });
  return {
    call: async () => textOf(await handle.client.callTool(WHOAMI)),
    onVictimAttempt: (l) => {
      listener = l;
    },
    retries: () => handle.client.getMetrics().retries,
    events: () => events,
    close: () => handle.close(),
  };
}

async function experiment(
  variant: string,
  settings: string,
  makeDriver: (fleet: HttpFleet) => Promise<Driver | undefined>,
  timing: Timing,
): Promise<VariantResult | undefined> {
  const fleet = await startHttpFleet(IDS.map((id) => ({ id })));
  let driver: Driver | undefined;
  try {
    driver = await makeDriver(fleet);
    if (!driver) return undefined;
    const d = driver;
    const victimAttempts: number[] = [];
    d.onVictimAttempt((at) => victimAttempts.push(at));
    const calls: { start: number; end: number; ok: boolean; by: string }[] = [];
    const errors: string[] = [];
    let killAt = Number.POSITIVE_INFINITY;
    let restartAt = Number.POSITIVE_INFINITY;
    let reusedAt: number | undefined;
    let stop = false;
    const worker = async () => {
      while (!stop && calls.length < MAX_CALLS) {
        const start = performance.now();
        try {
          const by = await d.call();
          const end = performance.now();
          calls.push({ start, end, ok: true, by });
          if (by === VICTIM && start >= restartAt && reusedAt === undefined) reusedAt = end;
        } catch (error) {
          calls.push({ start, end: performance.now(), ok: false, by: '' });
          if (errors.length < 3)
            errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    await sleep(timing.warmMs);
    killAt = performance.now();
    await fleet.kill(VICTIM);
    await sleep(timing.outageMs);
    await fleet.restart(VICTIM);
    restartAt = performance.now();
    const deadline = restartAt + timing.recoveryMaxMs;
    while (reusedAt === undefined && performance.now() < deadline) await sleep(20);
    await sleep(timing.tailMs);
    stop = true;
    await Promise.all(workers);

    const failed = calls.filter((c) => !c.ok);
    const during = calls.filter((c) => c.start >= killAt && c.start < restartAt);
    const duringOutage = victimAttempts.filter((t) => t >= killAt && t < restartAt);
    const excludedAt = d
      .events()
      .find((e) => e.at >= killAt && e.at < restartAt && e.event.startsWith('unhealthy'))?.at;
    const outageLatencies = sorted(during.map((c) => c.end - c.start));
    return {
      variant,
      calls: calls.length,
      failed: failed.length,
      failedDuringOutage: failed.filter((c) => c.start >= killAt && c.start < restartAt).length,
      failedAfterRestart: failed.filter((c) => c.start >= restartAt).length,
      firstErrors: errors,
      callsPerSecondDuringOutage: (during.length * 1000) / (restartAt - killAt),
      attemptsToVictimDuringOutage: duringOutage.length,
      excludedAfterMs: excludedAt === undefined ? undefined : excludedAt - killAt,
      attemptsAfterExclusion:
        excludedAt === undefined ? 0 : duringOutage.filter((t) => t > excludedAt).length,
      outageLatency: {
        p50: quantileSorted(outageLatencies, 0.5),
        p99: quantileSorted(outageLatencies, 0.99),
        max: outageLatencies[outageLatencies.length - 1] ?? Number.NaN,
      },
      reuseAfterRestartMs: reusedAt === undefined ? undefined : reusedAt - restartAt,
      retries: d.retries(),
      events: d.events().map((e) => ({ atMs: Math.round(e.at - killAt), event: e.event })),
      settings,
    };
  } finally {
    await driver?.close();
    await fleet.close();
  }
}

export const failover: Part = {
  id: 'failover',
  title: '5. Failover when a server dies',
  async run(context) {
    const { quick } = context;
    const timing: Timing = quick
      ? { warmMs: 200, outageMs: 1_000, recoveryMaxMs: 2_500, tailMs: 100 }
      : { warmMs: 1_000, outageMs: 4_000, recoveryMaxMs: 8_000, tailMs: 1_000 };
    const results: VariantResult[] = [];
    const skipped: string[] = [];
    const plans: [string, string, (fleet: HttpFleet) => Promise<Driver | undefined>][] = [
      [
        'bare SDK clients, RR by hand',
        'no retries (an application would have to write them)',
        sdkDriver,
      ],
      [
        'MultiServerClient',
        `defaults, reconnect ${JSON.stringify(RECONNECT)}`,
        (fleet) => poolDriver(fleet, false),
      ],
      [
        'MultiServerClient + health checker',
        `reconnect ${JSON.stringify(RECONNECT)}, health ${JSON.stringify(HEALTH)}`,
        (fleet) => poolDriver(fleet, true),
      ],
    ];
    for (const [variant, settings, make] of plans) {
      const result = await experiment(variant, settings, make, timing);
      if (!result) {
        skipped.push(variant);
        continue;
      }
      results.push(result);
      context.log(
        `failover ${variant}: ${result.failed} failed of ${result.calls}, out of selection ${result.excludedAfterMs === undefined ? 'never' : `after ${fmtDuration(result.excludedAfterMs)}`}, reused ${result.reuseAfterRestartMs === undefined ? 'never' : fmtDuration(result.reuseAfterRestartMs)} after restart`,
      );
    }
    const stopped = (r: VariantResult) =>
      r.excludedAfterMs === undefined
        ? `never (${fmtDuration(timing.outageMs)} outage)`
        : `${fmtDuration(r.excludedAfterMs)}${r.attemptsAfterExclusion > 0 ? ` (then ${r.attemptsAfterExclusion} probes)` : ''}`;
    const text = table(
      [
        'client',
        'calls',
        'failed',
        'calls/s down',
        'p50 / p99 down',
        'attempts on dead',
        'out of selection after',
        'serves again after restart',
        'retries',
      ],
      results.map((r) => [
        r.variant,
        fmtInt(r.calls),
        fmtInt(r.failed),
        fmtInt(r.callsPerSecondDuringOutage),
        `${fmtDuration(r.outageLatency.p50)} / ${fmtDuration(r.outageLatency.p99)}`,
        fmtInt(r.attemptsToVictimDuringOutage),
        stopped(r),
        r.reuseAfterRestartMs === undefined
          ? `not within ${fmtDuration(timing.recoveryMaxMs)}`
          : fmtDuration(r.reuseAfterRestartMs),
        r.retries === undefined ? '—' : fmtInt(r.retries),
      ]),
    );
    const poolResults = results.filter((r) => r.variant.startsWith('MultiServerClient'));
    const goals: Goal[] = [
      {
        text: 'zero failed calls through the pool while a server dies and comes back',
        met: quick || poolResults.length === 0 ? null : poolResults.every((r) => r.failed === 0),
        detail: `${poolResults
          .map((r) => `${r.variant}: ${r.failed} failed of ${fmtInt(r.calls)}`)
          .join('; ')}.${quick ? ' Quick mode: a short outage, not judged.' : ''}`,
      },
    ];
    const notes = [
      `Timeline: ${fmtDuration(timing.warmMs)} of load, then the server "${VICTIM}" is killed (listening socket closed, connections destroyed, sessions lost), restarted ${fmtDuration(timing.outageMs)} later on the same port, and load continues until it serves again (at most ${fmtDuration(timing.recoveryMaxMs)}) plus ${fmtDuration(timing.tailMs)}. Load: tools/call "whoami" (readOnly, so safe to retry), concurrency ${CONCURRENCY}.`,
      `The pool's reconnect backoff is set small (${JSON.stringify(RECONNECT)}; default { baseMs: 500, maxMs: 30000 }). Health checker settings are short too (${JSON.stringify(HEALTH)}; defaults: 30 s interval, 30 s first ejection).`,
      '"out of selection after" is the time from the kill until the pool takes the dead server out of selection (its first server:unhealthy event); after that only probes reach it (one when an ejection expires); "never" means calls kept being routed to it for the whole outage, each one failing and, when the retry budget allows, retried elsewhere. "p50 / p99 down" is the latency of calls started during the outage. Retries are the client\'s count over the whole run.',
      ...results.map(
        (r) =>
          `${r.variant}: ${r.events.length > 0 ? `events on ${VICTIM} (ms after kill): ${r.events.map((e) => `${e.atMs} ${e.event}`).join('; ')}` : 'no pool events'}${r.firstErrors.length > 0 ? `; first errors: ${r.firstErrors.join(' | ')}` : ''}.`,
      ),
      ...skipped.map((v) => `${v}: skipped, the plugin is not available.`),
    ];
    return {
      about: `Three Streamable HTTP servers on 127.0.0.1 under steady load; one is killed, then restarted. Failed calls, attempts that still reach the dead server, and time until it serves again, for bare SDK clients and for the pool.`,
      text,
      goals,
      notes,
      data: { timing, concurrency: CONCURRENCY, reconnect: RECONNECT, health: HEALTH, results },
    };
  },
};
