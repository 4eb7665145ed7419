import { Resolver } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import { z } from 'zod';
import { SourceFailedError } from './errors.js';
import { parseOptions } from './options.js';
import { type DiscoveredEntry, type Resolution, replicaId, type Source } from './source.js';

/** Options of {@link dnsSource}. */
export interface DnsSourceOptions {
  /** The name to resolve, like `mcp-servers.default.svc.cluster.local`. */
  name: string;
  /** `A`/`AAAA`: one server per address, all on `port`. `SRV`: target and port from each record. @default 'A' */
  type?: 'A' | 'AAAA' | 'SRV' | undefined;
  /** The servers' port; required for `A` and `AAAA`. */
  port?: number | undefined;
  /** @default 'http' */
  scheme?: 'http' | 'https' | undefined;
  /** The MCP endpoint's path. @default '/mcp' */
  path?: string | undefined;
  /** The MCP transport the servers speak. @default 'streamable-http' */
  transport?: 'streamable-http' | 'sse' | undefined;
  /** DNS servers to ask (`'10.0.0.10'`, `'127.0.0.1:5353'`). @default the system's */
  servers?: string[] | undefined;
  /** Re-resolve no sooner than this after an answer, whatever its TTL, ms. @default 5_000 */
  minInterval?: number | undefined;
  /** Re-resolve no later than this, whatever the TTL, ms. @default 30_000 */
  maxInterval?: number | undefined;
  /** Time of one query attempt, ms. @default 2_000 */
  queryTimeout?: number | undefined;
  /** Server ids start with this. @default the first label of `name` not starting with `_` */
  idPrefix?: string | undefined;
  /**
   * SRV only: look up each target's address with the same DNS servers and
   * connect by address, so names only that DNS server knows still work.
   * @default true
   */
  resolveTargets?: boolean | undefined;
}

const schema = z
  .object({
    name: z.string().min(1, 'name the DNS record to resolve'),
    type: z.enum(['A', 'AAAA', 'SRV']).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    scheme: z.enum(['http', 'https']).optional(),
    path: z.string().startsWith('/').optional(),
    transport: z.enum(['streamable-http', 'sse']).optional(),
    servers: z.array(z.string().min(1)).optional(),
    minInterval: z.number().positive().optional(),
    maxInterval: z.number().positive().optional(),
    queryTimeout: z.number().int().positive().optional(),
    idPrefix: z.string().optional(),
    resolveTargets: z.boolean().optional(),
  })
  .refine((o) => (o.type ?? 'A') === 'SRV' || o.port !== undefined, {
    path: ['port'],
    message: "A and AAAA records carry no port: give the servers' port",
  });

/** Answers that mean "no such replicas right now", not "DNS is broken". */
const EMPTY = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * Servers from DNS, re-resolved on the record's TTL within
 * `[minInterval, maxInterval]`. For a Kubernetes headless Service, an `A`
 * lookup of `SERVICE.NAMESPACE.svc.cluster.local` lists the ready pods.
 * Node's SRV answers carry no TTL: with `resolveTargets` the targets'
 * address TTLs are used, else `maxInterval`.
 */
export function dnsSource(options: DnsSourceOptions): Source {
  const o = parseOptions('dnsSource options', schema, options);
  const type = o.type ?? 'A';
  const scheme = o.scheme ?? 'http';
  const path = o.path ?? '/mcp';
  const minInterval = o.minInterval ?? 5_000;
  const maxInterval = Math.max(minInterval, o.maxInterval ?? 30_000);
  const prefix = o.idPrefix ?? o.name.split('.').find((l) => !l.startsWith('_')) ?? 'dns';
  const name = `dns:${type} ${o.name}`;
  const transport = o.transport ?? 'streamable-http';

  const url = (host: string, port: number) =>
    `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}${path}`;
  const entry = (id: string, host: string, port: number, origin: string): DiscoveredEntry => ({
    config: { id, name: `${host}:${port}`, transport: { type: transport, url: url(host, port) } },
    origin,
  });

  async function lookup(resolver: Resolver): Promise<{ entries: DiscoveredEntry[]; ttl?: number }> {
    if (type === 'A' || type === 'AAAA') {
      const records =
        type === 'A'
          ? await resolver.resolve4(o.name, { ttl: true })
          : await resolver.resolve6(o.name, { ttl: true });
      return {
        entries: records.map((r) =>
          entry(
            replicaId(prefix, r.address),
            r.address,
            o.port as number,
            `${o.name} ${type} ${r.address}`,
          ),
        ),
        ...(records.length > 0 ? { ttl: Math.min(...records.map((r) => r.ttl)) } : {}),
      };
    }
    const records = await resolver.resolveSrv(o.name);
    const entries: DiscoveredEntry[] = [];
    const ttls: number[] = [];
    for (const r of records) {
      const id = replicaId(prefix, r.name.split('.')[0] ?? r.name, r.port);
      const origin = `${o.name} SRV ${r.name}:${r.port}`;
      if (o.resolveTargets === false) {
        entries.push(entry(id, r.name, r.port, origin));
        continue;
      }
      try {
        const addresses = await resolver.resolve4(r.name, { ttl: true });
        const first = addresses[0];
        if (!first) throw new Error('no A record');
        ttls.push(first.ttl);
        entries.push(entry(id, first.address, r.port, origin));
      } catch (error) {
        entries.push({
          config: undefined,
          origin,
          problem: `the SRV target ${r.name} has no address (${(error as Error).message})`,
        });
      }
    }
    return { entries, ...(ttls.length > 0 ? { ttl: Math.min(...ttls) } : {}) };
  }

  return {
    name,
    async resolve(signal?: AbortSignal): Promise<Resolution> {
      signal?.throwIfAborted();
      const resolver = new Resolver({ timeout: o.queryTimeout ?? 2_000, tries: 2 });
      if (o.servers) resolver.setServers(o.servers);
      // One resolver per resolution, so cancel() ends only this one's queries.
      const onAbort = () => resolver.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const { entries, ttl } = await lookup(resolver);
        const refreshIn = Math.min(maxInterval, Math.max(minInterval, (ttl ?? Infinity) * 1_000));
        return { entries, refreshIn };
      } catch (error) {
        signal?.throwIfAborted();
        const code = (error as { code?: string }).code ?? '';
        if (EMPTY.has(code)) return { entries: [], refreshIn: minInterval };
        throw new SourceFailedError(
          name,
          `${code || 'error'} from ${o.servers?.join(', ') ?? 'the system resolver'} (${(error as Error).message})`,
          { cause: error },
        );
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
