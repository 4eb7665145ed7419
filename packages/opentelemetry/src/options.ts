import { InvalidConfigError } from '@mcpool/core';
import { checkOptions, optionOf, showValue } from '@mcpool/core/internal';
import type { MeterProvider, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import { z } from 'zod';

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

const withMethod = (method: string) =>
  optionOf<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as Record<string, unknown>)[method] === 'function',
    `must be an object with a ${method}() method`,
  );
const FLAG = 'must be true or false';
const flag = optionOf<boolean>((v) => typeof v === 'boolean', FLAG);
const EVENTS = ['serverState', 'discovery', 'background'];

/** The options of `tracing()`, as zod checks them, in the order their errors are listed. */
const tracingOptionsSchema = z.object({
  tracerProvider: withMethod('getTracer'),
  meterProvider: withMethod('getMeter'),
  propagator: withMethod('inject'),
  breakers: withMethod('getState'),
  resourceUriInSpanName: flag,
  events: z
    .record(z.string(), z.unknown(), 'must be an object, e.g. { background: true }')
    .superRefine((events, ctx) => {
      for (const [key, value] of Object.entries(events)) {
        const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
        if (!EVENTS.includes(key))
          issue('is not an option: use serverState, discovery or background');
        else if (typeof value !== 'boolean') issue(`${FLAG}, got ${showValue(value)}`);
      }
    })
    .optional(),
});

/** Checks the options once, at the edge, reporting every problem with its path. */
export function resolveOptions(options: TracingOptions): ResolvedTracingOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidConfigError('tracing() options', [{ path: '', message: 'must be an object' }]);
  }
  checkOptions('tracing() options', tracingOptionsSchema, options);
  const events = options.events;
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
