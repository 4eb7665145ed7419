import { z } from 'zod';
import { toIssues } from '../config/server-config.js';
import { legacyConnector } from '../connection/legacy-connector.js';
import type { ServerRequestHandlers } from '../connection/server-requests.js';
import type { Balancer } from '../spec/balancer.js';
import type { NamespacingOptions } from '../spec/catalog.js';
import type { Connector } from '../spec/connector.js';
import { type ConfigIssue, InvalidConfigError } from '../spec/errors.js';
import type { ServerConfig, ServerView } from '../spec/server.js';
import { MAX_TIMER_MS } from '../util/abort.js';
import { serverSetIssues } from './membership.js';

/** Options of a `ServerPool`. Every one is optional. */
export interface ServerPoolOptions {
  /** Picks a server for each request. @default round robin */
  balancer?: Balancer | undefined;
  /** MCP sessions per server, opened on demand when all are busy. @default 1 */
  maxConnectionsPerServer?: number | undefined;
  /** Time to open and initialize one session, ms. @default 30_000 */
  connectionTimeout?: number | undefined;
  /** Extra sessions unused this long are closed (one always stays open), ms. @default 300_000 */
  idleTimeout?: number | undefined;
  /** Make `start()` reject when any server fails to connect. @default false */
  strictStart?: boolean | undefined;
  /** How long a removed server may finish the requests it has, ms. @default 5_000 */
  drainTimeout?: number | undefined;
  /** Backoff between reconnects of a down server (full jitter), ms. @default { baseMs: 500, maxMs: 30_000 } */
  reconnect?: { baseMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /** How tools and prompts that differ between servers are named. */
  namespacing?: NamespacingOptions | undefined;
  /** Answers to sampling, elicitation and roots requests from any server. */
  handlers?: ServerRequestHandlers | undefined;
  /** How mcpool introduces itself to servers. @default { name: 'mcpool', version: '0.1.0' } */
  clientInfo?: { name: string; version: string } | undefined;
  /** Servers to add right away. */
  servers?: ServerConfig[] | undefined;
  /**
   * Connectors for protocol eras beyond core's built-in legacy one, e.g.
   * `modernConnector()` from `@mcpool/connector-modern`. Tried in order, before
   * the built-in one, for each server's `protocol`. @default []
   */
  connectors?: readonly Connector[] | undefined;
  /**
   * How long a server found to speak only the legacy era is taken at its
   * word; after that its next connection probes again (an upgraded server
   * still answers `initialize`, so nothing else would tell), ms. @default 3_600_000
   */
  eraRecheckInterval?: number | undefined;
}

/** Servers that may take a request. */
export interface Candidates {
  /**
   * The same array while the set is unchanged, a new one when a member joins,
   * leaves, changes state, exclusions, weight or priority, or the offering
   * list changes. Never changed once returned; do not change it either.
   */
  readonly servers: readonly ServerView[];
  /** No offering server was healthy, so all usable ones were returned. */
  readonly panic: boolean;
}

/** Core's own connector, last in every pool's list. */
const BUILT_IN = legacyConnector();

const positiveMs = z
  .number()
  .int()
  .positive()
  .max(MAX_TIMER_MS, 'at most 2147483647 ms (about 24.8 days)');

/** The namespacing options, as the pool and the gateway's config file both take them. */
export const namespacingSchema = z.object({
  policy: z.enum(['prefix-on-conflict', 'always', 'reject']).optional(),
  separator: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,4}$/, 'use 1-4 of A-Z a-z 0-9 _ . -')
    .optional(),
});

export const poolOptionsSchema = z.object({
  balancer: z
    .custom<unknown>(
      (v) =>
        typeof v === 'object' && v !== null && typeof (v as { pick?: unknown }).pick === 'function',
      'give a Balancer, e.g. roundRobin() from @mcpool/balancers',
    )
    .optional(),
  maxConnectionsPerServer: z.number().int().min(1).max(1000).optional(),
  connectionTimeout: positiveMs.optional(),
  idleTimeout: positiveMs.optional(),
  strictStart: z.boolean().optional(),
  drainTimeout: z.number().int().min(0).optional(),
  reconnect: z.object({ baseMs: positiveMs.optional(), maxMs: positiveMs.optional() }).optional(),
  namespacing: namespacingSchema.optional(),
  handlers: z
    .object({
      sampling: z.function().optional(),
      elicitation: z.function().optional(),
      roots: z.function().optional(),
    })
    .optional(),
  clientInfo: z.object({ name: z.string(), version: z.string() }).optional(),
  servers: z.array(z.unknown()).optional(),
  connectors: z
    .array(
      z.custom<unknown>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as { connect?: unknown }).connect === 'function' &&
          typeof (v as { supports?: unknown }).supports === 'function',
        'give a Connector, e.g. modernConnector() from @mcpool/connector-modern',
      ),
    )
    .optional(),
  eraRecheckInterval: positiveMs.optional(),
});

/** The pool's options with every default filled in. */
export interface ResolvedPoolOptions {
  readonly maxConnections: number;
  readonly connectionTimeout: number;
  readonly idleTimeout: number;
  readonly strictStart: boolean;
  readonly drainTimeout: number;
  readonly reconnect: { baseMs: number; maxMs: number };
  readonly handlers: ServerRequestHandlers;
  readonly clientInfo: { name: string; version: string };
  /** The registered connectors, then core's built-in legacy one. */
  readonly connectors: readonly Connector[];
  readonly eraRecheckInterval: number;
}

/**
 * Checks the options of a `ServerPool` and fills in the defaults. Every
 * problem at once: the options and each server given here.
 */
export function resolvePoolOptions(options: ServerPoolOptions): ResolvedPoolOptions {
  const issues: ConfigIssue[] = [];
  const parsed = poolOptionsSchema.safeParse(options);
  if (!parsed.success) issues.push(...toIssues(parsed.error));
  if (options.servers) {
    issues.push(...serverSetIssues(options.servers, options.namespacing?.separator ?? '__'));
  }
  if (issues.length > 0) throw new InvalidConfigError('pool options', issues);
  return {
    maxConnections: options.maxConnectionsPerServer ?? 1,
    connectionTimeout: options.connectionTimeout ?? 30_000,
    idleTimeout: options.idleTimeout ?? 300_000,
    strictStart: options.strictStart ?? false,
    drainTimeout: options.drainTimeout ?? 5_000,
    reconnect: {
      baseMs: options.reconnect?.baseMs ?? 500,
      maxMs: options.reconnect?.maxMs ?? 30_000,
    },
    handlers: options.handlers ?? {},
    clientInfo: options.clientInfo ?? { name: 'mcpool', version: '0.1.0' },
    connectors: [...(options.connectors ?? []), BUILT_IN],
    eraRecheckInterval: options.eraRecheckInterval ?? 3_600_000,
  };
}
