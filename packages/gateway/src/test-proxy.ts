// Test-only (tsconfig.build.json excludes src/test-*.ts): the round-robin proxy the replica tests put in front of `mcpool serve --http` processes.
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the proxy forwarded: to which replica, its HTTP method and its JSON-RPC method. */
export interface Hop {
  replica: number;
  method: string;
  rpc: string | undefined;
}

/**
 * A round-robin HTTP proxy on 127.0.0.1, as a Kubernetes Service or a load
 * balancer would be: each request goes to the next replica; a request whose
 * replica fails before answering (refused, reset) is sent to the next one,
 * as Envoy's `retry_on: reset,connect-failure` does for idempotent calls.
 */
export async function roundRobinProxy(targets: readonly string[]) {
  const hops: Hop[] = [];
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  let next = 0;
  let retried = 0;
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    tries: number,
  ): void => {
    const replica = next++ % targets.length;
    const target = new URL(targets[replica] as string);
    let rpc: string | undefined;
    try {
      rpc =
        body.length > 0 ? (JSON.parse(body.toString()) as { method?: string }).method : undefined;
    } catch {
      rpc = undefined;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        hops.push({ replica, method: req.method ?? '', rpc });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('error', () => res.destroy());
        res.once('close', () => answer.destroy());
      },
    );
    upstream.once('error', () => {
      if (res.headersSent) {
        res.destroy();
      } else if (tries < targets.length) {
        retried++;
        forward(req, res, body, tries + 1);
      } else {
        res.writeHead(502).end();
      }
    });
    upstream.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => forward(req, res, Buffer.concat(chunks), 1));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    hops,
    retried: () => retried,
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
