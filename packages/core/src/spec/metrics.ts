import type { ProtocolEra } from './connector.js';
import type { ServerState } from './server.js';

/** Per-server figures, as in the seed's `ServerMetrics`. */
export interface ServerMetrics {
  serverId: string;
  name: string;
  state: ServerState;
  connected: boolean;
  healthy: boolean;
  /** Why the server is out of selection, by source; empty when in. */
  exclusions: Record<string, string>;
  connections: number;
  /** The era the server was last found to speak; undefined before its first connect. */
  era?: ProtocolEra | undefined;
  inFlight: number;
  requestCount: number;
  errorCount: number;
  /** Mean latency of all requests, ms (the seed's `ResponseTime`). */
  responseTime: number;
  latencyEwma: number | undefined;
  latencyP50: number;
  latencyP95: number;
  latencyP99: number;
  /** ms since epoch; 0 when never used. */
  lastUsed: number;
  weight: number;
  priority: number;
}

/** Pool-wide figures, as in the seed's pool metrics. */
export interface PoolMetrics {
  totalServers: number;
  healthyServers: number;
  totalRequests: number;
  failedRequests: number;
  inFlight: number;
  serverMetrics: ServerMetrics[];
}
