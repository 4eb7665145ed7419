import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, isConfigError, LOG_LEVELS, parseHostPort, printConfigError, readConfig, UsageError, } from './cli-common.js';
import { SERVE_HELP } from './cli-help.js';
/** Same as the HTTP listener's default, written here so that loading this file stays light. */
const DEFAULT_DRAIN_MS = 30_000;
async function createLogger(target, level) {
    const { pino } = await import('pino');
    return pino({ level, base: { app: 'mcpool' }, timestamp: pino.stdTimeFunctions.isoTime }, target === '-'
        ? pino.destination({ dest: 2, sync: true })
        : pino.destination({ dest: target, sync: true, mkdir: true }));
}
/** `mcpool serve`: the gateway over stdio or Streamable HTTP until the host leaves or SIGTERM. */
export async function serve(args, io) {
    const { values } = parseArgs({
        args: [...args],
        options: {
            config: { type: 'string', short: 'c', default: 'mcpool.json' },
            http: { type: 'string' },
            token: { type: 'string' },
            'allow-host': { type: 'string', multiple: true },
            'allow-origin': { type: 'string', multiple: true },
            metrics: { type: 'string' },
            log: { type: 'string' },
            'log-level': { type: 'string', default: 'info' },
            help: { type: 'boolean', short: 'h', default: false },
        },
        strict: true,
        allowPositionals: false,
    });
    if (values.help) {
        io.out(SERVE_HELP);
        return EXIT.ok;
    }
    const level = values['log-level'];
    if (!LOG_LEVELS.includes(level)) {
        throw new UsageError(`--log-level: give one of ${LOG_LEVELS.join(', ')}`);
    }
    const listen = values.http === undefined ? undefined : parseHostPort(values.http, '--http');
    const metricsAt = values.metrics === undefined ? undefined : parseHostPort(values.metrics, '--metrics');
    const token = values.token ?? io.env.MCPOOL_TOKEN;
    if (token !== undefined && token.length < 16) {
        throw new UsageError('--token: use a token of at least 16 characters');
    }
    for (const origin of values['allow-origin'] ?? []) {
        if (!URL.canParse(origin))
            throw new UsageError(`--allow-origin: "${origin}" is not a URL`);
    }
    const config = await readConfig(values.config, io);
    if (!config)
        return EXIT.usage;
    const [{ gatewayOptionsFromConfig }, { Gateway }, { startHttpGateway }, { loggingExtension }] = await Promise.all([
        import('./from-config.js'),
        import('./gateway.js'),
        import('./http.js'),
        import('./logger.js'),
    ]);
    const { createRedactor } = await import('./redact.js');
    const { serveStdio } = await import('./stdio.js');
    const logger = values.log === undefined ? undefined : await createLogger(values.log, level);
    const metrics = metricsAt
        ? (await import('./metrics.js')).gatewayMetrics()
        : undefined;
    // The environment wins over the file, as MCPOOL_TOKEN does: Kubernetes hands secrets in as variables.
    const { secretsFromEnv } = await import('./session-token.js');
    const envSecrets = secretsFromEnv(io.env.MCPOOL_SESSION_SECRET);
    const sessionSecret = envSecrets.length > 0 ? envSecrets : config.http.sessionSecret;
    const secretList = sessionSecret === undefined ? [] : [sessionSecret].flat();
    if (secretList.some((s) => s.length < 32)) {
        throw new UsageError('MCPOOL_SESSION_SECRET: use secrets of at least 32 random characters (openssl rand -base64 32), comma-separated');
    }
    const redact = createRedactor(config.servers, [config.http.token, token, ...secretList]);
    const extensions = [];
    let telemetry;
    try {
        telemetry = await (await import('./telemetry.js')).startTelemetry(config.telemetry, io.env, (message) => io.err(`mcpool: warning: ${message}\n`));
    }
    catch (error) {
        if (!isConfigError(error))
            throw error;
        printConfigError(io, values.config, error);
        return EXIT.usage;
    }
    if (telemetry) {
        io.err(`mcpool: traces to ${telemetry.endpoint} as ${telemetry.serviceName}, sampling ${telemetry.samplingRatio}\n`);
    }
    // First, so that calls a cache answers are traced too.
    if (telemetry)
        extensions.push(telemetry.extension);
    if (metrics)
        extensions.push(metrics.extension);
    if (logger)
        extensions.push(loggingExtension(logger, redact));
    let options;
    try {
        options = await gatewayOptionsFromConfig(config, {
            logger,
            extensions,
            secrets: [token, ...secretList],
        });
    }
    catch (error) {
        if (isConfigError(error)) {
            printConfigError(io, values.config, error);
            return EXIT.usage;
        }
        throw error;
    }
    let discovery;
    if (config.discovery) {
        const { gatewayDiscovery } = await import('./discovery.js');
        try {
            discovery = await gatewayDiscovery(config, {
                baseDir: dirname(resolve(values.config)),
                logger,
            });
        }
        catch (error) {
            if (isConfigError(error)) {
                printConfigError(io, values.config, error);
                return EXIT.usage;
            }
            throw error;
        }
        io.err(`mcpool: discovery: waiting for the first set from ${discovery.source}\n`);
        const found = await discovery.firstSet(io.signal);
        options = {
            ...options,
            servers: [...options.servers, ...found.servers],
            extensions: [...(options.extensions ?? []), discovery.extension],
        };
    }
    const gateway = new Gateway(telemetry ? { ...options, traceRequest: telemetry.traceRequest } : options);
    // Ready only once discovery (if any) has resolved; the gateway adds its own conditions.
    if (discovery) {
        const found = discovery;
        gateway.addReadinessGate(() => found.resolved(), 'discovery');
    }
    let stop;
    const stopped = new Promise((resolve) => {
        stop = resolve;
    });
    io.signal?.addEventListener('abort', () => stop(), { once: true });
    const shutdown = [];
    try {
        if (metrics && metricsAt) {
            const server = await metrics.listen(metricsAt.host, metricsAt.port);
            shutdown.push(() => metrics.close());
            io.err(`mcpool: metrics at ${server.url}\n`);
        }
        if (listen) {
            const http = config.http;
            const allowedHosts = [...(http.allowedHosts ?? []), ...(values['allow-host'] ?? [])];
            const allowedOrigins = [...(http.allowedOrigins ?? []), ...(values['allow-origin'] ?? [])];
            const served = await startHttpGateway(gateway, {
                ...http,
                host: listen.host,
                port: listen.port,
                ...(token !== undefined ? { token } : {}),
                allowedHosts,
                allowedOrigins,
                ...(secretList.length > 0 ? { sessionSecret: secretList } : {}),
            });
            // On SIGTERM: not ready at once, no new session, calls in flight finish, then exit 0.
            shutdown.unshift(() => served.shutdown(config.timeouts.drain ?? DEFAULT_DRAIN_MS));
            const loopback = ['127.0.0.1', 'localhost', '::1'].includes(listen.host);
            if (!loopback && allowedHosts.length === 0) {
                io.err(`mcpool: listening on ${listen.host}, but only loopback Host headers are accepted; add --allow-host NAME for the name clients use\n`);
            }
            if (!loopback && (token ?? http.token) === undefined) {
                io.err('mcpool: warning: listening beyond loopback without a bearer token\n');
            }
            io.err(`mcpool: serving ${options.servers.length} servers at ${served.url}\n`);
            logger?.info({ url: served.url, servers: config.servers.length }, 'serving over HTTP');
        }
        else {
            const session = await serveStdio(gateway);
            void session.closed.then(() => stop());
            logger?.info({ servers: config.servers.length }, 'serving over stdio');
        }
        await stopped;
        return EXIT.ok;
    }
    finally {
        for (const close of shutdown)
            await close().catch(() => { });
        await gateway.close();
        await telemetry?.shutdown();
        logger?.flush();
    }
}
//# sourceMappingURL=cli-serve.js.map