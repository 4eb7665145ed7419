import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ProtocolEra, ProtocolSetting } from './connector.js';

/** How to reach one MCP server. */
export type TransportConfig =
  | {
      type: 'stdio';
      command: string;
      args?: string[] | undefined;
      env?: Record<string, string> | undefined;
      cwd?: string | undefined;
      /** What to do with the child's stderr. @default 'inherit' */
      stderr?: 'inherit' | 'ignore' | 'pipe' | undefined;
    }
  | { type: 'streamable-http'; url: string; headers?: Record<string, string> | undefined }
  | { type: 'sse'; url: string; headers?: Record<string, string> | undefined }
  | {
      type: 'custom';
      /** Called once for every new connection: return a fresh, unstarted SDK transport. */
      create: () => Transport | Promise<Transport>;
    };

/** One server of the pool, as the user describes it. */
export interface ServerConfig {
  /** Unique id; letters, digits, `-` and `_` only (it prefixes tool names on conflict). */
  id: string;
  /** Human name for logs and dashboards. @default id */
  name?: string | undefined;
  transport: TransportConfig;
  /** Higher is preferred by the priority balancer. @default 0 */
  priority?: number | undefined;
  /** Share of traffic for weighted balancers; 0 drains the server. @default 1 */
  weight?: number | undefined;
  /** Free-form labels (zone, version, ...). @default [] */
  tags?: string[] | undefined;
  /** Overrides the pool's `maxConnectionsPerServer` for this server. */
  maxConnections?: number | undefined;
  /**
   * Which protocol era to speak (see `ProtocolSetting`). @default `auto` when a
   * registered connector supports it, else `legacy`
   */
  protocol?: ProtocolSetting | undefined;
}

/** Where a server stands. */
export type ServerState = 'connecting' | 'connected' | 'down' | 'draining' | 'closed';

/**
 * The read-only view of a server that balancers, aggregators and plugins see.
 * Figures are live: read them at the moment of decision.
 */
export interface ServerView {
  readonly id: string;
  readonly name: string;
  readonly weight: number;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly state: ServerState;
  /** In selection: connected (or connectable) and not excluded by any source. */
  readonly healthy: boolean;
  /** Requests in flight on this server now. */
  readonly inFlight: number;
  /** Exponentially weighted moving average of successful latency, ms; undefined before the first. */
  readonly latencyEwmaMs: number | undefined;
  /** The MCP protocol version negotiated with the server's kept session; undefined while none is open. */
  readonly protocolVersion?: string | undefined;
  /** The era the server was last found to speak; undefined before its first connect. */
  readonly era?: ProtocolEra | undefined;
}

/** What a request is, for routing, balancing, caching and the failure rules. */
export interface RequestInfo {
  /** MCP method, e.g. `tools/call`, `resources/read`. */
  readonly method: string;
  /** Params as sent upstream (tool names already un-namespaced). */
  readonly params: unknown;
  /** Harmless to repeat: retries, fallback and fan-out aggregations are allowed. */
  readonly safe: boolean;
  /** Tool, prompt or resource the request names, if any (as the caller spelled it). */
  readonly target?: string | undefined;
  /** Optional affinity key (user, conversation) for consistent hashing. */
  readonly key?: string | undefined;
}
