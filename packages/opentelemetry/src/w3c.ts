import {
  type Context,
  defaultTextMapGetter,
  isSpanContextValid,
  propagation,
  type SpanContext,
  type TextMapPropagator,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/*
 * W3C trace context in a few lines, for when no propagator is registered
 * (the API's default propagates nothing): the conventions want `traceparent`
 * and `tracestate` in `params._meta` whatever the application configured.
 */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-{trace id}-{span id}-{flags}` of a span context. */
export function formatTraceparent(context: SpanContext): string {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** The span context a `traceparent` (and `tracestate`) carry, or undefined when malformed. */
export function parseTraceparent(
  traceparent: unknown,
  tracestate?: unknown,
): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match) return undefined;
  const context: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(context)) return undefined;
  if (typeof tracestate === 'string' && tracestate !== '') {
    const state = traceStateFrom(tracestate);
    if (state) context.traceState = state;
  }
  return context;
}

/** A minimal TraceState for a header we pass on unchanged. */
function traceStateFrom(header: string): SpanContext['traceState'] {
  const entries = new Map<string, string>();
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) entries.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const make = (map: Map<string, string>): NonNullable<SpanContext['traceState']> => ({
    get: (key) => map.get(key),
    set: (key, value) => make(new Map([[key, value], ...[...map].filter(([k]) => k !== key)])),
    unset: (key) => make(new Map([...map].filter(([k]) => k !== key))),
    serialize: () => [...map].map(([k, v]) => `${k}=${v}`).join(','),
  });
  return make(entries);
}

/** Whether a propagator writes anything (the API's default writes nothing). */
export function propagates(propagator: TextMapPropagator | undefined): boolean {
  return (propagator ?? propagation).fields().length > 0;
}

/**
 * Writes the trace context of `context` into a `_meta` object: through the
 * propagator when it propagates anything, else as W3C `traceparent`/`tracestate`.
 */
export function injectInto(
  meta: Record<string, unknown>,
  context: Context,
  propagator: TextMapPropagator | undefined,
): void {
  if (propagates(propagator)) {
    (propagator ?? propagation).inject(context, meta, {
      set: (carrier, key, value) => {
        (carrier as Record<string, unknown>)[key] = value;
      },
    });
    return;
  }
  const span = trace.getSpanContext(context);
  if (!span || !isSpanContextValid(span)) return;
  meta.traceparent = formatTraceparent(span);
  const state = span.traceState?.serialize();
  if (state) meta.tracestate = state;
}

/**
 * The context a downstream request carries: its `params._meta` first, then
 * the HTTP `traceparent`/`tracestate` headers, on top of `base`.
 */
export function extractFrom(
  base: Context,
  meta: Record<string, unknown> | undefined,
  headers: Record<string, string | string[] | undefined> | undefined,
  propagator: TextMapPropagator | undefined,
): Context {
  const header = (name: string): string | undefined => {
    const value = headers?.[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const sources: ((key: string) => unknown)[] = [];
  if (meta && typeof meta.traceparent === 'string') sources.push((key) => meta[key]);
  if (header('traceparent') !== undefined) sources.push(header);
  for (const get of sources) {
    if (propagates(propagator)) {
      const carrier: Record<string, string> = {};
      for (const key of (propagator ?? propagation).fields()) {
        const value = get(key);
        if (typeof value === 'string') carrier[key] = value;
      }
      const extracted = (propagator ?? propagation).extract(base, carrier, defaultTextMapGetter);
      const found = trace.getSpanContext(extracted);
      if (found && found !== trace.getSpanContext(base)) return extracted;
    } else {
      const span = parseTraceparent(get('traceparent'), get('tracestate'));
      if (span) return trace.setSpanContext(base, span);
    }
  }
  return base;
}
