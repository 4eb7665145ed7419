/**
 * Part — what each protocol era costs per call through the pool: one v2 dual-era server over
 * Streamable HTTP on 127.0.0.1, reached four ways with their calls interleaved at concurrency 1:
 * a bare v1 SDK client (legacy era) and the pool's legacy connection to it, a bare v2 client
 * pinned to 2026-07-28 and the pool's modern connection (`@mcpool/connector-modern`). Each pool
 * path is judged against the bare client of its own era.
 */
import { modernConnector } from '@mcpool/connector-modern';
import { startV2HttpServer } from '@mcpool/testkit';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2HttpTransport,
} from '@modelcontextprotocol/client';
import { ADD, closeSdkClient, connectSdkClient, httpTransport, startPool } from '../clients.js';
import type { Context, Goal, Part } from '../report.js';
import { fmtDuration, fmtPct, table } from '../util/format.js';
import { runLoad } from '../util/load.js';
import { medianCi95, type Summary, summarize } from '../util/stats.js';

type Variant = 'v1' | 'legacy' | 'v2' | 'modern';
const VARIANTS: readonly Variant[] = ['v1', 'legacy', 'v2', 'modern'];
const LABEL: Record<Variant, string> = {
  v1: 'bare v1 client (legacy era)',
  legacy: 'pool, legacy connection',
  v2: 'bare v2 client (2026-07-28)',
  modern: 'pool, modern connection',
};
/** Each pool path against the bare client of its era. */
const PAIRS = [
  ['legacy', 'v1'],
  ['modern', 'v2'],
] as const;
const GOAL = 1.02;

interface Target {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

async function targets(url: string): Promise<Record<Variant, Target>> {
  const v1 = await connectSdkClient(httpTransport(url), 'bench-eras-v1');
  const v2 = new V2Client(
    { name: 'bench-eras-v2', version: '0.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await v2.connect(new V2HttpTransport(new URL(url)));
  await v2.listTools(); // as the pool does: results are validated against the output schema
  const server = { id: 'dual', transport: { type: 'streamable-http' as const, url } };
  const legacy = await startPool([{ ...server, protocol: 'legacy' }]);
  const modern = await startPool([{ ...server, protocol: '2026-07-28' }], {
    connectors: [modernConnector()],
  });
  return {
    v1: { call: () => v1.callTool(ADD), close: () => closeSdkClient(v1) },
    legacy: { call: () => legacy.client.callTool(ADD), close: () => legacy.close() },
    v2: { call: () => v2.callTool(ADD), close: () => v2.close() },
    modern: { call: () => modern.client.callTool(ADD), close: () => modern.close() },
  };
}

/** One round: `perVariant` calls of each, interleaved; mean latency per call, µs. */
async function round(
  all: Record<Variant, Target>,
  perVariant: number,
  offset: number,
): Promise<Record<Variant, number>> {
  const sum: Record<Variant, number> = { v1: 0, legacy: 0, v2: 0, modern: 0 };
  const result = await runLoad(
    async (i) => {
      const v = VARIANTS[(i + offset) % VARIANTS.length] as Variant;
      const started = performance.now();
      await all[v].call();
      sum[v] += performance.now() - started;
    },
    { total: perVariant * VARIANTS.length, concurrency: 1 },
  );
  if (result.failures > 0)
    throw new Error(`eras: ${result.failures} calls failed (${result.errors[0]})`);
  const out = { ...sum };
  for (const v of VARIANTS) out[v] = (sum[v] * 1000) / perVariant;
  return out;
}

export const eras: Part = {
  id: 'eras',
  title: 'Protocol eras: a legacy and a modern connection through the pool',
  async run(context: Context) {
    const rounds = context.quick ? 6 : 20;
    const perVariant = context.quick ? 30 : 200;
    const server = await startV2HttpServer({ id: 'dual' });
    const all = await targets(server.url);
    try {
      for (const v of VARIANTS) {
        const answer = (await all[v].call()) as { content?: { text?: string }[] };
        if (answer.content?.[0]?.text !== '5')
          throw new Error(`${v}: add(2, 3) answered ${JSON.stringify(answer)}`);
      }
      await round(all, Math.ceil(perVariant / 2), 0); // warm-up
      const latency: Record<Variant, number[]> = { v1: [], legacy: [], v2: [], modern: [] };
      const ratios: Record<'legacy' | 'modern', number[]> = { legacy: [], modern: [] };
      for (let r = 0; r < rounds; r++) {
        context.log(`eras: round ${r + 1}/${rounds}`);
        const means = await round(all, perVariant, r);
        for (const v of VARIANTS) latency[v].push(means[v]);
        for (const [pool, bare] of PAIRS) ratios[pool].push(means[pool] / means[bare]);
      }
      const lat = Object.fromEntries(VARIANTS.map((v) => [v, summarize(latency[v])])) as Record<
        Variant,
        Summary
      >;
      const ratio = { legacy: summarize(ratios.legacy), modern: summarize(ratios.modern) };
      const ci = { legacy: medianCi95(ratios.legacy), modern: medianCi95(ratios.modern) };
      const text = table(
        ['path', 'latency per call (median, IQR)', 'vs its bare client (median)', '95% CI'],
        VARIANTS.map((v) => {
          const pool = v === 'legacy' || v === 'modern' ? v : undefined;
          return [
            LABEL[v],
            `${fmtDuration(lat[v].median / 1000)} (${fmtDuration(lat[v].p25 / 1000)}–${fmtDuration(lat[v].p75 / 1000)})`,
            pool ? fmtPct(ratio[pool].median) : '',
            pool ? `${fmtPct(ci[pool].lo)} … ${fmtPct(ci[pool].hi)}` : '',
          ];
        }),
      );
      const judged = !context.quick && Number.isFinite(ci.modern.lo);
      const goals: Goal[] = [
        {
          text: `the modern path through the pool within ${fmtPct(GOAL)} of the bare v2 client, as the legacy path of the bare v1 client`,
          met: judged ? ratio.modern.median <= GOAL && ratio.legacy.median <= GOAL : null,
          detail: `modern ${fmtPct(ratio.modern.median)}, legacy ${fmtPct(ratio.legacy.median)} (medians of ${rounds} per-round ratios)`,
        },
      ];
      return {
        about:
          'One v2 dual-era server (createMcpHandler) over Streamable HTTP on 127.0.0.1; the tool call add(2, 3) at concurrency 1, the four paths interleaved call by call so that they meet the same disturbances. Each pool path is compared with the bare client of its era, round by round.',
        text,
        goals,
        notes: [
          'A modern request carries its version and capabilities in _meta and the Mcp-Method/Mcp-Name headers, and the v2 server builds a server instance per request in both eras: the two eras differ on the server as much as in the client.',
        ],
        data: { rounds, perVariant, latencyUs: lat, ratio, ci },
      };
    } finally {
      for (const v of VARIANTS) await all[v].close().catch(() => {});
      await server.close();
    }
  },
};
