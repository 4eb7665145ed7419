#!/usr/bin/env node
/**
 * The mcpool demo. Starts three MCP servers on 127.0.0.1 as separate
 * processes (or uses MCP_SERVERS), puts them in one pool with health checks,
 * a circuit breaker and metrics, runs a scenario you can follow in the
 * terminal and on the live page, and checks that every step did what it says.
 *
 *   mcpool-demo            run the scenario, then keep serving the page (Ctrl-C to stop)
 *   mcpool-demo --once     run the scenario once; exit 0 only if every step passed
 */
import { parseArgs } from 'node:util';
import { balancerFromEnv } from '@mcpool/balancers';
import { CircuitBreakers } from '@mcpool/circuit-breaker';
import {
  InvalidConfigError,
  McpoolError,
  MultiServerClient,
  type ServerConfig,
  ServerPool,
  serversFromEnv,
} from '@mcpool/core';
import { HealthChecker } from '@mcpool/health';
import { prometheusExporter } from '@mcpool/prometheus';
import { Dashboard } from './dashboard.js';
import { createLogger, logPoolEvents } from './log.js';
import { STEPS, type StepResult, textOf } from './scenario.js';
import { DemoServerProcess } from './server-process.js';
import { Terminal } from './terminal.js';
import { demoTraces } from './traces.js';

export interface DemoOptions {
  /** Run the scenario once and return. @default false */
  once?: boolean;
  /** Port of the live page and /metrics; 0 picks a free one. @default 8080 */
  port?: number;
  /** How many demo servers to start when MCP_SERVERS is not set. @default 3 */
  servers?: number;
  /** @default 'app.log' */
  logFile?: string;
  /** No terminal output. @default false */
  quiet?: boolean;
  env?: Record<string, string | undefined>;
  /** Called once the page is up. */
  onListening?: (url: string) => void;
  /** Ends the demo when aborted (after the scenario when not `once`). */
  signal?: AbortSignal;
}

export interface DemoReport {
  ok: boolean;
  url: string;
  steps: { name: string; ok: boolean; detail: string; skipped: boolean }[];
}

/** Runs the demo; resolves with what each step found. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const env = options.env ?? process.env;
  const terminal = new Terminal(process.stdout, options.quiet ?? false);
  const log = createLogger(options.logFile ?? 'app.log');
  // Configuration first, so a mistake is reported before anything starts.
  const external = serversFromEnv(env);
  const balancer = balancerFromEnv(env);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidConfigError('demo options', [
      {
        path: 'port',
        message: `"${options.port}" is not a port number; give 0-65535 (0 picks a free port)`,
      },
    ]);
  }
  const processes: DemoServerProcess[] = [];
  const configs: ServerConfig[] = [];
  if (external.length > 0) {
    configs.push(...external);
  } else {
    const count = options.servers ?? 3;
    for (let i = 1; i <= count; i++) {
      processes.push(new DemoServerProcess(`calc-${i}`));
    }
    terminal.write(`Starting ${count} MCP servers on 127.0.0.1…\n`);
    await Promise.all(processes.map((p) => p.start()));
    processes.forEach((p, i) => {
      // Weights 3:2:1 and falling priorities, so the strategies differ visibly.
      configs.push({
        id: p.id,
        name: `Calculator ${i + 1}`,
        transport: { type: 'streamable-http', url: p.url },
        weight: Math.max(1, count - i),
        priority: (count - i) * 5,
      });
    });
  }

  const pool = new ServerPool({
    balancer,
    connectionTimeout: 5_000,
    reconnect: { baseMs: 200, maxMs: 2_000 },
  });
  const health = new HealthChecker({
    interval: 1_000,
    timeout: 500,
    maxFailures: 2,
    // Outlier detection ejects at once on refused connections; error rates are the breaker's.
    outlierDetection: { consecutiveErrors: 50, baseEjectionTime: 1_500, maxEjectionTime: 5_000 },
  });
  const breaker = new CircuitBreakers({
    volumeThreshold: 5,
    errorThresholdPercentage: 50,
    rollingCountTimeout: 2_000,
    resetTimeout: 3_000,
  });
  const exporter = prometheusExporter({ breakerState: (id) => breaker.getState(id)?.state });
  pool.use(health);
  pool.use(breaker);
  pool.use(exporter);
  const unlog = logPoolEvents(pool, log);
  for (const c of configs) pool.addServer(c);

  const client = new MultiServerClient(pool, {
    maxRetries: 0,
    fallback: { enabled: true, order: configs.map((c) => c.id) },
    attemptTimeout: 2_000,
    requestTimeout: 8_000,
  });
  // Traces of every call, kept in memory for the page's waterfall (and exported when OTEL_* says so).
  let currentStep = 'starting';
  const traces = demoTraces({ step: () => currentStep, env });
  pool.use(traces.tracing);
  traces.tracing.traceClient(client);
  exporter.observeClient(client);
  const dashboard = new Dashboard({
    pool,
    client,
    port,
    metrics: exporter.handler,
    traces: () => traces.waterfalls(),
  });
  currentStep = 'first call';
  const report: DemoReport = { ok: true, url: '', steps: [] };
  try {
    report.url = await dashboard.listen();
    terminal.write(
      `Live page: ${report.url}/   metrics: ${report.url}/metrics   log: ${options.logFile ?? 'app.log'}\n`,
    );
    options.onListening?.(report.url);
    await pool.start();
    log.info(
      { servers: configs.map((c) => c.id), strategy: pool.balancer.name },
      `Load balancing: pool started with ${pool.balancer.name}`,
    );
    const first = await client.callTool({ name: 'add', arguments: { a: 5, b: 3 } });
    terminal.write(`add(5, 3) through the pool = ${textOf(first)}\n`);

    dashboard.state.steps = STEPS.map((s) => ({ name: s.name, ok: undefined, detail: '' }));
    for (const [i, step] of STEPS.entries()) {
      terminal.step(i + 1, STEPS.length, step.name);
      dashboard.state.step = step.name;
      currentStep = step.name;
      let result: StepResult;
      if (step.needsProcesses && processes.length === 0) {
        result = {
          ok: true,
          skipped: true,
          detail:
            'skipped: the servers come from MCP_SERVERS, so the demo cannot kill or slow them',
        };
      } else {
        try {
          result = await step.run({
            pool,
            client,
            processes,
            log,
            terminal,
            dashboard,
            breakerState: (id) => breaker.getState(id)?.state ?? 'none',
          });
        } catch (error) {
          result = {
            ok: false,
            detail: `failed: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
      }
      terminal.result(result.ok, result.detail);
      log.info({ step: step.name, ok: result.ok, detail: result.detail }, `Step: ${step.name}`);
      const shown = dashboard.state.steps[i];
      if (shown) Object.assign(shown, { ok: result.ok, detail: result.detail });
      report.steps.push({
        name: step.name,
        ok: result.ok,
        detail: result.detail,
        skipped: result.skipped ?? false,
      });
      report.ok &&= result.ok;
      dashboard.sample();
    }
    dashboard.state.step = report.ok
      ? 'finished: every step passed'
      : 'finished: some steps failed';
    const m = client.getMetrics();
    terminal.write(
      `\n${report.ok ? 'Every step passed.' : 'Some steps FAILED.'} ${m.totalRequests} calls, ${m.retries} retries, ${m.fallbackUsed} fallbacks.\n`,
    );

    if (!options.once) {
      terminal.write(`The page stays up at ${report.url}/ — press Ctrl-C to stop.\n`);
      await idle(pool, client, options.signal);
    }
  } finally {
    unlog();
    await dashboard.close();
    await client.close();
    await pool.close();
    await traces.close();
    await Promise.all(processes.map((p) => p.close()));
    log.flush();
  }
  return report;
}

/**
 * Keeps a gentle load on the pool for the page (for at most ten minutes, so
 * the loop ends by itself), then keeps serving the page until Ctrl-C.
 */
async function idle(
  pool: ServerPool,
  client: MultiServerClient,
  signal: AbortSignal | undefined,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  const until = Date.now() + 10 * 60_000;
  try {
    while (!stop.signal.aborted && Date.now() < until && !pool.isClosed) {
      await client.callTool({ name: 'server_info', arguments: {} }).catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!stop.signal.aborted) {
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function isPortInUse(error: unknown): boolean {
  return error instanceof Error && error.message.includes('is in use');
}

const invoked = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invoked) {
  const { values } = parseArgs({
    options: {
      once: { type: 'boolean', default: false },
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      servers: { type: 'string', default: '3' },
      log: { type: 'string', default: 'app.log' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: mcpool-demo [--once] [--port 8080] [--servers 3] [--log app.log]\n' +
        'Environment: MCP_SERVERS (use these servers instead of starting demo servers),\n' +
        '             LOAD_BALANCING_STRATEGY (round_robin, weighted, least_connections, priority, random, p2c, p2c_ewma, consistent_hash)\n',
    );
  } else {
    try {
      const report = await runDemo({
        once: values.once,
        port: Number(values.port),
        servers: Number(values.servers),
        logFile: values.log,
      });
      process.exitCode = report.ok ? 0 : 1;
    } catch (error) {
      // Configuration and environment problems: say what to fix, without a stack trace.
      const known = McpoolError.isInstance(error) || isPortInUse(error);
      const message = known
        ? (error as Error).message
        : error instanceof Error
          ? error.stack
          : String(error);
      process.stderr.write(`mcpool-demo: ${message}\n`);
      process.exitCode = 2;
    }
  }
}
