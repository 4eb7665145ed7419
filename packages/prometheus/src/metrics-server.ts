import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOptions, optionOf } from '@mcpool/core/internal';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { type MetricsHandler, metricsHandler } from './metrics-handler.js';

/** Options of a metrics server. Every one is optional. */
export interface MetricsServerOptions {
  /** 0 picks a free port (see `MetricsServer.port`). @default 9464 (the Prometheus exporter default for OpenTelemetry) */
  port?: number | undefined;
  /** Interface to listen on; use '0.0.0.0' or '::' only where the scraper cannot reach you otherwise. @default '127.0.0.1' */
  host?: string | undefined;
  /** Path that serves the metrics; every other path answers 404. @default '/metrics' */
  path?: string | undefined;
  /** Aborting it closes the server (or stops it from starting). */
  signal?: AbortSignal | undefined;
}

/** A running metrics server. */
export interface MetricsServer {
  /** Full address of the metrics, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly host: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** Stops listening and drops open keep-alive connections; leaves no handle behind. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Where a metrics server listens, as zod checks it. */
const metricsServerOptionsSchema = z.object({
  port: optionOf<number>(
    (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65_535,
    'must be an integer from 0 to 65535',
  ),
  host: optionOf<string>(
    (v) => typeof v === 'string' && v !== '',
    'give an interface address, e.g. 127.0.0.1',
  ),
  path: optionOf<string>((v) => typeof v === 'string' && v.startsWith('/'), 'must start with "/"'),
});

/**
 * Starts an HTTP server for Prometheus to scrape. Give it a registry (or the
 * handler of an exporter); `exporter.startMetricsServer()` does this for you.
 */
export async function startMetricsServer(
  options: MetricsServerOptions &
    (
      | { registry: Registry; handler?: undefined }
      | { handler: MetricsHandler; registry?: undefined }
    ),
): Promise<MetricsServer> {
  const port = options.port ?? 9464;
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const given =
    options.handler ?? (options.registry ? metricsHandler(options.registry) : undefined);
  const extra = given ? [] : [{ path: 'registry', message: 'give a registry or a handler' }];
  checkOptions('metrics server options', metricsServerOptionsSchema, { port, host, path }, extra);
  const handler = given as MetricsHandler; // checkOptions threw without one
  const signal = options.signal;
  signal?.throwIfAborted();

  const server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname === path) {
      handler(req, res);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Not found. The metrics are at ${path}\n`);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      handleReleased().then(() => reject(error), reject);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      signal?.removeEventListener('abort', onAbort);
      server.close((error) => (error ? reject(error) : handleReleased().then(resolve, reject)));
      // close() waits for idle keep-alive sockets; a scraper's never go idle long enough.
      server.closeAllConnections();
    });
    return closing;
  };
  const onAbort = () => {
    close().catch(() => {});
  };
  if (signal?.aborted) {
    await close();
    signal.throwIfAborted();
  }
  signal?.addEventListener('abort', onAbort, { once: true });

  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}${path}`,
    host,
    port: bound,
    server,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * libuv frees a closed handle in the close phase of its loop, after the JS
 * close callback has run; two turns of the check phase are sure to span one,
 * so that once `close()` resolves not even a closing handle is left.
 */
async function handleReleased(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
