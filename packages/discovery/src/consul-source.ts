import { sleep } from '@mcpool/core/internal';
import { z } from 'zod';
import { SourceFailedError } from './errors.js';
import { parseOptions } from './options.js';
import { type DiscoveredEntry, type Resolution, replicaId, type Source } from './source.js';

/** Options of {@link consulSource}. */
export interface ConsulSourceOptions {
  /** The Consul service name the MCP servers register as. */
  service: string;
  /** Consul's HTTP API. @default 'http://127.0.0.1:8500' */
  url?: string | undefined;
  /** An ACL token, sent as `X-Consul-Token`. */
  token?: string | undefined;
  /** @default the agent's datacenter */
  datacenter?: string | undefined;
  /** Only instances with this tag. */
  tag?: string | undefined;
  /** How long one blocking query may wait for a change, in Consul's form. @default '30s' */
  wait?: string | undefined;
  /** The MCP endpoint's path; an instance's `mcp_path` meta overrides it. @default '/mcp' */
  path?: string | undefined;
  /** @default 'http' */
  scheme?: 'http' | 'https' | undefined;
  /** The MCP transport the servers speak. @default 'streamable-http' */
  transport?: 'streamable-http' | 'sse' | undefined;
  /** First wait after a failed query; doubles up to 30 s, ms. @default 1_000 */
  retryDelay?: number | undefined;
}

const schema = z.object({
  service: z.string().min(1, 'name the Consul service'),
  url: z.url().optional(),
  token: z.string().optional(),
  datacenter: z.string().optional(),
  tag: z.string().optional(),
  wait: z
    .string()
    .regex(/^\d+(ms|s|m)$/, 'write a duration like "30s" or "5m"')
    .optional(),
  path: z.string().startsWith('/').optional(),
  scheme: z.enum(['http', 'https']).optional(),
  transport: z.enum(['streamable-http', 'sse']).optional(),
  retryDelay: z.number().positive().optional(),
});

/** One row of `/v1/health/service/NAME`: what Consul knows of one instance. */
interface HealthEntry {
  Node?: { Node?: string; Address?: string };
  Service?: {
    ID?: string;
    Service?: string;
    Address?: string;
    Port?: number;
    Tags?: string[] | null;
    Meta?: Record<string, string> | null;
  };
}

function waitMs(wait: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(wait);
  const n = Number(m?.[1] ?? 30);
  return m?.[2] === 'ms' ? n : m?.[2] === 'm' ? n * 60_000 : n * 1_000;
}

/**
 * Healthy instances of a Consul service, from its health API
 * (`/v1/health/service/NAME?passing`), followed with blocking queries
 * (`index`, `wait`): a change arrives as soon as Consul has it, with no
 * polling in between. Plain `fetch`, no client library.
 */
export function consulSource(options: ConsulSourceOptions): Source {
  const o = parseOptions('consulSource options', schema, options);
  const base = (o.url ?? 'http://127.0.0.1:8500').replace(/\/+$/, '');
  const wait = o.wait ?? '30s';
  const name = `consul:${o.service}`;

  async function query(
    index: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ resolution: Resolution; index: number }> {
    const url = new URL(`${base}/v1/health/service/${encodeURIComponent(o.service)}`);
    url.searchParams.set('passing', 'true');
    if (o.datacenter) url.searchParams.set('dc', o.datacenter);
    if (o.tag) url.searchParams.set('tag', o.tag);
    if (index !== undefined) {
      url.searchParams.set('index', String(index));
      url.searchParams.set('wait', wait);
    }
    // Consul adds up to wait/16 of jitter to a blocking query: allow for it and a little more.
    const limit = (index !== undefined ? waitMs(wait) * 1.1 : 0) + 10_000;
    const timeout = AbortSignal.timeout(limit);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: o.token ? { 'X-Consul-Token': o.token } : {},
        signal: combined,
      });
    } catch (error) {
      signal?.throwIfAborted();
      throw new SourceFailedError(name, `cannot reach ${base} (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 200).trim();
      throw new SourceFailedError(
        name,
        `${url.pathname} answered ${response.status}${body ? ` (${body})` : ''}${response.status === 403 ? '; check the ACL token' : ''}`,
      );
    }
    let rows: HealthEntry[];
    try {
      rows = (await response.json()) as HealthEntry[];
      if (!Array.isArray(rows)) throw new Error('not a JSON array');
    } catch (error) {
      throw new SourceFailedError(
        name,
        `${url.pathname} answered something that is not a list of instances (${(error as Error).message})`,
      );
    }
    const next = Number(response.headers.get('x-consul-index') ?? '0');
    return { resolution: { entries: rows.map((row, i) => entryOf(row, i)) }, index: next };
  }

  function entryOf(row: HealthEntry, i: number): DiscoveredEntry {
    const s = row.Service ?? {};
    const origin = `${name}[${s.ID ?? i}]`;
    const host = s.Address || row.Node?.Address;
    if (!host || !s.Port)
      return { config: undefined, origin, problem: 'the instance has no address or port' };
    const path = s.Meta?.mcp_path ?? o.path ?? '/mcp';
    return {
      config: {
        id: replicaId(o.service, s.ID ?? `${host}-${s.Port}`),
        name: s.ID ?? `${host}:${s.Port}`,
        transport: {
          type: o.transport ?? 'streamable-http',
          url: `${o.scheme ?? 'http'}://${host.includes(':') ? `[${host}]` : host}:${s.Port}${path}`,
        },
        ...(s.Tags && s.Tags.length > 0 ? { tags: s.Tags } : {}),
      },
      origin,
    };
  }

  return {
    name,
    async resolve(signal) {
      signal?.throwIfAborted();
      return (await query(undefined, signal)).resolution;
    },
    watch(listener, signal) {
      void (async () => {
        let index: number | undefined;
        let failures = 0;
        while (!signal.aborted) {
          try {
            const started = Date.now();
            const result = await query(index, signal);
            failures = 0;
            // Consul's rules for blocking queries: an index that goes back or is not
            // positive starts over; an unchanged index is a wait that timed out.
            const backwards = index !== undefined && result.index < index;
            const changed = index === undefined || result.index !== index;
            index = backwards ? undefined : Math.max(1, result.index);
            if (changed) listener.update(result.resolution);
            // A query that came back at once with nothing new must not spin.
            if (!changed && Date.now() - started < 100) await sleep(1_000, signal);
          } catch (error) {
            if (signal.aborted) return;
            listener.error(error as Error);
            index = undefined;
            const delay = Math.min(30_000, (o.retryDelay ?? 1_000) * 2 ** Math.min(failures, 10));
            failures++;
            await sleep(delay * (0.5 + Math.random() / 2), signal).catch(() => {});
          }
        }
      })();
    },
  };
}
