import { InvalidConfigError } from '@mcpool/core';
const PACKAGES = [
    '@mcpool/opentelemetry',
    '@opentelemetry/api',
    '@opentelemetry/core',
    '@opentelemetry/context-async-hooks',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
    '@opentelemetry/sdk-trace-base',
];
/** How often an export failure is repeated in the log at most. */
const WARN_EVERY_MS = 60_000;
/**
 * Whether tracing is wanted: a `telemetry` block that is not disabled, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces variant) in the environment;
 * never with `OTEL_SDK_DISABLED=true`.
 */
export function telemetryWanted(settings, env) {
    if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true')
        return false;
    if (settings)
        return settings.enabled !== false;
    return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}
/**
 * The sampling ratio: `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG` when set,
 * else the file's. A malformed variable is warned about and the file's (or 1) used.
 */
function samplingRatio(settings, env, warn) {
    const fallback = settings?.samplingRatio ?? 1;
    const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
    if (sampler === 'always_on' || sampler === 'parentbased_always_on')
        return 1;
    if (sampler === 'always_off' || sampler === 'parentbased_always_off')
        return 0;
    if (sampler && sampler !== 'traceidratio' && sampler !== 'parentbased_traceidratio') {
        warn(`OTEL_TRACES_SAMPLER="${sampler}" is not supported by mcpool; using a ratio of ${fallback}`);
        return fallback;
    }
    const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
    if (arg === undefined || arg === '')
        return fallback;
    const ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
        warn(`OTEL_TRACES_SAMPLER_ARG="${arg}" is not a number from 0 to 1; using ${fallback}`);
        return fallback;
    }
    return ratio;
}
/**
 * Sets up OpenTelemetry for the gateway: an OTLP/HTTP exporter behind the
 * batch span processor, a parent-based ratio sampler, W3C trace context and a
 * context manager, registered globally. Export failures are warned about (at
 * most once a minute) and never fail a call. The OpenTelemetry packages are
 * optional peers: a clear error names them when they are missing.
 */
export async function startTelemetry(settings, env, warn) {
    if (!telemetryWanted(settings, env))
        return undefined;
    const loaded = await Promise.all(PACKAGES.map(async (name) => {
        try {
            return await import(name);
        }
        catch (error) {
            const code = error.code;
            if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
                return undefined;
            throw error;
        }
    }));
    const missing = PACKAGES.filter((_, i) => loaded[i] === undefined);
    if (missing.length > 0) {
        throw new InvalidConfigError('mcpool configuration', [
            {
                path: 'telemetry',
                message: `needs ${missing.join(', ')}: install them beside @mcpool/gateway (or unset OTEL_EXPORTER_OTLP_ENDPOINT)`,
            },
        ]);
    }
    const [mcpoolOtel, api, core, hooks, otlp, resources, sdk] = loaded;
    const serviceName = env.OTEL_SERVICE_NAME?.trim() || settings?.serviceName || 'mcpool-gateway';
    const ratio = samplingRatio(settings, env, warn);
    // The exporter reads OTEL_EXPORTER_OTLP_* itself; the file's endpoint only when those are unset.
    const fromEnv = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const base = (settings?.endpoint ?? 'http://localhost:4318').replace(/\/+$/, '');
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        ? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        : `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? base).replace(/\/+$/, '')}/v1/traces`;
    const exporter = new otlp.OTLPTraceExporter(fromEnv ? {} : { url: endpoint });
    const provider = new sdk.BasicTracerProvider({
        resource: resources.resourceFromAttributes({ 'service.name': serviceName }),
        sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) }),
        spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
    });
    let warned = Number.NEGATIVE_INFINITY;
    core.setGlobalErrorHandler((error) => {
        const now = Date.now();
        if (now - warned < WARN_EVERY_MS)
            return;
        warned = now;
        const text = error instanceof Error ? error.message : String(error);
        warn(`telemetry: could not export spans to ${endpoint} (${text}); calls go on untraced there`);
    });
    api.context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
    api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
    api.trace.setGlobalTracerProvider(provider);
    return {
        endpoint,
        serviceName,
        samplingRatio: ratio,
        extension: ({ scope, pool, client }) => {
            // A session's own pool comes and goes with the session: its servers being
            // added and their catalogs loading would be a span storm, not news.
            const telemetry = mcpoolOtel.tracing({ events: { discovery: scope === 'shared' } });
            pool.use(telemetry);
            telemetry.traceClient(client);
            return undefined;
        },
        traceRequest: (request, handle) => mcpoolOtel.traceIncoming(request, handle),
        async shutdown() {
            try {
                await provider.shutdown();
            }
            catch (error) {
                warn(`telemetry: ${error instanceof Error ? error.message : String(error)}`);
            }
            finally {
                api.trace.disable();
                api.context.disable();
                api.propagation.disable();
            }
        },
    };
}
//# sourceMappingURL=telemetry.js.map