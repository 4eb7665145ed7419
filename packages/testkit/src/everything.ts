import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import type {
  TestStdioTransportConfig,
  TestStreamableHttpTransportConfig,
} from './transport-config.js';
import { delay, freePort } from './wait.js';

/** Absolute path of `@modelcontextprotocol/server-everything`'s launcher (`dist/index.js`). */
export function everythingEntry(): string {
  // The package has no `exports` or `main`, so resolve the file itself; createRequire works both
  // from dist/ and under vitest (which does not support import.meta.resolve).
  return createRequire(import.meta.url).resolve(
    '@modelcontextprotocol/server-everything/dist/index.js',
  );
}

/** Transport config that spawns the reference "everything" server over stdio. */
export function everythingStdioConfig(): TestStdioTransportConfig & { args: string[] } {
  return { type: 'stdio', command: process.execPath, args: [everythingEntry(), 'stdio'] };
}

/** A running "everything" server child speaking Streamable HTTP. */
export interface EverythingHttpServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  readonly transport: TestStreamableHttpTransportConfig;
  /** Kills the child and waits for it to exit. */
  close(): Promise<void>;
}

/** Options for {@link startEverythingHttp}. */
export interface StartEverythingHttpOptions {
  /** How long to wait for the port to accept connections. Default 10000. */
  timeoutMs?: number;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await done;
  clearTimeout(timer);
}

/**
 * Starts the reference "everything" server over Streamable HTTP on a free port and waits until
 * it accepts connections. It reads its port from `PORT` and cannot be told a host: it listens on
 * every interface (`::`), so it is reachable on 127.0.0.1 but not only there.
 */
export async function startEverythingHttp(
  options: StartEverythingHttpOptions = {},
): Promise<EverythingHttpServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let lastFailure = '';
  // freePort() can race with another process; the child then exits with EADDRINUSE, so retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [everythingEntry(), 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      // stdout carries per-request chatter; nobody reads it, and an unread pipe could fill up.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    const deadline = Date.now() + timeoutMs;
    let ready = false;
    while (Date.now() < deadline) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
      if (await accepts(port)) {
        ready = true;
        break;
      }
      await delay(50);
    }
    if (ready) {
      const url = `http://127.0.0.1:${port}/mcp`;
      return {
        port,
        url,
        transport: { type: 'streamable-http', url },
        close: () => stop(child),
      };
    }
    const exitedEarly = child.exitCode !== null || child.signalCode !== null || spawnError;
    await stop(child);
    lastFailure = spawnError
      ? spawnError.message
      : `exit code ${child.exitCode ?? child.signalCode}; stderr: ${stderr.trim()}`;
    if (!exitedEarly) {
      throw new Error(
        `server-everything did not accept connections on ${port} within ${timeoutMs} ms; stderr: ${stderr.trim()}`,
      );
    }
    if (!stderr.includes('EADDRINUSE') && !stderr.includes('already in use')) break;
  }
  throw new Error(`server-everything failed to start: ${lastFailure}`);
}
