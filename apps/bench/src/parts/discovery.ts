/**
 * Part 7 — discovery: calls/s and failed calls of a pool whose membership
 * changes every second (a watched `mcpServers` file; one replica added or
 * removed each time, drained on removal) beside the same pool with a fixed
 * membership, in the same run; and the time from a published change to the
 * first call the new server answers.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiServerClient, type ServerConfig, ServerPool } from '@mcpool/core';
import { discover, fileSource } from '@mcpool/discovery';
import { startPool, WHOAMI } from '../clients.js';
import type { Goal, Part } from '../report.js';
import { type HttpFleet, startHttpFleet } from '../servers/fleet.js';
import { fmtDuration, fmtInt, fmtRate, table } from '../util/format.js';
import { runLoad, sleep } from '../util/load.js';
import { median, medianCi95, sorted } from '../util/stats.js';

const IDS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'] as const;
const CONCURRENCY = 16;
/** Hard cap on calls per round, so every loop is bounded. */
const MAX_CALLS = 2_000_000;

interface Round {
  fixed: { perSecond: number; failed: number };
  churn: { perSecond: number; failed: number; changes: number; joinMs: number[] };
}

function textOf(result: unknown): string {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text ?? '?';
}

function configs(fleet: HttpFleet, ids: readonly string[]): ServerConfig[] {
  return ids.map((id) => ({ id, transport: { type: 'streamable-http', url: fleet.url(id) } }));
}

async function fixedRound(fleet: HttpFleet, ms: number): Promise<Round['fixed']> {
  const handle = await startPool(configs(fleet, IDS.slice(0, 3)));
  try {
    const r = await runLoad(() => handle.client.callTool(WHOAMI), {
      total: MAX_CALLS,
      concurrency: CONCURRENCY,
      maxMs: ms,
    });
    return { perSecond: (r.calls / r.elapsedMs) * 1000, failed: r.failures };
  } finally {
    await handle.close();
  }
}

async function churnRound(fleet: HttpFleet, ms: number, dir: string): Promise<Round['churn']> {
  const file = join(dir, 'servers.json');
  const publish = async (ids: readonly string[]) => {
    const doc = { mcpServers: Object.fromEntries(ids.map((id) => [id, { url: fleet.url(id) }])) };
    await writeFile(`${file}.tmp`, JSON.stringify(doc));
    await rename(`${file}.tmp`, file);
  };
  let members: string[] = IDS.slice(0, 3);
  await publish(members);
  const pool = new ServerPool({ connectionTimeout: 10_000 });
  const d = discover(pool, fileSource(file, { debounce: 10 }), { settle: 0 });
  const client = new MultiServerClient(pool);
  // id → when it was published; cleared by the first call it answers.
  const waiting = new Map<string, number>();
  const joinMs: number[] = [];
  let changes = 0;
  let stop = false;
  try {
    await d.ready(AbortSignal.timeout(10_000));
    await pool.start();
    await pool.ready();
    // Up to six, down to two, one replica a second: every change is one add or one drain.
    const changer = (async () => {
      for (let step = 0; !stop; step++) {
        await sleep(1_000);
        if (stop) break;
        const growing = Math.floor(step / 4) % 2 === 0;
        if (growing && members.length < IDS.length) {
          const id = IDS.find((i) => !members.includes(i)) as string;
          members = [...members, id];
          waiting.set(id, performance.now());
        } else if (members.length > 2) {
          members = members.slice(1);
        }
        await publish(members);
        changes++;
      }
    })();
    const r = await runLoad(
      async () => {
        const id = textOf(await client.callTool(WHOAMI));
        const since = waiting.get(id);
        if (since !== undefined) {
          waiting.delete(id);
          joinMs.push(performance.now() - since);
        }
      },
      { total: MAX_CALLS, concurrency: CONCURRENCY, maxMs: ms },
    );
    stop = true;
    await changer;
    return { perSecond: (r.calls / r.elapsedMs) * 1000, failed: r.failures, changes, joinMs };
  } finally {
    stop = true;
    await d.stop();
    await client.close();
    await pool.close();
  }
}

export const discovery: Part = {
  id: 'discovery',
  title: 'Discovery: a pool that follows replicas coming and going',
  async run(ctx) {
    const rounds = ctx.quick ? 1 : 5;
    const ms = ctx.quick ? 3_000 : 12_000;
    const fleet = await startHttpFleet(IDS.map((id) => ({ id })));
    const dir = await mkdtemp(join(tmpdir(), 'mcpool-bench-discovery-'));
    const results: Round[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        ctx.log(`discovery: round ${i + 1}/${rounds}`);
        // Alternate the order, so neither variant always runs on a warmer process.
        const fixed = i % 2 === 0 ? await fixedRound(fleet, ms) : undefined;
        const churn = await churnRound(fleet, ms, dir);
        results.push({ fixed: fixed ?? (await fixedRound(fleet, ms)), churn });
      }
    } finally {
      await fleet.close();
      await rm(dir, { recursive: true, force: true });
    }
    const ratios = results.map((r) => r.churn.perSecond / r.fixed.perSecond);
    // An order-statistics interval needs six rounds or more; fewer show their range.
    const ci = ratios.length >= 6 ? medianCi95(ratios) : undefined;
    const failed = results.reduce((n, r) => n + r.churn.failed + r.fixed.failed, 0);
    const joins = sorted(results.flatMap((r) => r.churn.joinMs));
    const rows = results.map((r, i) => [
      `round ${i + 1}`,
      fmtRate(r.fixed.perSecond),
      fmtRate(r.churn.perSecond),
      (r.churn.perSecond / r.fixed.perSecond).toFixed(2),
      fmtInt(r.churn.changes),
      fmtInt(r.fixed.failed + r.churn.failed),
    ]);
    const text = [
      table(['', 'fixed pool', 'changing pool', 'ratio', 'changes', 'failed'], rows),
      '',
      `median ratio ${median(ratios).toFixed(2)}${ci ? ` (95% CI ${ci.lo.toFixed(2)}–${ci.hi.toFixed(2)})` : ` (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${ratios.length} rounds)`}`,
      joins.length > 0
        ? `published → first call served by the new server: median ${fmtDuration(median(joins))}, max ${fmtDuration(joins.at(-1) ?? 0)} (${joins.length} joins)`
        : 'no server joined during the rounds',
    ].join('\n');
    const goals: Goal[] = [
      {
        text: 'no call fails while replicas are added and removed every second',
        met: failed === 0,
        detail: `${failed} failed calls over ${rounds} round(s)`,
      },
    ];
    return {
      about: `${CONCURRENCY} concurrent whoami calls for ${fmtDuration(ms)} per round against Streamable HTTP servers on 127.0.0.1: a pool of three fixed servers, and a pool that @mcpool/discovery keeps in step with a watched mcpServers file to which one replica is added or from which one is removed (and drained) every second, between two and six. ${rounds} round(s), the ratio is changing/fixed calls per second.`,
      text,
      goals,
      notes: ctx.quick ? ['quick mode: one short round, figures are rough'] : [],
      data: { rounds: results, ratios, joinMs: joins },
    };
  },
};
