import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { MultiServerClient, ServerPool } from '@mcpool/core';
import { PAGE } from './page.js';
import type { Waterfall } from './traces.js';

/** One sample of one server, taken every `sampleMs`. */
export interface ServerSample {
  healthy: boolean;
  inFlight: number;
  /** Requests per second since the previous sample. */
  rate: number;
  /** p50 latency of recent requests, ms. */
  latency: number;
}

/** What the live page shows. */
export interface DashboardState {
  step: string;
  steps: { name: string; ok: boolean | undefined; detail: string }[];
  servers: {
    id: string;
    name: string;
    healthy: boolean;
    state: string;
    inFlight: number;
    requests: number;
    errors: number;
    latencyP50: number;
    latencyP95: number;
    exclusions: Record<string, string>;
  }[];
  client: ReturnType<MultiServerClient['getMetrics']>;
  history: { t: number; servers: Record<string, ServerSample> }[];
  events: { t: number; text: string }[];
  /** The last traced calls of each step, when the demo traces (see traces.ts). */
  traces?: Record<string, Waterfall[]> | undefined;
}

export interface DashboardOptions {
  pool: ServerPool;
  client: MultiServerClient;
  /** @default 8080 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Serves `/metrics` when given (a Prometheus exposition handler). */
  metrics?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** @default 500 */
  sampleMs?: number;
  /** The last traced calls of each step, for the waterfall. */
  traces?: (() => Record<string, Waterfall[]>) | undefined;
}

/**
 * The live page at `/` (health, in-flight, request rate and latency of each
 * server over time), its data at `/api/state`, and `/metrics`.
 */
export class Dashboard {
  readonly state: DashboardState;
  private readonly http = createServer((req, res) => this.route(req, res));
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, number>();
  private lastAt = performance.now();
  url = '';

  constructor(private readonly options: DashboardOptions) {
    this.state = {
      step: 'starting',
      steps: [],
      servers: [],
      client: options.client.getMetrics(),
      history: [],
      events: [],
    };
    const note = (text: string) => this.event(text);
    options.pool.on('server:unhealthy', (e) =>
      note(`${e.serverId} out: ${e.source} — ${e.reason}`),
    );
    options.pool.on('server:healthy', (e) => note(`${e.serverId} back in (${e.reason})`));
    options.pool.on('request:fallback', (e) => note(`fallback to ${e.to}`));
  }

  event(text: string): void {
    this.state.events.push({ t: Date.now(), text });
    if (this.state.events.length > 50) this.state.events.shift();
  }

  async listen(): Promise<string> {
    const port = this.options.port ?? 8080;
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `port ${port} on ${host} is in use; pass --port with another port (0 picks a free one) or stop what uses it`,
              )
            : error,
        );
      });
      this.http.listen(port, host, () => resolve());
    });
    const address = this.http.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    this.url = `http://${host}:${actual}`;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.options.sampleMs ?? 500);
    this.timer.unref();
    return this.url;
  }

  /** Takes one sample of every server now. */
  sample(): void {
    const metrics = this.options.pool.getMetrics();
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    const servers: Record<string, ServerSample> = {};
    for (const m of metrics.serverMetrics) {
      const before = this.last.get(m.serverId) ?? m.requestCount;
      servers[m.serverId] = {
        healthy: m.healthy,
        inFlight: m.inFlight,
        rate: Math.max(0, (m.requestCount - before) / seconds),
        latency: m.latencyP50,
      };
      this.last.set(m.serverId, m.requestCount);
    }
    this.lastAt = now;
    this.state.history.push({ t: Date.now(), servers });
    if (this.state.history.length > 240) this.state.history.shift();
    this.state.servers = metrics.serverMetrics.map((m) => ({
      id: m.serverId,
      name: m.name,
      healthy: m.healthy,
      state: m.state,
      inFlight: m.inFlight,
      requests: m.requestCount,
      errors: m.errorCount,
      latencyP50: m.latencyP50,
      latencyP95: m.latencyP95,
      exclusions: m.exclusions,
    }));
    this.state.client = this.options.client.getMetrics();
    if (this.options.traces) this.state.traces = this.options.traces();
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (path === '/api/state') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.state));
    } else if (path === '/metrics' && this.options.metrics) {
      this.options.metrics(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
