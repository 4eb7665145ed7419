import { parseArgs } from 'node:util';
import type { InvalidConfigError } from '@mcpool/core';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import type { GatewayTelemetry } from './telemetry.js';
import type { UpstreamExtension } from './upstream.js';
import { VERSION } from './version.js';

// Only what `--help` needs is imported up front: a host that spawns `mcpool`
// should not wait for the SDK, zod and pino to load before it even gets help.

/** Where the CLI writes and how it stops; tests and embedders can replace each. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborts when the process is asked to stop (SIGINT, SIGTERM). */
  signal?: AbortSignal | undefined;
}

/** Exit codes: 0 fine, 1 a server or the gateway failed, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const MAIN_HELP = `mcpool ${VERSION}: many MCP servers as one

Usage:
  mcpool serve [--config FILE] [--http [HOST:]PORT] [options]
  mcpool check [--config FILE] [--timeout MS] [--json]
  mcpool help [serve | check | config]

Commands:
  serve   Run the gateway: one MCP server in front of every configured server,
          over stdio (for desktop hosts) or Streamable HTTP
  check   Connect to every configured server and print its health, latency and tools
  help    Show help for a command, or "help config" for the configuration file

Options:
  -h, --help       Show help (after a command: that command's help)
  -v, --version    Print the version
`;

const SERVE_HELP = `Usage: mcpool serve [options]

Serves every server of the configuration as one MCP server. Without --http it
speaks MCP on stdin/stdout, for a desktop host that starts it:
  { "mcpServers": { "pool": { "command": "mcpool", "args": ["serve", "--config", "/path/mcpool.json"] } } }

Options:
  -c, --config FILE         Configuration file (default: ./mcpool.json)
      --http [HOST:]PORT    Serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio
                            (HOST defaults to 127.0.0.1; overrides http.host/http.port)
      --token TOKEN         Require "Authorization: Bearer TOKEN" over HTTP; prefer the
                            MCPOOL_TOKEN environment variable (arguments are visible in ps)
      --allow-host NAME     Also accept this Host header (repeatable); loopback names are
                            always accepted; needed when clients reach you by another name
      --allow-origin ORIGIN Also accept this browser Origin (repeatable)
      --metrics [HOST:]PORT Serve Prometheus metrics at http://HOST:PORT/metrics
      --log FILE            Write JSON logs (pino) to FILE, or "-" for stderr
      --log-level LEVEL     trace, debug, info, warn or error (default: info)
  -h, --help                Show this help

Each downstream client gets its own upstream sessions; servers marked
"stateless": true share one pool among all clients.
`;

const CHECK_HELP = `Usage: mcpool check [options]

Connects to every configured server in parallel, pings it and lists its tools,
then prints a table. Exits 1 when any server is down.

Options:
  -c, --config FILE   Configuration file (default: ./mcpool.json)
      --timeout MS    Budget to connect to and ping each server (default: 10000)
      --json          Print JSON instead of the table
  -h, --help          Show this help

Only names and figures are printed: no URL, command, header or environment value.
`;

const CONFIG_HELP = `The configuration file is the "mcpServers" format desktop hosts use, plus
mcpool's options (all optional):

{
  "mcpServers": {
    "calc-1": { "command": "node", "args": ["calc.js"], "env": { "KEY": "\${env:CALC_KEY}" } },
    "calc-2": { "url": "http://127.0.0.1:8081/mcp", "headers": { "Authorization": "Bearer \${env:TOKEN}" } },
    "search": { "url": "http://127.0.0.1:8082/mcp", "stateless": true, "weight": 2 }
  },
  "strategy": "round_robin",        // round_robin, weighted, least_connections, priority,
                                    // random, p2c, p2c_ewma, consistent_hash
  "aggregation": "first",           // first, all, fastest, majority
  "namespacing": { "policy": "prefix-on-conflict", "separator": "__" },
  "timeouts": { "connect": 30000, "request": 30000, "attempt": 10000, "idle": 300000 },
  "retries": { "max": 3, "safeTools": ["search"], "unsafeTools": [], "budget": { "ratio": 0.2 } },
  "fallback": { "enabled": true, "order": ["calc-1", "calc-2"] },
  "maxConnectionsPerServer": 1,
  "health": { "interval": 10000 },  // needs @mcpool/health
  "breaker": { "volumeThreshold": 5 },  // needs @mcpool/circuit-breaker
  "cache": { "ttl": { "tool": 5000 } },  // needs @mcpool/cache
  "telemetry": { "endpoint": "http://127.0.0.1:4318", "samplingRatio": 0.1 },
                                    // OTLP traces; needs @mcpool/opentelemetry and the
                                    // OpenTelemetry SDK; OTEL_* variables win
  "http": { "host": "127.0.0.1", "port": 3333, "token": "\${env:MCPOOL_TOKEN}",
            "allowedHosts": [], "allowedOrigins": [], "maxBodyBytes": 4194304 }
}

Server entries also take "stateless", "weight", "priority", "tags",
"maxConnections" and "disabled". "\${env:NAME}" is replaced by the environment
variable NAME anywhere in the file. (The file is JSON: no comments.)
`;

function parseHostPort(value: string, what: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`${what}: give [HOST:]PORT, e.g. 127.0.0.1:3333 (got "${value}")`);
  }
  const host = m[1] ?? '127.0.0.1';
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

class UsageError extends Error {}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function printConfigError(io: CliIo, file: string, error: InvalidConfigError): void {
  io.err(`mcpool: ${file} is not a valid configuration:\n`);
  for (const issue of error.issues) io.err(`  - ${issue.path || '(root)'}: ${issue.message}\n`);
}

/** Runs the `mcpool` command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
        io.out(MAIN_HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case '-v':
      case '--version':
        io.out(`${VERSION}\n`);
        return EXIT.ok;
      case 'help': {
        const topic = rest[0];
        const text =
          topic === 'serve'
            ? SERVE_HELP
            : topic === 'check'
              ? CHECK_HELP
              : topic === 'config'
                ? CONFIG_HELP
                : topic === undefined
                  ? MAIN_HELP
                  : undefined;
        if (text === undefined) throw new UsageError(`no help for "${topic}"`);
        io.out(text);
        return EXIT.ok;
      }
      case 'serve':
        return await serve(rest, io);
      case 'check':
        return await check(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`mcpool: ${(error as Error).message}\nRun "mcpool --help" for usage.\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

function isConfigError(error: unknown): error is InvalidConfigError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'INVALID_CONFIG' &&
    Array.isArray((error as { issues?: unknown }).issues)
  );
}

async function readConfig(file: string, io: CliIo): Promise<GatewayConfig | undefined> {
  const { loadGatewayConfig } = await import('./config.js');
  try {
    return await loadGatewayConfig(file, io.env);
  } catch (error) {
    if (isConfigError(error)) {
      printConfigError(io, file, error);
      return undefined;
    }
    throw error;
  }
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string', short: 'c', default: 'mcpool.json' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(CHECK_HELP);
    return EXIT.ok;
  }
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError('--timeout: give a positive number of milliseconds');
  }
  const config = await readConfig(values.config, io);
  if (!config) return EXIT.usage;
  const { checkServers, formatCheckTable } = await import('./check.js');
  const rows = await checkServers(config, { timeoutMs, signal: io.signal });
  if (values.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else io.out(formatCheckTable(rows));
  return rows.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
}

async function createLogger(target: string, level: string): Promise<Logger> {
  const { pino } = await import('pino');
  return pino(
    { level, base: { app: 'mcpool' }, timestamp: pino.stdTimeFunctions.isoTime },
    target === '-'
      ? pino.destination({ dest: 2, sync: true })
      : pino.destination({ dest: target, sync: true, mkdir: true }),
  );
}

async function serve(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string', short: 'c', default: 'mcpool.json' },
      http: { type: 'string' },
      token: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'allow-origin': { type: 'string', multiple: true },
      metrics: { type: 'string' },
      log: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(SERVE_HELP);
    return EXIT.ok;
  }
  const level = values['log-level'];
  if (!LOG_LEVELS.includes(level)) {
    throw new UsageError(`--log-level: give one of ${LOG_LEVELS.join(', ')}`);
  }
  const listen = values.http === undefined ? undefined : parseHostPort(values.http, '--http');
  const metricsAt =
    values.metrics === undefined ? undefined : parseHostPort(values.metrics, '--metrics');
  const token = values.token ?? io.env.MCPOOL_TOKEN;
  if (token !== undefined && token.length < 16) {
    throw new UsageError('--token: use a token of at least 16 characters');
  }
  for (const origin of values['allow-origin'] ?? []) {
    if (!URL.canParse(origin)) throw new UsageError(`--allow-origin: "${origin}" is not a URL`);
  }

  const config = await readConfig(values.config, io);
  if (!config) return EXIT.usage;

  const [{ gatewayOptionsFromConfig }, { Gateway }, { startHttpGateway }, { loggingExtension }] =
    await Promise.all([
      import('./from-config.js'),
      import('./gateway.js'),
      import('./http.js'),
      import('./logger.js'),
    ]);
  const { createRedactor } = await import('./redact.js');
  const { serveStdio } = await import('./stdio.js');
  const logger = values.log === undefined ? undefined : await createLogger(values.log, level);
  const metrics: GatewayMetrics | undefined = metricsAt
    ? (await import('./metrics.js')).gatewayMetrics()
    : undefined;
  const redact = createRedactor(config.servers, [config.http.token, token]);
  const extensions: UpstreamExtension[] = [];
  let telemetry: GatewayTelemetry | undefined;
  try {
    telemetry = await (await import('./telemetry.js')).startTelemetry(
      config.telemetry,
      io.env,
      (message) => io.err(`mcpool: warning: ${message}\n`),
    );
  } catch (error) {
    if (!isConfigError(error)) throw error;
    printConfigError(io, values.config, error);
    return EXIT.usage;
  }
  if (telemetry) {
    io.err(
      `mcpool: traces to ${telemetry.endpoint} as ${telemetry.serviceName}, sampling ${telemetry.samplingRatio}\n`,
    );
  }
  // First, so that calls a cache answers are traced too.
  if (telemetry) extensions.push(telemetry.extension);
  if (metrics) extensions.push(metrics.extension);
  if (logger) extensions.push(loggingExtension(logger, redact));
  let options: Awaited<ReturnType<typeof gatewayOptionsFromConfig>>;
  try {
    options = await gatewayOptionsFromConfig(config, {
      logger,
      extensions,
      secrets: [token],
    });
  } catch (error) {
    if (isConfigError(error)) {
      printConfigError(io, values.config, error);
      return EXIT.usage;
    }
    throw error;
  }

  const gateway = new Gateway(
    telemetry ? { ...options, traceRequest: telemetry.traceRequest } : options,
  );
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  io.signal?.addEventListener('abort', () => stop(), { once: true });
  const shutdown: (() => Promise<void>)[] = [];
  try {
    if (metrics && metricsAt) {
      const server = await metrics.listen(metricsAt.host, metricsAt.port);
      shutdown.push(() => metrics.close());
      io.err(`mcpool: metrics at ${server.url}\n`);
    }
    if (listen) {
      const http = config.http;
      const allowedHosts = [...(http.allowedHosts ?? []), ...(values['allow-host'] ?? [])];
      const allowedOrigins = [...(http.allowedOrigins ?? []), ...(values['allow-origin'] ?? [])];
      const served = await startHttpGateway(gateway, {
        ...http,
        host: listen.host,
        port: listen.port,
        ...(token !== undefined ? { token } : {}),
        allowedHosts,
        allowedOrigins,
      });
      shutdown.unshift(() => served.close());
      const loopback = ['127.0.0.1', 'localhost', '::1'].includes(listen.host);
      if (!loopback && allowedHosts.length === 0) {
        io.err(
          `mcpool: listening on ${listen.host}, but only loopback Host headers are accepted; add --allow-host NAME for the name clients use\n`,
        );
      }
      if (!loopback && (token ?? http.token) === undefined) {
        io.err('mcpool: warning: listening beyond loopback without a bearer token\n');
      }
      io.err(`mcpool: serving ${config.servers.length} servers at ${served.url}\n`);
      logger?.info({ url: served.url, servers: config.servers.length }, 'serving over HTTP');
    } else {
      const session = await serveStdio(gateway);
      void session.closed.then(() => stop());
      logger?.info({ servers: config.servers.length }, 'serving over stdio');
    }
    await stopped;
    return EXIT.ok;
  } finally {
    for (const close of shutdown) await close().catch(() => {});
    await gateway.close();
    await telemetry?.shutdown();
    logger?.flush();
  }
}
