export { type CheckOptions, type CheckRow, checkServers, formatCheckTable } from './check.js';
export { type CliIo, EXIT, runCli } from './cli-main.js';
export { type GatewayConfig, type GatewayServer, type HttpSettings, parseGatewayConfig, } from './config.js';
export { loadGatewayConfig } from './config-file.js';
export { GatewayDrainingError } from './errors.js';
export { type FromConfigExtras, gatewayOptionsFromConfig } from './from-config.js';
export { type ConnectOptions, Gateway, type GatewayOptions, type Readiness, type ReadinessGate, } from './gateway.js';
export { DEFAULT_DRAIN_MS, type HttpGateway, type HttpGatewayOptions, PROBE_PATHS, startHttpGateway, } from './http.js';
export { type GatewayLogger, loggingExtension, silentLogger } from './logger.js';
export { type GatewayMetrics, gatewayMetrics } from './metrics.js';
export type { Redact } from './redact.js';
export type { GatewaySession } from './session.js';
export { type StdioGatewayOptions, serveStdio } from './stdio.js';
export type { GatewayClientOptions, GatewayPoolOptions, Upstream, UpstreamExtension, UpstreamScope, } from './upstream.js';
export { VERSION } from './version.js';
//# sourceMappingURL=index.d.ts.map