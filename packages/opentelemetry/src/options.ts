import { type ConfigIssue, InvalidConfigError } from '@mcpool/core';
import type { MeterProvider, TextMapPropagator, TracerProvider } from '@opentelemetry/api';

/** Reads a server's circuit: `CircuitBreakers` of `@mcpool/circuit-breaker` fits. */
export interface BreakerStates {
  getState(serverId: string): { readonly state: string } | undefined;
}

/** Options of {@link tracing}. Every one is optional. */
export interface TracingOptions {
  /** Where spans go. @default the global tracer provider (`trace.setGlobalTracerProvider`) */
  tracerProvider?: TracerProvider | undefined;
  /** Where `mcp.client.operation.duration` goes. @default the global meter provider */
  meterProvider?: MeterProvider | undefined;
  /**
   * Writes trace context into each upstream request's `params._meta`.
   * @default the global propagator; W3C `traceparent`/`tracestate` when none is registered
   */
  propagator?: TextMapPropagator | undefined;
  /** Put the resource URI into `resources/read` span names (high cardinality). @default false */
  resourceUriInSpanName?: boolean | undefined;
  /** Circuit breakers whose state each attempt span records. @default read from the pool's exclusions */
  breakers?: BreakerStates | undefined;
  /** Which pool events become short spans of their own. */
  events?:
    | {
        /** Servers leaving and re-entering selection (health, outlier, breaker), connecting, disconnecting. @default true */
        serverState?: boolean | undefined;
        /** Servers added and removed (discovery, `pool.sync`), catalogs changing. @default true */
        discovery?: boolean | undefined;
        /** Attempts outside any traced call: health checks and the pool's own requests. Noisy. @default false */
        background?: boolean | undefined;
      }
    | undefined;
}

/** Options with their defaults filled in. */
export interface ResolvedTracingOptions {
  readonly tracerProvider: TracerProvider | undefined;
  readonly meterProvider: MeterProvider | undefined;
  readonly propagator: TextMapPropagator | undefined;
  readonly resourceUriInSpanName: boolean;
  readonly breakers: BreakerStates | undefined;
  readonly serverState: boolean;
  readonly discovery: boolean;
  readonly background: boolean;
}

/** Checks the options once, at the edge, reporting every problem with its path. */
export function resolveOptions(options: TracingOptions): ResolvedTracingOptions {
  const issues: ConfigIssue[] = [];
  const object = (path: string, value: unknown, method: string) => {
    if (value === undefined) return;
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof (value as Record<string, unknown>)[method] !== 'function'
    ) {
      issues.push({ path, message: `must be an object with a ${method}() method` });
    }
  };
  const flag = (path: string, value: unknown) => {
    if (value !== undefined && typeof value !== 'boolean')
      issues.push({ path, message: 'must be true or false' });
  };
  if (typeof options !== 'object' || options === null) {
    throw new InvalidConfigError('tracing() options', [{ path: '', message: 'must be an object' }]);
  }
  object('tracerProvider', options.tracerProvider, 'getTracer');
  object('meterProvider', options.meterProvider, 'getMeter');
  object('propagator', options.propagator, 'inject');
  object('breakers', options.breakers, 'getState');
  flag('resourceUriInSpanName', options.resourceUriInSpanName);
  const events = options.events;
  if (events !== undefined && (typeof events !== 'object' || events === null)) {
    issues.push({ path: 'events', message: 'must be an object, e.g. { background: true }' });
  } else if (events) {
    for (const key of Object.keys(events)) {
      if (key !== 'serverState' && key !== 'discovery' && key !== 'background') {
        issues.push({
          path: `events.${key}`,
          message: 'is not an option: use serverState, discovery or background',
        });
      } else flag(`events.${key}`, events[key as keyof typeof events]);
    }
  }
  if (issues.length > 0) throw new InvalidConfigError('tracing() options', issues);
  return {
    tracerProvider: options.tracerProvider,
    meterProvider: options.meterProvider,
    propagator: options.propagator,
    resourceUriInSpanName: options.resourceUriInSpanName ?? false,
    breakers: options.breakers,
    serverState: events?.serverState ?? true,
    discovery: events?.discovery ?? true,
    background: events?.background ?? false,
  };
}
