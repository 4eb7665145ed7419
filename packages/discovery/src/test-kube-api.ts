import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TestLoopbackApi } from './test-loopback-api.js';

/** One endpoint as a test writes it. */
export interface TestEndpoint {
  pod: string;
  address: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

interface Slice {
  name: string;
  service: string;
  port: number;
  endpoints: TestEndpoint[];
  resourceVersion: string;
}

/**
 * The part of the Kubernetes API server that EndpointSlice informers use, on
 * 127.0.0.1, speaking its wire format: the namespaced list with
 * `metadata.resourceVersion`, and `?watch=true` streaming one JSON event per
 * line from a resourceVersion. Tests change slices, drop open watches,
 * compact history (a watch from an older version gets 410 Gone, as an ERROR
 * event or as the HTTP status) and make requests fail.
 */
export class TestKubeApi extends TestLoopbackApi {
  readonly slices = new Map<string, Slice>();
  readonly requests: {
    watch: boolean;
    resourceVersion: string | null;
    labelSelector: string | null;
  }[] = [];
  /** Versions below this are compacted: watching from them is 410 Gone. */
  compactedBelow = 0;
  /** How 410 is told: an ERROR event on a 200 stream (what API servers do) or the HTTP status. */
  goneAs: 'event' | 'status' = 'event';
  failing: number | undefined;
  private version = 100;
  /** Every change, so a watch from a resourceVersion gets what happened since, as API servers do. */
  private readonly history: { type: string; slice: Slice }[] = [];
  private readonly watchers = new Set<{ res: ServerResponse; selector: string | null }>();

  constructor(readonly namespace = 'default') {
    super();
  }

  /** Writes a kubeconfig that points at this server, as a user's would. */
  async writeKubeconfig(path: string): Promise<void> {
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: test\n  cluster:\n    server: ${this.url}\n    insecure-skip-tls-verify: true`,
        'users:',
        '- name: test\n  user:\n    token: test-token',
        'contexts:',
        `- name: test\n  context:\n    cluster: test\n    user: test\n    namespace: ${this.namespace}`,
        'current-context: test',
        '',
      ].join('\n'),
    );
  }

  /** Sets a slice (ADDED or MODIFIED to every watch) or deletes it with `endpoints: undefined`. */
  setSlice(
    name: string,
    service: string,
    port: number,
    endpoints: TestEndpoint[] | undefined,
  ): void {
    const resourceVersion = String(++this.version);
    const old = this.slices.get(name);
    if (!endpoints) {
      if (!old) return;
      this.slices.delete(name);
      this.broadcast('DELETED', { ...old, resourceVersion });
      return;
    }
    const slice = { name, service, port, endpoints, resourceVersion };
    this.slices.set(name, slice);
    this.broadcast(old ? 'MODIFIED' : 'ADDED', slice);
  }

  /** Ends every open watch stream from the server side, as an API server restart does. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  /** Forgets history: a watch resumed from any version seen so far gets 410 Gone. */
  compact(): void {
    this.compactedBelow = this.version + 1;
    this.version++;
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    await this.stopListening();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const watch = url.searchParams.get('watch') === 'true';
    const selector = url.searchParams.get('labelSelector');
    const resourceVersion = url.searchParams.get('resourceVersion');
    this.requests.push({ watch, resourceVersion, labelSelector: selector });
    if (url.pathname !== `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices`) {
      this.status(res, 404, 'NotFound', `the server could not find ${url.pathname}`);
      return;
    }
    if (this.failing) {
      this.status(res, this.failing, 'InternalError', 'the test made the API fail');
      return;
    }
    if (!watch) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'EndpointSliceList',
          apiVersion: 'discovery.k8s.io/v1',
          metadata: { resourceVersion: String(this.version) },
          items: [...this.slices.values()].filter((s) => matches(s, selector)).map(toObject),
        }),
      );
      return;
    }
    if (resourceVersion && Number(resourceVersion) < this.compactedBelow) {
      const message = `too old resource version: ${resourceVersion} (${this.compactedBelow})`;
      if (this.goneAs === 'status') {
        this.status(res, 410, 'Expired', message);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Expired', code: 410 } })}\n`,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = Number(resourceVersion ?? this.version);
    for (const event of this.history) {
      if (Number(event.slice.resourceVersion) > from && matches(event.slice, selector))
        res.write(`${JSON.stringify({ type: event.type, object: toObject(event.slice) })}\n`);
    }
    const watcher = { res, selector };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }

  private broadcast(type: string, slice: Slice): void {
    this.history.push({ type, slice });
    for (const w of this.watchers) {
      if (matches(slice, w.selector))
        w.res.write(`${JSON.stringify({ type, object: toObject(slice) })}\n`);
    }
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message,
        reason,
        code,
      }),
    );
  }
}

function matches(slice: Slice, selector: string | null): boolean {
  return !selector || selector === `kubernetes.io/service-name=${slice.service}`;
}

function toObject(slice: Slice) {
  return {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: {
      name: slice.name,
      namespace: 'default',
      resourceVersion: slice.resourceVersion,
      labels: { 'kubernetes.io/service-name': slice.service },
    },
    addressType: 'IPv4',
    ports: [{ name: 'mcp', port: slice.port, protocol: 'TCP' }],
    endpoints: slice.endpoints.map((e) => ({
      addresses: [e.address],
      conditions: {
        ready: e.ready ?? true,
        serving: e.serving ?? e.ready ?? true,
        terminating: e.terminating ?? false,
      },
      targetRef: { kind: 'Pod', namespace: 'default', name: e.pod },
    })),
  };
}
