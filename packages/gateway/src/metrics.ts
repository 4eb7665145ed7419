import {
  type AttemptReport,
  type Detach,
  type PoolEvents,
  type PoolMetrics,
  type PoolPlugin,
  type ServerMetrics,
  ServerPool,
  type ServerState,
} from '@mcpool/core';
import {
  type MetricsServer,
  type PrometheusExporter,
  prometheusExporter,
} from '@mcpool/prometheus';
import type { UpstreamExtension } from './upstream.js';

const RELAYED = [
  'attempt',
  'request:retry',
  'request:fallback',
  'pool:panic',
  'server:healthy',
  'server:unhealthy',
  'pool:error',
] as const satisfies readonly (keyof PoolEvents)[];

const STATE_RANK: Record<ServerState, number> = {
  connected: 4,
  connecting: 3,
  draining: 2,
  down: 1,
  closed: 0,
};

/**
 * Every pool of the gateway seen as one, for exporters that watch one pool:
 * it relays the pools' traffic events and sums their figures per server (a
 * server is healthy when it is healthy in any session). It holds no servers
 * and is never started. Servers of the per-session pools appear once a
 * session has opened them.
 */
export class PoolAggregate extends ServerPool {
  private readonly tracked = new Map<ServerPool, () => void>();
  /** The `onAttempt` hooks of the plugins installed here: they hear every tracked pool's attempts. */
  private readonly hearers = new Set<(report: AttemptReport) => void>();

  /** Installs a plugin; its `onAttempt` hook hears the attempts of every pool tracked. */
  override use(plugin: PoolPlugin): Detach {
    const detach = super.use(plugin);
    const hear = plugin.onAttempt;
    if (!hear) return detach;
    this.hearers.add(hear);
    return async () => {
      this.hearers.delete(hear);
      await detach();
    };
  }

  /** Follows a pool until it closes (or until the returned function is called). */
  track(pool: ServerPool): () => void {
    if (this.tracked.has(pool)) return this.tracked.get(pool) as () => void;
    const offs: (() => void)[] = [];
    for (const event of RELAYED) {
      const relay = (...args: unknown[]) => {
        (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
        if (event === 'attempt') this.hearAttempt(args[0] as AttemptReport);
      };
      pool.on(event, relay);
      offs.push(() => pool.off(event, relay));
    }
    const untrack = () => {
      for (const off of offs.splice(0)) off();
      this.tracked.delete(pool);
    };
    this.tracked.set(pool, untrack);
    return untrack;
  }

  private hearAttempt(report: AttemptReport): void {
    for (const hear of this.hearers) {
      try {
        hear(report);
      } catch (error) {
        this.emit('pool:error', { source: 'plugin', serverId: report.server.id, error });
      }
    }
  }

  override getMetrics(): PoolMetrics {
    const byServer = new Map<string, ServerMetrics[]>();
    let totalRequests = 0;
    let failedRequests = 0;
    for (const pool of this.tracked.keys()) {
      if (pool.isClosed) continue;
      const m = pool.getMetrics();
      totalRequests += m.totalRequests;
      failedRequests += m.failedRequests;
      for (const s of m.serverMetrics) {
        const list = byServer.get(s.serverId) ?? [];
        list.push(s);
        byServer.set(s.serverId, list);
      }
    }
    const serverMetrics = [...byServer.values()].map(mergeServer);
    return {
      totalServers: serverMetrics.length,
      healthyServers: serverMetrics.filter((s) => s.healthy).length,
      totalRequests,
      failedRequests,
      inFlight: serverMetrics.reduce((n, s) => n + s.inFlight, 0),
      serverMetrics,
    };
  }
}

function mergeServer(list: ServerMetrics[]): ServerMetrics {
  const first = list[0] as ServerMetrics;
  if (list.length === 1) return first;
  const sum = (f: (s: ServerMetrics) => number) => list.reduce((n, s) => n + f(s), 0);
  const max = (f: (s: ServerMetrics) => number) => Math.max(...list.map(f));
  const requests = sum((s) => s.requestCount);
  const healthy = list.some((s) => s.healthy);
  const best = list.reduce((a, b) => (STATE_RANK[b.state] > STATE_RANK[a.state] ? b : a));
  const ewmas = list.map((s) => s.latencyEwma).filter((v): v is number => v !== undefined);
  return {
    ...first,
    state: best.state,
    connected: list.some((s) => s.connected),
    healthy,
    exclusions: healthy ? {} : best.exclusions,
    connections: sum((s) => s.connections),
    inFlight: sum((s) => s.inFlight),
    requestCount: requests,
    errorCount: sum((s) => s.errorCount),
    responseTime: requests === 0 ? 0 : sum((s) => s.responseTime * s.requestCount) / requests,
    latencyEwma: ewmas.length === 0 ? undefined : ewmas.reduce((a, b) => a + b, 0) / ewmas.length,
    // Percentiles do not add up; the worst session's is the honest bound.
    latencyP50: max((s) => s.latencyP50),
    latencyP95: max((s) => s.latencyP95),
    latencyP99: max((s) => s.latencyP99),
    lastUsed: max((s) => s.lastUsed),
  };
}

/** Prometheus metrics for every pool of a gateway. */
export interface GatewayMetrics {
  readonly exporter: PrometheusExporter;
  readonly aggregate: PoolAggregate;
  /** Add to the gateway's `extensions`, first, so that cached answers are counted too. */
  readonly extension: UpstreamExtension;
  /** Serves `/metrics` on `host:port`. */
  listen(host: string, port: number): Promise<MetricsServer>;
  close(): Promise<void>;
}

/** Exports the figures of every pool the gateway opens through one `@mcpool/prometheus` exporter. */
export function gatewayMetrics(): GatewayMetrics {
  const aggregate = new PoolAggregate();
  const exporter = prometheusExporter();
  aggregate.use(exporter);
  let server: MetricsServer | undefined;
  return {
    exporter,
    aggregate,
    extension: ({ pool, client }) => {
      const untrack = aggregate.track(pool);
      const unobserve = exporter.observeClient(client);
      return () => {
        unobserve();
        untrack();
      };
    },
    async listen(host, port) {
      server = await exporter.startMetricsServer({ host, port });
      return server;
    },
    async close() {
      await server?.close();
      await aggregate.close();
    },
  };
}
