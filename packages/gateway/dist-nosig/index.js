// The public names of @mcpool/gateway, one by one. Sessions, routers,
// transports, redaction and error mapping are internals and stay unexported.
export { checkServers, formatCheckTable } from './check.js';
export { EXIT, runCli } from './cli-main.js';
export { parseGatewayConfig, } from './config.js';
export { loadGatewayConfig } from './config-file.js';
export { GatewayDrainingError } from './errors.js';
export { gatewayOptionsFromConfig } from './from-config.js';
export { Gateway, } from './gateway.js';
export { DEFAULT_DRAIN_MS, PROBE_PATHS, startHttpGateway, } from './http.js';
export { loggingExtension, silentLogger } from './logger.js';
export { gatewayMetrics } from './metrics.js';
export { serveStdio } from './stdio.js';
export { VERSION } from './version.js';
//# sourceMappingURL=index.js.map