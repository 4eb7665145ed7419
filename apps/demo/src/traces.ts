import { type McpoolTracing, tracing } from '@mcpool/opentelemetry';
import type { Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** One attempt of a call, as the waterfall draws it. */
export interface WaterfallAttempt {
  server: string;
  /** first, retry, fallback, hedge, fan-out. */
  kind: string;
  /** Start after the call's start, ms. */
  offsetMs: number;
  durationMs: number;
  /** success, tool-error, server-error, timeout, cancelled, ... */
  outcome: string;
  error?: string | undefined;
  vote?: string | undefined;
}

/** One traced call and its attempts. */
export interface Waterfall {
  name: string;
  traceId: string;
  startedAt: number;
  durationMs: number;
  outcome: string;
  aggregation: string;
  attempts: WaterfallAttempt[];
}

const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
const str = (v: unknown) => (v === undefined ? undefined : String(v));

/**
 * Keeps the last calls of each scenario step, from the spans the demo's
 * tracing records in memory: the last `recent`, and the last `notable` that
 * took more than one attempt (a retry, a fallback, a fan-out), so that the
 * failover step shows the attempt that failed and the one that answered.
 */
class WaterfallProcessor implements SpanProcessor {
  readonly byStep = new Map<string, { recent: Waterfall[]; notable: Waterfall[] }>();
  private readonly stepOf = new Map<string, string>();
  /** Attempt spans waiting for their call span, by the call's span id. */
  private readonly pending = new Map<string, ReadableSpan[]>();

  constructor(
    private readonly step: () => string,
    private readonly recent: number,
    private readonly notable: number,
  ) {}

  onStart(span: Span, _parent: Context): void {
    if (span.parentSpanContext === undefined)
      this.stepOf.set(span.spanContext().spanId, this.step());
  }

  onEnd(span: ReadableSpan): void {
    const id = span.spanContext().spanId;
    const startedIn = this.stepOf.get(id);
    this.stepOf.delete(id);
    if (span.attributes['mcpool.aggregation'] === undefined) {
      const parent = span.parentSpanContext?.spanId;
      if (parent !== undefined && span.attributes['mcpool.attempt.number'] !== undefined) {
        const list = this.pending.get(parent) ?? [];
        list.push(span);
        this.pending.set(parent, list);
        // A call span that never ends (a lost call) must not keep its attempts forever.
        if (this.pending.size > 1_000)
          this.pending.delete(this.pending.keys().next().value as string);
      }
      return;
    }
    const attempts = this.pending.get(id) ?? [];
    this.pending.delete(id);
    const step = startedIn ?? this.step();
    const start = ms(span.startTime);
    const call: Waterfall = {
      name: span.name,
      traceId: span.spanContext().traceId,
      startedAt: Date.now() - (ms(span.endTime) - start),
      durationMs: ms(span.endTime) - start,
      outcome: String(span.attributes['mcpool.outcome'] ?? ''),
      aggregation: String(span.attributes['mcpool.aggregation'] ?? ''),
      attempts: attempts
        .sort((a, b) => ms(a.startTime) - ms(b.startTime))
        .map((a) => ({
          server: String(a.attributes['mcpool.server.id'] ?? '?'),
          kind: String(a.attributes['mcpool.attempt.kind'] ?? ''),
          offsetMs: ms(a.startTime) - start,
          durationMs: ms(a.endTime) - ms(a.startTime),
          outcome: String(a.attributes['mcpool.attempt.outcome'] ?? ''),
          error: str(a.attributes['error.type']),
          vote: str(a.attributes['mcpool.vote']),
        })),
    };
    let kept = this.byStep.get(step);
    if (!kept) {
      kept = { recent: [], notable: [] };
      this.byStep.set(step, kept);
    }
    kept.recent.push(call);
    if (kept.recent.length > this.recent) kept.recent.shift();
    if (call.attempts.length > 1 || call.outcome !== 'answered') {
      kept.notable.push(call);
      if (kept.notable.length > this.notable) kept.notable.shift();
    }
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** The demo's tracing: spans kept in memory for the page, and exported when asked to. */
export interface DemoTraces {
  readonly tracing: McpoolTracing;
  /** The kept calls of each step, oldest first. */
  waterfalls(): Record<string, Waterfall[]>;
  close(): Promise<void>;
}

/**
 * Traces the demo's pool into memory, and also over OTLP/HTTP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces variant) is set.
 */
export function demoTraces(options: {
  step: () => string;
  env: Readonly<Record<string, string | undefined>>;
  /** @default 3 */
  recent?: number;
  /** @default 2 */
  notable?: number;
}): DemoTraces {
  const kept = new WaterfallProcessor(options.step, options.recent ?? 3, options.notable ?? 2);
  const processors: SpanProcessor[] = [kept];
  const endpoint =
    options.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (options.env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${options.env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined);
  if (endpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint })));
  const provider = new BasicTracerProvider({ spanProcessors: processors });
  return {
    tracing: tracing({ tracerProvider: provider }),
    waterfalls() {
      const out: Record<string, Waterfall[]> = {};
      for (const [step, { recent, notable }] of kept.byStep) {
        const calls = [...new Set([...notable, ...recent])];
        out[step] = calls.sort((a, b) => a.startedAt - b.startedAt);
      }
      return out;
    },
    close: () => provider.shutdown(),
  };
}
