import { z } from 'zod';

/** The `telemetry` block of `mcpool.json`: where traces go. `OTEL_*` variables win when set. */
export interface TelemetrySettings {
  /** Turn tracing off without removing the block. @default true */
  enabled?: boolean;
  /** OTLP/HTTP base URL; traces go to `{endpoint}/v1/traces`. @default OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318 */
  endpoint?: string;
  /** `service.name` of the spans. @default OTEL_SERVICE_NAME, else mcpool-gateway */
  serviceName?: string;
  /** Share of new traces recorded, 0 to 1; a caller's sampling decision is followed. @default OTEL_TRACES_SAMPLER_ARG, else 1 */
  samplingRatio?: number;
}

export const telemetrySchema = z.strictObject({
  enabled: z.boolean().optional(),
  endpoint: z
    .url({ protocol: /^https?$/, error: 'give the OTLP/HTTP base URL, e.g. http://127.0.0.1:4318' })
    .optional(),
  serviceName: z.string().min(1).optional(),
  samplingRatio: z
    .number({ error: 'give a number from 0 to 1, e.g. 0.1 to record one trace in ten' })
    .min(0, 'must be from 0 to 1')
    .max(1, 'must be from 0 to 1')
    .optional(),
});
