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
export declare const telemetrySchema: z.ZodObject<{
    enabled: z.ZodOptional<z.ZodBoolean>;
    endpoint: z.ZodOptional<z.ZodURL>;
    serviceName: z.ZodOptional<z.ZodString>;
    samplingRatio: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
//# sourceMappingURL=telemetry-config.d.ts.map