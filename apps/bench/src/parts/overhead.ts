// Over 350 lines: the three setups, both transports, both concurrencies and the
// hand-written references are measured in the same interleaved rounds.
/**
 * Part 1 — what the pool costs per call: `MultiServerClient` over one server
 * against a bare SDK `Client` on the same server, at concurrency 1 and 32,
 * over InMemoryTransport and over Streamable HTTP on 127.0.0.1; and the same
 * pool with every available plugin switched on.
 */
import type { ServerConfig } from '@mcpool/core';
import { startInProcessServer } from '@mcpool/testkit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import CircuitBreaker from 'opossum';
import { ADD, closeSdkClient, connectSdkClient, httpTransport, startPool } from '../clients.js';
import type { Context, Goal, Part } from '../report.js';
import { startHttpFleet } from '../servers/fleet.js';
import { installStack, stackStatus } from '../stack.js';
import { fmtDuration, fmtPct, table } from '../util/format.js';
import { rotate, runLoad } from '../util/load.js';
import { medianCi95, type Summary, summarize } from '../util/stats.js';

type Variant = 'sdk' | 'pool' | 'stack';
const VARIANTS: readonly Variant[] = ['sdk', 'pool', 'stack'];

interface Target {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

interface Cell {
  transport: 'memory' | 'http';
  concurrency: number;
  callsPerRound: number;
  rounds: number;
  /**
   * At concurrency 1 only: mean latency per call, µs, over rounds, with the
   * three setups' calls interleaved. (At 32, calls in flight queue at the one
   * server, so latency there measures the queue, not the client.)
   */
  latencyUs?: Record<Variant, Summary>;
  /** Per-round ratio of interleaved mean latencies to the bare SDK client's, over rounds. */
  latencyRatio?: Record<Exclude<Variant, 'sdk'>, Summary>;
  /** The ratio the goals are judged on: interleaved latency at concurrency 1, wall time per call (throughput) at 32. */
  goalRatio: Record<Exclude<Variant, 'sdk'>, Summary>;
  /** 95% confidence interval of the goal ratio's median (distribution-free). */
  goalCi: Record<Exclude<Variant, 'sdk'>, { lo: number; hi: number }>;
  /**
   * Per-round difference to the bare SDK client, µs per call, of the same
   * figure as the goal ratio (interleaved latency at 1, wall time at 32): what
   * the in-memory goal is judged on.
   */
  addedUs: Record<Exclude<Variant, 'sdk'>, Summary>;
  /** 95% confidence interval of the median difference (distribution-free). */
  addedCi: Record<Exclude<Variant, 'sdk'>, { lo: number; hi: number }>;
  /** Wall time per call, µs, over rounds. */
  wallUs: Record<Variant, Summary>;
  /** Client-process CPU per call, µs, over rounds. */
  cpuUs: Record<Variant, Summary>;
  /** Per-round ratio to the bare SDK client (wall time per call, setups one after another), over rounds. */
  ratio: Record<Exclude<Variant, 'sdk'>, Summary>;
  cpuRatio: Record<Exclude<Variant, 'sdk'>, Summary>;
}

/** Over HTTP: at most 2% more per call than a bare SDK client. */
const HTTP_GOAL = 1.02;
/** In memory: at most 2 µs more per call than a bare SDK client. */
const MEMORY_GOAL_US = 2;

async function sdkTarget(client: Client): Promise<Target> {
  return {
    call: () => client.callTool(ADD),
    close: () => closeSdkClient(client),
  };
}

async function poolTarget(server: ServerConfig, withStack: boolean): Promise<Target> {
  const handle = await startPool(
    [server],
    {},
    // One server: nowhere to retry; the defaults otherwise.
    {},
  );
  if (withStack) await installStack(handle.pool);
  return { call: () => handle.client.callTool(ADD), close: () => handle.close() };
}

async function checkAnswer(target: Target, label: string): Promise<void> {
  const result = (await target.call()) as { content?: { text?: string }[] };
  if (result.content?.[0]?.text !== '5') {
    throw new Error(`${label}: add(2, 3) answered ${JSON.stringify(result)}`);
  }
}

/**
 * Runs `perVariant` calls of each setup with their calls interleaved: call i
 * goes to setup (i + offset) mod 3, so at any moment the three share the
 * machine alike (at concurrency 32, a third of the calls in flight are each
 * setup's). Returns each setup's mean latency per call, µs.
 */
async function interleaved(
  targets: Record<Variant, Target>,
  perVariant: number,
  concurrency: number,
  offset: number,
): Promise<Record<Variant, number>> {
  const sum: Record<Variant, number> = { sdk: 0, pool: 0, stack: 0 };
  const count: Record<Variant, number> = { sdk: 0, pool: 0, stack: 0 };
  const result = await runLoad(
    async (i) => {
      const v = VARIANTS[(i + offset) % VARIANTS.length] as Variant;
      const started = performance.now();
      await targets[v].call();
      sum[v] += performance.now() - started;
      count[v]++;
    },
    { total: perVariant * VARIANTS.length, concurrency },
  );
  if (result.failures > 0) {
    throw new Error(`interleaved: ${result.failures} calls failed (${result.errors[0]})`);
  }
  return {
    sdk: (sum.sdk * 1000) / count.sdk,
    pool: (sum.pool * 1000) / count.pool,
    stack: (sum.stack * 1000) / count.stack,
  };
}

async function measureCell(
  context: Context,
  transport: Cell['transport'],
  concurrency: number,
  targets: Record<Variant, Target>,
  callsPerRound: number,
  rounds: number,
): Promise<Cell> {
  const wall: Record<Variant, number[]> = { sdk: [], pool: [], stack: [] };
  const cpu: Record<Variant, number[]> = { sdk: [], pool: [], stack: [] };
  // Warm-up: JIT, connection pools, lazily built schemas.
  for (const v of VARIANTS) {
    await runLoad(() => targets[v].call(), {
      total: Math.ceil(callsPerRound / 2),
      concurrency,
    });
  }
  const latency: Record<Variant, number[]> = { sdk: [], pool: [], stack: [] };
  for (let r = 0; r < rounds; r++) {
    // Interleaved: the three setups' calls alternate, so they meet the same disturbances.
    if (concurrency === 1) {
      const means = await interleaved(targets, callsPerRound, concurrency, r);
      for (const v of VARIANTS) latency[v].push(means[v]);
    }
    // One after another, for throughput and CPU per call; each round starts
    // with a different setup, so drift in the machine's load is shared.
    for (const v of rotate(VARIANTS, r)) {
      const result = await runLoad(() => targets[v].call(), { total: callsPerRound, concurrency });
      if (result.failures > 0) {
        throw new Error(
          `${transport} c=${concurrency} ${v}: ${result.failures} calls failed (${result.errors[0]})`,
        );
      }
      wall[v].push((result.elapsedMs * 1000) / result.calls);
      cpu[v].push((result.cpuMs * 1000) / result.calls);
    }
  }
  const perRound = (v: Variant, of: Record<Variant, number[]>) =>
    of[v].map((x, i) => x / (of.sdk[i] as number));
  const ratios = (v: Variant, of: Record<Variant, number[]>) => summarize(perRound(v, of));
  const ci = (v: Variant, of: Record<Variant, number[]>) => medianCi95(perRound(v, of));
  const goalOf = concurrency === 1 ? latency : wall;
  const added = (v: Variant) => goalOf[v].map((x, i) => x - (goalOf.sdk[i] as number));
  context.log(
    `overhead ${transport} c=${concurrency}: sdk ${fmtDuration(summarize(goalOf.sdk).median / 1000)}, pool ${fmtPct(ratios('pool', goalOf).median)} (${fmtUs(summarize(added('pool')).median)}), stack ${fmtPct(ratios('stack', goalOf).median)} (${fmtUs(summarize(added('stack')).median)})`,
  );
  const cell: Cell = {
    transport,
    concurrency,
    callsPerRound,
    rounds,
    goalRatio: { pool: ratios('pool', goalOf), stack: ratios('stack', goalOf) },
    goalCi: { pool: ci('pool', goalOf), stack: ci('stack', goalOf) },
    addedUs: { pool: summarize(added('pool')), stack: summarize(added('stack')) },
    addedCi: { pool: medianCi95(added('pool')), stack: medianCi95(added('stack')) },
    wallUs: { sdk: summarize(wall.sdk), pool: summarize(wall.pool), stack: summarize(wall.stack) },
    cpuUs: { sdk: summarize(cpu.sdk), pool: summarize(cpu.pool), stack: summarize(cpu.stack) },
    ratio: { pool: ratios('pool', wall), stack: ratios('stack', wall) },
    cpuRatio: { pool: ratios('pool', cpu), stack: ratios('stack', cpu) },
  };
  if (concurrency === 1) {
    cell.latencyUs = {
      sdk: summarize(latency.sdk),
      pool: summarize(latency.pool),
      stack: summarize(latency.stack),
    };
    cell.latencyRatio = { pool: ratios('pool', latency), stack: ratios('stack', latency) };
  }
  return cell;
}

/** A confidence interval of a ratio, or nothing when there were too few rounds for one. */
function ciText(ci: { lo: number; hi: number }): string {
  return Number.isNaN(ci.lo) ? '' : `${fmtPct(ci.lo)} … ${fmtPct(ci.hi)}`;
}

/** Microseconds added per call, signed. */
function fmtUs(us: number): string {
  const abs = Math.abs(us);
  const size = abs >= 1000 ? `${(abs / 1000).toFixed(2)} ms` : `${abs.toFixed(2)} µs`;
  return `${us >= 0 ? '+' : '−'}${size}`;
}

/** A confidence interval of a difference in µs, or nothing when there were too few rounds for one. */
function usCiText(ci: { lo: number; hi: number }): string {
  return Number.isNaN(ci.lo) ? '' : `${fmtUs(ci.lo)} … ${fmtUs(ci.hi)}`;
}

/** Per-call cost of one feature written by hand around a bare SDK client, beside the bare call. */
interface Reference {
  name: string;
  us: Summary;
  ratio: Summary;
  ci: { lo: number; hi: number };
  /** Per-round difference to the bare call, µs. */
  addedUs: Summary;
  addedCi: { lo: number; hi: number };
}

/**
 * The scale for the in-memory figures: what a deadline with cancellation, or
 * one circuit breaker, costs when written by hand around the same bare SDK
 * client, measured in turn with it (rotating order, c=1) in the same run.
 */
async function references(client: Client, calls: number, rounds: number): Promise<Reference[]> {
  const breaker = new CircuitBreaker((run: () => Promise<unknown>) => run(), {
    timeout: false,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
  const setups: [string, () => Promise<unknown>][] = [
    ['bare SDK Client', () => client.callTool(ADD)],
    [
      'bare SDK + own AbortController and timer per call (deadline, cancellation)',
      async () => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 60_000);
        try {
          return await client.callTool(ADD, undefined, { signal: controller.signal });
        } finally {
          clearTimeout(timer);
        }
      },
    ],
    ['bare SDK inside one opossum breaker', () => breaker.fire(() => client.callTool(ADD))],
  ];
  const us: number[][] = setups.map(() => []);
  try {
    for (const [, call] of setups) await runLoad(call, { total: calls, concurrency: 1 });
    for (let r = 0; r < rounds; r++) {
      for (const i of rotate(
        setups.map((_, k) => k),
        r,
      )) {
        const result = await runLoad((setups[i] as [string, () => Promise<unknown>])[1], {
          total: calls,
          concurrency: 1,
        });
        if (result.failures > 0) throw new Error(`reference: ${result.errors[0]}`);
        (us[i] as number[]).push((result.elapsedMs * 1000) / result.calls);
      }
    }
  } finally {
    breaker.shutdown();
  }
  const base = us[0] as number[];
  return setups.map(([name], i) => {
    const perRound = (us[i] as number[]).map((x, k) => x / (base[k] as number));
    const added = (us[i] as number[]).map((x, k) => x - (base[k] as number));
    return {
      name,
      us: summarize(us[i] as number[]),
      ratio: summarize(perRound),
      ci: medianCi95(perRound),
      addedUs: summarize(added),
      addedCi: medianCi95(added),
    };
  });
}

export const overhead: Part = {
  id: 'overhead',
  title: '1. Overhead of the pool per call',
  async run(context) {
    const { quick } = context;
    const plugins = await stackStatus();
    const on = plugins.filter((p) => p.on).map((p) => p.name);
    const stackLabel = on.length > 0 ? `pool + ${on.join(' + ')}` : 'pool + (no plugin built)';
    // Many short rounds rather than a few long ones: on a noisy machine, finer
    // interleaving lets the three setups share the same disturbances.
    const plan = {
      memory: { 1: quick ? 150 : 2000, 32: quick ? 300 : 4000, rounds: quick ? 3 : 25 },
      http: { 1: quick ? 24 : 100, 32: quick ? 64 : 200, rounds: quick ? 3 : 100 },
    } as const;
    const cells: Cell[] = [];
    let refs: Reference[] = [];

    // InMemoryTransport: server and client share this process.
    {
      const server = startInProcessServer({ id: 'mem' });
      const config: ServerConfig = { id: 'mem', transport: server.transport };
      const sdkClient = await connectSdkClient(await server.transport.create());
      const targets: Record<Variant, Target> = {
        sdk: await sdkTarget(sdkClient),
        pool: await poolTarget(config, false),
        stack: await poolTarget(config, true),
      };
      try {
        for (const v of VARIANTS) await checkAnswer(targets[v], `memory ${v}`);
        for (const c of [1, 32] as const) {
          cells.push(
            await measureCell(context, 'memory', c, targets, plan.memory[c], plan.memory.rounds),
          );
        }
        refs = await references(sdkClient, plan.memory[1], plan.memory.rounds);
      } finally {
        for (const v of VARIANTS) await targets[v].close();
        await server.close();
      }
    }

    // Streamable HTTP: the server runs in a child process, on 127.0.0.1.
    {
      const fleet = await startHttpFleet([{ id: 'http' }]);
      const url = fleet.url('http');
      const config: ServerConfig = { id: 'http', transport: { type: 'streamable-http', url } };
      const targets: Partial<Record<Variant, Target>> = {};
      try {
        targets.sdk = await sdkTarget(await connectSdkClient(httpTransport(url)));
        targets.pool = await poolTarget(config, false);
        targets.stack = await poolTarget(config, true);
        const all = targets as Record<Variant, Target>;
        for (const v of VARIANTS) await checkAnswer(all[v], `http ${v}`);
        for (const c of [1, 32] as const) {
          cells.push(await measureCell(context, 'http', c, all, plan.http[c], plan.http.rounds));
        }
      } finally {
        for (const v of VARIANTS) await targets[v]?.close();
        await fleet.close();
      }
    }

    const rows = cells.flatMap((cell) => {
      const label = `${cell.transport === 'memory' ? 'in-memory' : 'HTTP'}, c=${cell.concurrency}`;
      const vs = (v: Variant, of: Record<Exclude<Variant, 'sdk'>, Summary> | undefined) =>
        !of ? '—' : v === 'sdk' ? 'baseline' : fmtPct(of[v].median);
      const range = (v: Variant, of: Cell['goalCi']) => (v === 'sdk' ? '' : ciText(of[v]));
      const addedText = (v: Variant) =>
        v === 'sdk'
          ? ''
          : `${fmtUs(cell.addedUs[v].median)}${Number.isNaN(cell.addedCi[v].lo) ? '' : ` (${usCiText(cell.addedCi[v])})`}`;
      const row = (name: string, v: Variant) => [
        `${label}: ${name}`,
        cell.latencyUs ? fmtDuration(cell.latencyUs[v].median / 1000) : '—',
        vs(v, cell.latencyRatio),
        fmtDuration(cell.wallUs[v].median / 1000),
        vs(v, cell.ratio),
        range(v, cell.goalCi),
        addedText(v),
        fmtDuration(cell.cpuUs[v].median / 1000),
        vs(v, cell.cpuRatio),
      ];
      return [
        row('bare SDK Client', 'sdk'),
        row('MultiServerClient', 'pool'),
        row(stackLabel, 'stack'),
      ];
    });
    const mainTable = table(
      [
        'setup',
        'latency (interleaved)',
        'vs SDK',
        'wall/call (in turn)',
        'vs SDK',
        'goal ratio, 95% CI',
        'added per call (95% CI)',
        'client CPU/call',
        'vs SDK',
      ],
      rows,
    );
    const refTable = table(
      [
        'in-memory, c=1, by hand around the bare SDK Client',
        'wall/call',
        'vs SDK',
        '95% CI',
        'added per call (95% CI)',
      ],
      refs.map((r, i) => [
        r.name,
        fmtDuration(r.us.median / 1000),
        i === 0 ? 'baseline' : fmtPct(r.ratio.median),
        i === 0 ? '' : ciText(r.ci),
        i === 0
          ? ''
          : `${fmtUs(r.addedUs.median)}${Number.isNaN(r.addedCi.lo) ? '' : ` (${usCiText(r.addedCi)})`}`,
      ]),
    );
    const text = refs.length > 0 ? `${mainTable}\n\n${refTable}` : mainTable;

    type Judged = { c: Cell; r: number; ci: { lo: number; hi: number } };
    const ratioOf = (v: Exclude<Variant, 'sdk'>): Judged[] =>
      cells.map((c) => ({ c, r: c.goalRatio[v].median, ci: c.goalCi[v] }));
    const addedOf = (v: Exclude<Variant, 'sdk'>): Judged[] =>
      cells.map((c) => ({ c, r: c.addedUs[v].median, ci: c.addedCi[v] }));
    const describe = (list: Judged[], fmt: (x: number) => string) =>
      list
        .map(
          ({ c, r, ci }) =>
            `${c.transport} c=${c.concurrency} ${fmt(r)}${Number.isNaN(ci.lo) ? '' : ` (95% CI ${fmt(ci.lo)} … ${fmt(ci.hi)})`}`,
        )
        .join(', ');
    const fullStack = plugins.every((p) => p.on);
    const missing = fullStack
      ? ''
      : ` Not every plugin was available (${plugins
          .filter((p) => !p.on)
          .map((p) => `${p.name}: ${p.detail}`)
          .join('; ')}), so this is not yet the whole stack.`;
    const judged = quick ? ' Quick mode: counts too small to judge.' : '';
    const over = (t: Cell['transport'], list: Judged[]) =>
      list.filter(({ c }) => c.transport === t);
    const how =
      'median of per-round ratios; at concurrency 1 the mean latency with the setups’ calls interleaved, at 32 the wall time per call';
    const howUs =
      'median of per-round differences, µs per call; at concurrency 1 the mean latency with the setups’ calls interleaved, at 32 the wall time per call';
    // The scale: single features written by hand around the bare SDK client, in the same run.
    const byHand = refs
      .slice(1)
      .map((r) => `${r.name}: ${fmtUs(r.addedUs.median)}`)
      .join('; ');
    const scale = byHand ? ` For scale, by hand around the bare SDK client: ${byHand}.` : '';
    const goals: Goal[] = [
      {
        text: `over Streamable HTTP on 127.0.0.1, the full stack adds at most 2% per call over a bare SDK client (${how})`,
        met: quick ? null : over('http', ratioOf('stack')).every(({ r }) => r <= HTTP_GOAL),
        detail: `${stackLabel}: ${describe(over('http', ratioOf('stack')), fmtPct)}.${missing}${judged}`,
      },
      {
        text: 'over Streamable HTTP, the core pool alone adds at most 2% per call',
        met: quick ? null : over('http', ratioOf('pool')).every(({ r }) => r <= HTTP_GOAL),
        detail: `MultiServerClient: ${describe(over('http', ratioOf('pool')), fmtPct)}.${judged}`,
      },
      {
        text: `in memory (InMemoryTransport), the full stack adds at most ${MEMORY_GOAL_US} µs per call over a bare SDK client at concurrency 1 and 32 (${howUs})`,
        met: quick ? null : over('memory', addedOf('stack')).every(({ r }) => r <= MEMORY_GOAL_US),
        detail: `${stackLabel}: ${describe(over('memory', addedOf('stack')), fmtUs)}.${missing}${quick ? judged : scale}`,
      },
      {
        text: `in memory, the core pool alone adds at most ${MEMORY_GOAL_US} µs per call`,
        met: quick ? null : over('memory', addedOf('pool')).every(({ r }) => r <= MEMORY_GOAL_US),
        detail: `MultiServerClient: ${describe(over('memory', addedOf('pool')), fmtUs)}.${judged}`,
      },
    ];
    const notes = [
      'Each round runs the same number of calls through each setup one after another, in a rotating order (wall time per call, which is throughput, and client CPU per call); at concurrency 1 it first runs them interleaved (call i goes to setup i mod 3, so the three meet the same disturbances), which gives the latency the goal is judged on there. At concurrency 32 the goal is judged on wall time per call: latency there is mostly the queue at the one server. Ratios and differences are taken per round; their median is reported, with a distribution-free 95% confidence interval for it (order statistics of the per-round values). In memory the goal is absolute (µs added per call): a bare call there is tens of µs, so a percentage would judge the machine as much as the pool.',
      'The bare SDK client lists tools once after connecting, as the pool does, so both validate structuredContent against the tool output schema.',
      'Client CPU is process.cpuUsage() over the timed window. Over HTTP the server runs in a child process, so it is the client alone; in memory it includes the in-process server.',
      `Plugins: ${plugins.map((p) => `${p.name} ${p.on ? `on (${p.detail})` : `off — ${p.detail}`}`).join('; ')}.`,
    ];
    return {
      about:
        'Per-call cost of MultiServerClient over one server vs a bare SDK Client on the same server (tools/call "add"), closed loop at concurrency 1 and 32.',
      text,
      goals,
      notes,
      data: { plugins, stackLabel, cells, references: refs },
    };
  },
};
