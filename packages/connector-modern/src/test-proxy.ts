import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/** A round-robin HTTP proxy on 127.0.0.1 in front of MCP servers, as a load balancer would be. */
export interface RoundRobinProxy {
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  /** Requests forwarded to each upstream URL. */
  readonly forwarded: Map<string, number>;
  /** Modern requests by their `Mcp-Method` header (what a router reads instead of the body). */
  readonly methods: Map<string, number>;
  /** Replaces the upstreams; later requests go to these. */
  setUpstreams(urls: readonly string[]): void;
  /** Rewrites the request headers before forwarding (an intermediary that gets them wrong). */
  rewrite: ((headers: IncomingHttpHeaders) => void) | undefined;
  close(): Promise<void>;
}

/** Starts a proxy that sends each request to the next upstream in turn, streaming the answer back. */
export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  let targets = [...upstreams];
  let next = 0;
  const forwarded = new Map<string, number>();
  const methods = new Map<string, number>();
  const sockets = new Set<Socket>();
  const proxy: { rewrite: RoundRobinProxy['rewrite'] } = { rewrite: undefined };
  const server = createServer((req, res) => {
    const target = targets[next++ % targets.length];
    if (target === undefined) {
      res.writeHead(502).end('no upstream');
      return;
    }
    forwarded.set(target, (forwarded.get(target) ?? 0) + 1);
    const method = req.headers['mcp-method'];
    if (typeof method === 'string') methods.set(method, (methods.get(method) ?? 0) + 1);
    const url = new URL(target);
    const headers = { ...req.headers, host: url.host };
    proxy.rewrite?.(headers);
    const upstream = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('upstream failed');
      else res.destroy();
    });
    // The client closing its side (an abort) closes the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}/mcp`,
    forwarded,
    methods,
    setUpstreams: (urls) => {
      targets = [...urls];
    },
    get rewrite() {
      return proxy.rewrite;
    },
    set rewrite(value) {
      proxy.rewrite = value;
    },
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await stopped;
    },
  };
}
