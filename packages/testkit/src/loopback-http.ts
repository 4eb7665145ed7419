import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The largest request body a test server reads. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Starts an HTTP server on 127.0.0.1 (only loopback: test servers must never
 * be reachable from the network) that runs `handle` for each request,
 * answers a handler's failure with `fail` (or drops the connection once
 * headers went out), and tracks its sockets in `sockets` so a kill can cut them.
 */
export async function listenOnLoopback(
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  fail: (res: ServerResponse, error: unknown) => void,
  sockets: Set<Socket>,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) fail(res, error);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port };
}

/** A request's whole body as text; throws past 4 MiB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Stops a loopback server at once, as a killed process would stop: no new
 * connections, every open one cut (`sockets` as given to `listenOnLoopback`).
 * Resolves once the server is closed.
 */
export function stopAbruptly(server: Server, sockets: Set<Socket>): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  server.closeAllConnections();
  return stopped;
}
