import type { TelemetrySettings } from './telemetry-config.js';
import type { TraceRequest } from './trace-handlers.js';
import type { UpstreamExtension } from './upstream.js';
/** Tracing of a running gateway: what to hook in, and what flushes and stops it. */
export interface GatewayTelemetry {
    /** Where spans go, for the log line. */
    readonly endpoint: string;
    readonly serviceName: string;
    readonly samplingRatio: number;
    /** Traces each upstream pool and its client; apply it before caches, so cached answers are traced. */
    readonly extension: UpstreamExtension;
    /** Runs each downstream request inside a server span that continues the caller's trace. */
    readonly traceRequest: TraceRequest;
    /** Exports what is left and stops. */
    shutdown(): Promise<void>;
}
type Env = Readonly<Record<string, string | undefined>>;
/**
 * Whether tracing is wanted: a `telemetry` block that is not disabled, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces variant) in the environment;
 * never with `OTEL_SDK_DISABLED=true`.
 */
export declare function telemetryWanted(settings: TelemetrySettings | undefined, env: Env): boolean;
/**
 * Sets up OpenTelemetry for the gateway: an OTLP/HTTP exporter behind the
 * batch span processor, a parent-based ratio sampler, W3C trace context and a
 * context manager, registered globally. Export failures are warned about (at
 * most once a minute) and never fail a call. The OpenTelemetry packages are
 * optional peers: a clear error names them when they are missing.
 */
export declare function startTelemetry(settings: TelemetrySettings | undefined, env: Env, warn: (message: string) => void): Promise<GatewayTelemetry | undefined>;
export {};
//# sourceMappingURL=telemetry.d.ts.map