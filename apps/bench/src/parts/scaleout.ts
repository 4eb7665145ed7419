/**
 * Part 2 — scale-out: calls per second over 1, 2, 4 and 8 Streamable HTTP
 * servers through one pool with its default balancer, against the same number
 * of bare SDK clients driven round robin by hand.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ADD, closeSdkClient, connectSdkClient, httpTransport, startPool } from '../clients.js';
import type { Goal, Part } from '../report.js';
import { startHttpFleet } from '../servers/fleet.js';
import { fmtDuration, fmtPct, fmtRate, table } from '../util/format.js';
import { rotate, runLoad } from '../util/load.js';
import { type Summary, summarize } from '../util/stats.js';

type Variant = 'sdk' | 'pool';

interface Row {
  servers: number;
  rounds: number;
  callsPerRound: number;
  callsPerSecond: Record<Variant, Summary>;
  /** Client-process CPU per call, µs. */
  cpuUs: Record<Variant, Summary>;
  /** Per-round pool / hand-rolled throughput. */
  ratio: Summary;
  /** Share of calls each server answered through the pool (balance check). */
  poolShare: number[];
}

const COUNTS = [1, 2, 4, 8] as const;
const CONCURRENCY = 32;
const GOAL = 0.9;

export const scaleout: Part = {
  id: 'scaleout',
  title: '2. Scale-out over HTTP servers',
  async run(context) {
    const { quick } = context;
    const rounds = quick ? 2 : 7;
    const callsPerRound = quick ? 64 : 800;
    const ids = Array.from({ length: 8 }, (_, i) => `s${i + 1}`);
    const fleet = await startHttpFleet(ids.map((id) => ({ id })));
    const rows: Row[] = [];
    try {
      for (const n of COUNTS) {
        const chosen = ids.slice(0, n);
        const clients: Client[] = [];
        const handle = await startPool(
          chosen.map((id) => ({
            id,
            transport: { type: 'streamable-http' as const, url: fleet.url(id) },
          })),
        );
        try {
          for (const id of chosen)
            clients.push(await connectSdkClient(httpTransport(fleet.url(id))));
          let next = 0;
          const calls: Record<Variant, () => Promise<unknown>> = {
            // Round robin by hand: what an application without mcpool would write.
            sdk: () => {
              const client = clients[next++ % clients.length] as Client;
              return client.callTool(ADD);
            },
            pool: () => handle.client.callTool(ADD),
          };
          for (const v of ['sdk', 'pool'] as const) {
            await runLoad(calls[v], { total: callsPerRound / 2, concurrency: CONCURRENCY });
          }
          const rates: Record<Variant, number[]> = { sdk: [], pool: [] };
          const cpu: Record<Variant, number[]> = { sdk: [], pool: [] };
          const poolCalls = new Map<string, number>();
          for (let r = 0; r < rounds; r++) {
            for (const v of rotate(['sdk', 'pool'] as const, r)) {
              const start = v === 'pool' ? await fleet.counts() : undefined;
              const result = await runLoad(calls[v], {
                total: callsPerRound,
                concurrency: CONCURRENCY,
              });
              if (result.failures > 0) {
                throw new Error(
                  `${n} servers, ${v}: ${result.failures} calls failed (${result.errors[0]})`,
                );
              }
              rates[v].push((result.calls * 1000) / result.elapsedMs);
              cpu[v].push((result.cpuMs * 1000) / result.calls);
              if (start) {
                const end = await fleet.counts();
                for (const id of chosen) {
                  const served = (end.counts[id] ?? 0) - (start.counts[id] ?? 0);
                  poolCalls.set(id, (poolCalls.get(id) ?? 0) + served);
                }
              }
            }
          }
          const total = [...poolCalls.values()].reduce((a, b) => a + b, 0);
          const row: Row = {
            servers: n,
            rounds,
            callsPerRound,
            callsPerSecond: { sdk: summarize(rates.sdk), pool: summarize(rates.pool) },
            cpuUs: { sdk: summarize(cpu.sdk), pool: summarize(cpu.pool) },
            ratio: summarize(rates.pool.map((p, i) => p / (rates.sdk[i] as number))),
            poolShare: chosen.map((id) => (total === 0 ? 0 : (poolCalls.get(id) ?? 0) / total)),
          };
          rows.push(row);
          context.log(
            `scaleout ${n}: sdk ${fmtRate(row.callsPerSecond.sdk.median)}, pool ${fmtRate(row.callsPerSecond.pool.median)} (${fmtPct(row.ratio.median)})`,
          );
        } finally {
          for (const c of clients) await closeSdkClient(c);
          await handle.close();
        }
      }
    } finally {
      await fleet.close();
    }
    const text = table(
      [
        'servers',
        'bare SDK, RR by hand',
        'MultiServerClient',
        'pool vs hand',
        'IQR of ratio',
        'client CPU/call (SDK / pool)',
        'pool share per server',
      ],
      rows.map((r) => [
        String(r.servers),
        fmtRate(r.callsPerSecond.sdk.median),
        fmtRate(r.callsPerSecond.pool.median),
        fmtPct(r.ratio.median),
        `${fmtPct(r.ratio.p25)} … ${fmtPct(r.ratio.p75)}`,
        `${fmtDuration(r.cpuUs.sdk.median / 1000)} / ${fmtDuration(r.cpuUs.pool.median / 1000)}`,
        r.poolShare.map((s) => `${(s * 100).toFixed(0)}%`).join(' '),
      ]),
    );
    const goals: Goal[] = [
      {
        text: 'pool throughput within 10% of hand-driven bare SDK clients at every server count',
        met: quick ? null : rows.every((r) => r.ratio.median >= GOAL),
        detail: `${rows.map((r) => `${r.servers}: ${fmtPct(r.ratio.median)}`).join(', ')}.${quick ? ' Quick mode: counts too small to judge.' : ''}`,
      },
    ];
    return {
      about: `Calls per second (tools/call "add", closed loop, concurrency ${CONCURRENCY}) through one MultiServerClient with the pool's default balancer, against as many bare SDK clients picked round robin by hand. Medians over ${rounds} interleaved rounds of ${callsPerRound} calls.`,
      text,
      goals,
      notes: [
        'All servers run in one child process and the client in this one, on a machine with few cores: absolute calls/s cannot grow with the number of servers here. The figure that matters is the pool beside the hand-rolled baseline at each count.',
        'Pool share per server is counted by the servers themselves (tools/call received), over the measured rounds.',
      ],
      data: { concurrency: CONCURRENCY, rows },
    };
  },
};
