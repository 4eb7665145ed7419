import type { IncomingMessage, ServerResponse } from 'node:http';
import { TestLoopbackApi } from './test-loopback-api.js';

/** An instance as the test registers it. */
export interface TestInstance {
  id: string;
  address: string;
  port: number;
  passing?: boolean;
  tags?: string[];
}

/**
 * Consul's health endpoint on 127.0.0.1 as its HTTP API serves it:
 * `/v1/health/service/NAME` with `passing`, `tag`, `X-Consul-Index` and
 * blocking queries (`index` + `wait` hold the request until the index moves
 * past `index` or the wait ends).
 */
export class TestConsul extends TestLoopbackApi {
  readonly services = new Map<string, TestInstance[]>();
  readonly requests: { index: string | null; wait: string | null; token: string | null }[] = [];
  index = 10;
  failing: number | undefined;
  private readonly waiting = new Set<() => void>();

  /** Registers the set of a service; a blocked query returns at once. */
  set(service: string, instances: TestInstance[], index = this.index + 1): void {
    this.services.set(service, instances);
    this.index = index;
    for (const wake of [...this.waiting]) wake();
  }

  get blocked(): number {
    return this.waiting.size;
  }

  async stop(): Promise<void> {
    for (const wake of [...this.waiting]) wake();
    await this.stopListening();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const index = url.searchParams.get('index');
    const wait = url.searchParams.get('wait');
    this.requests.push({ index, wait, token: (req.headers['x-consul-token'] as string) ?? null });
    const m = /^\/v1\/health\/service\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end('Not found');
      return;
    }
    if (this.failing) {
      res.writeHead(this.failing).end('rpc error: No cluster leader');
      return;
    }
    if (index !== null && Number(index) >= this.index) {
      const ms = Number(/^(\d+)s$/.exec(wait ?? '')?.[1] ?? 300) * 1_000;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiting.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        this.waiting.add(wake);
        req.on('close', wake);
      });
      if (res.destroyed) return;
    }
    const service = decodeURIComponent(m[1] ?? '');
    const tag = url.searchParams.get('tag');
    const rows = (this.services.get(service) ?? [])
      .filter((i) => url.searchParams.get('passing') === null || i.passing !== false)
      .filter((i) => !tag || i.tags?.includes(tag))
      .map((i) => ({
        Node: { Node: `node-${i.id}`, Address: '10.9.9.9' },
        Service: {
          ID: i.id,
          Service: service,
          Address: i.address,
          Port: i.port,
          Tags: i.tags ?? [],
          Meta: {},
        },
        Checks: [{ CheckID: 'serfHealth', Status: i.passing === false ? 'critical' : 'passing' }],
      }));
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-consul-index': String(this.index),
    });
    res.end(JSON.stringify(rows));
  }
}
