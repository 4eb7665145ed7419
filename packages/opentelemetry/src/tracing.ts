import {
  type AttemptContext,
  type AttemptMiddleware,
  type CallMiddleware,
  type Detach,
  InvalidConfigError,
  type PoolPlugin,
  type RequestInfo,
  type ServerPool,
  type ServerView,
} from '@mcpool/core';
import {
  type Attributes,
  context,
  createNoopMeter,
  type Histogram,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { ATTR, requestAttributes, serverAttributes, spanName } from './attributes.js';
import { runBackground } from './background.js';
import {
  type AttemptNote,
  CALL,
  type CallHost,
  CallTrace,
  type TracedRequest,
} from './call-trace.js';
import { now } from './clock.js';
import { type ResolvedTracingOptions, resolveOptions, type TracingOptions } from './options.js';
import { followPoolEvents } from './pool-events.js';
import { VERSION } from './version.js';

const SCOPE = '@mcpool/opentelemetry';

/** Bucket boundaries the conventions advise for `mcp.client.operation.duration`, seconds. */
const DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** A note is for the attempt that starts right after it; an old one is stale. */
const NOTE_TTL_MS = 1_000;
const MAX_NOTES = 64;

/** A client that takes call middleware: `MultiServerClient` fits. */
export interface TraceableClient {
  readonly pool: ServerPool;
  use(middleware: CallMiddleware): () => void;
}

/**
 * OpenTelemetry for one pool and its clients. Install it with `pool.use()`,
 * then `traceClient(client)` for each client (before a cache's middleware, so
 * calls the cache answers are traced too).
 */
export interface McpoolTracing extends PoolPlugin {
  readonly name: 'opentelemetry';
  /** Wraps each attempt in a span and puts trace context into the request's `params._meta`. */
  readonly attempt: AttemptMiddleware;
  /** Wraps each whole call in a client span and records `mcp.client.operation.duration`. */
  readonly call: CallMiddleware;
  /** Called by `pool.use()`; one tracing per pool. */
  attach(pool: ServerPool): Detach;
  /** Traces a client's calls; returns what stops it. */
  traceClient(client: TraceableClient): () => void;
}

/**
 * Traces a pool by the OpenTelemetry MCP semantic conventions: a client span
 * per call (`tools/call add`), a child span per attempt on a server (retry,
 * fallback, hedge, fan-out member, majority vote), trace context in each
 * upstream request's `params._meta`, and the `mcp.client.operation.duration`
 * histogram. With no tracer or meter provider registered it does next to nothing.
 *
 * ```ts
 * const telemetry = tracing();
 * pool.use(telemetry);
 * telemetry.traceClient(client);
 * ```
 */
export function tracing(options: TracingOptions = {}): McpoolTracing {
  const opts = resolveOptions(options);
  const tracer: Tracer = opts.tracerProvider
    ? opts.tracerProvider.getTracer(SCOPE, VERSION)
    : trace.getTracer(SCOPE, VERSION);
  let pool: ServerPool | undefined;
  const notes: (AttemptNote & { at: number })[] = [];
  const servers = new Map<string, { view: ServerView; attributes: Attributes }>();

  const host: CallHost = {
    tracer,
    options: opts,
    takeNote(request: RequestInfo, server: ServerView) {
      const at = performance.now();
      for (let i = notes.length - 1; i >= 0; i--) {
        const n = notes[i] as AttemptNote & { at: number };
        if (at - n.at > NOTE_TTL_MS) {
          notes.splice(0, i + 1);
          break;
        }
        if (n.to === server.id && n.method === request.method && n.target === request.target) {
          notes.splice(i, 1);
          return n;
        }
      }
      return undefined;
    },
    server(server) {
      const known = servers.get(server.id);
      if (known && known.view === server) return known.attributes;
      const attributes = serverAttributes(server);
      servers.set(server.id, { view: server, attributes });
      return attributes;
    },
    breakerState(server) {
      if (opts.breakers) return opts.breakers.getState(server.id)?.state;
      if (!pool?.server(server.id)) return undefined;
      const reason = pool.exclusions(server.id).breaker;
      if (reason === undefined) return undefined;
      return reason.startsWith('circuit half-open') ? 'half-open' : 'open';
    },
    sessionId(server) {
      const ids = pool?.sessionIds(server.id);
      return ids?.length === 1 ? ids[0] : undefined;
    },
  };

  // The metrics API has no proxy: the meter is taken again when the global provider changes.
  let meterProvider: MeterProvider | undefined;
  let histogram: Histogram | undefined;
  const duration = (): Histogram | undefined => {
    const provider = opts.meterProvider ?? metrics.getMeterProvider();
    if (provider !== meterProvider) {
      meterProvider = provider;
      const meter = provider.getMeter(SCOPE, VERSION);
      histogram = isNoop(meter)
        ? undefined
        : meter.createHistogram('mcp.client.operation.duration', {
            unit: 's',
            description:
              'Duration of MCP calls as the client sees them, retries and fallbacks included.',
            advice: { explicitBucketBoundaries: DURATION_BUCKETS },
          });
    }
    return histogram;
  };

  const call: CallMiddleware = (ctx, next) => {
    const recorder = duration();
    const parent = context.active();
    // No provider, no metrics, no trace to carry on: the call runs as if untraced,
    // without so much as a no-op span (this path is the package's whole cost then).
    if (!recorder && !opts.tracerProvider && noProvider() && trace.getSpan(parent) === undefined) {
      return next(ctx);
    }
    const request = ctx.request;
    const name = spanName(request, opts.resourceUriInSpanName);
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: now() }, parent);
    if (!recorder && !span.isRecording() && !isSpanContextValid(span.spanContext())) {
      return next(ctx);
    }
    const base = requestAttributes(request);
    const metric: Attributes = { ...base, [ATTR.aggregation]: ctx.aggregation.name };
    delete metric[ATTR.resourceUri];
    if (span.isRecording()) {
      span.setAttributes(base);
      span.setAttribute(ATTR.aggregation, ctx.aggregation.name);
      if (pool) span.setAttribute(ATTR.balancer, pool.balancer.name);
      if (ctx.server !== undefined) span.setAttribute(ATTR.pinned, ctx.server);
    }
    const callContext = trace.setSpan(parent, span);
    const traced = new CallTrace(host, span, name, callContext, ctx);
    const request2: TracedRequest = { ...request, [CALL]: traced };
    const started = performance.now();
    let pending: Promise<unknown>;
    try {
      pending = context.with(callContext, () => next({ ...ctx, request: request2 }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (value) => {
        const attributes = traced.succeed(value, metric);
        recorder?.record((performance.now() - started) / 1000, attributes);
        return value;
      },
      (error: unknown) => {
        const attributes = traced.fail(error, ctx.signal?.aborted === true, metric);
        recorder?.record((performance.now() - started) / 1000, attributes);
        throw error;
      },
    );
  };

  const attempt: AttemptMiddleware = (ctx: AttemptContext, next) => {
    const traced = (ctx.request as TracedRequest)[CALL];
    if (traced !== undefined) return traced.attempt(ctx, next);
    return opts.background ? runBackground(host, ctx, next) : next();
  };

  return {
    name: 'opentelemetry',
    attempt,
    call,
    attach(target: ServerPool): Detach {
      if (pool) {
        throw new InvalidConfigError('tracing', [
          { path: '', message: 'is attached to a pool already: create one tracing() per pool' },
        ]);
      }
      pool = target;
      const stop = followPoolEvents(target, tracer, opts, (note) => {
        // Untraced calls never take their notes: keep only the latest few.
        if (notes.length >= MAX_NOTES) notes.shift();
        notes.push({ ...note, at: performance.now() });
      });
      return () => {
        stop();
        servers.clear();
        notes.length = 0;
        if (pool === target) pool = undefined;
      };
    },
    traceClient(client: TraceableClient): () => void {
      if (!pool || client.pool !== pool) {
        throw new InvalidConfigError('traceClient', [
          {
            path: 'client',
            message: pool
              ? "uses another pool than this tracing's: create one tracing() per pool"
              : 'runs on a pool this tracing is not installed on: call pool.use(tracing) first',
          },
        ]);
      }
      return client.use(call);
    },
  };
}

/** What a proxy without a delegate hands out: the API's no-op tracer provider. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** True when no tracer provider is registered globally. */
function noProvider(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider
    ? provider.getDelegate() === NOOP_TRACER_PROVIDER
    : provider === NOOP_TRACER_PROVIDER;
}

/** The API's no-op meter (no meter provider registered) records nothing: skip the work. */
function isNoop(meter: object): boolean {
  return meter === createNoopMeter();
}

export type { ResolvedTracingOptions };
