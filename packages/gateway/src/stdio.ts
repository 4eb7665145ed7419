import { PassThrough, type Readable, type Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  StdioServerTransport as ModernStdioTransport,
  serveStdio as serveModernStdio,
} from '@modelcontextprotocol/server/stdio';
import type { Gateway } from './gateway.js';
import { ModernTenant } from './modern.js';
import type { GatewaySession } from './session.js';

/** Where the stdio session reads and writes. @default process.stdin / process.stdout */
export interface StdioGatewayOptions {
  stdin?: Readable | undefined;
  stdout?: Writable | undefined;
}

/** The first line's bytes and a stream that gives them again, followed by the rest of `stdin`. */
async function peekFirstLine(stdin: Readable): Promise<{ line: string; replay: Readable }> {
  const chunks: Buffer[] = [];
  const line = await new Promise<string>((resolve) => {
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      if (buffer.includes(0x0a)) done();
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.off('close', done);
      stdin.pause();
      const all = Buffer.concat(chunks).toString('utf8');
      const at = all.indexOf('\n');
      resolve(at < 0 ? all : all.slice(0, at));
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('close', done);
  });
  const replay = new PassThrough();
  for (const chunk of chunks) replay.write(chunk);
  if (stdin.readableEnded || stdin.destroyed) replay.end();
  else stdin.pipe(replay);
  return { line, replay };
}

/**
 * Whether the opening message is of the modern era: a request carrying the
 * 2026-07-28 `_meta` envelope claim. An `initialize`, anything without the
 * claim, or a line that is not JSON opens a legacy session (which answers
 * bad JSON as it always did).
 */
function opensModern(line: string): boolean {
  try {
    const message = JSON.parse(line) as {
      method?: unknown;
      params?: { _meta?: Record<string, unknown> };
    };
    if (message.method === 'initialize') return false;
    return message.params?._meta?.['io.modelcontextprotocol/protocolVersion'] !== undefined;
  } catch {
    return false;
  }
}

/**
 * Serves one downstream client (a desktop host that spawned `mcpool serve`)
 * over stdin/stdout, in the era its first message opens: `initialize` (or
 * any message without the 2026-07-28 envelope) serves a legacy session as
 * before; a modern request is served by the v2 SDK's `serveStdio` with no
 * session, answered by the gateway's pools. Resolves once the first message
 * is read; the session closes when stdin ends.
 */
export async function serveStdio(
  gateway: Gateway,
  options: StdioGatewayOptions = {},
): Promise<GatewaySession> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const { line, replay } = await peekFirstLine(stdin);
  const session = opensModern(line)
    ? await serveModern(gateway, replay, stdout)
    : await gateway.connect(new StdioServerTransport(replay, stdout));
  // The stdio transports do not notice the end of their input; the host closing our stdin is the end.
  const onEnd = () => {
    void session.close();
  };
  if (stdin.readableEnded || stdin.destroyed) onEnd();
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  void session.closed.then(() => {
    stdin.off('end', onEnd);
    stdin.off('close', onEnd);
  });
  return session;
}

async function serveModern(
  gateway: Gateway,
  input: Readable,
  stdout: Writable,
): Promise<GatewaySession> {
  const tenant = new ModernTenant(gateway, '');
  let pinned: ReturnType<ModernTenant['createServer']> | undefined;
  // The pinned instance's change notifications reach the connection's listen subscriptions.
  tenant.follow((notification) => {
    pinned
      ?.notification(notification as Parameters<NonNullable<typeof pinned>['notification']>[0])
      .catch(() => {});
  });
  const session = await tenant.ready();
  const handle = serveModernStdio(
    () => {
      pinned = tenant.createServer(gateway.serverInfo, gateway.instructions);
      return pinned;
    },
    { legacy: 'reject', transport: new ModernStdioTransport(input, stdout) },
  );
  void session.closed.then(async () => {
    await handle.close().catch(() => {});
    await tenant.close();
  });
  return session;
}
