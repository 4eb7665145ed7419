export { ResourceSubscriptions } from '@mcpool/core';
export { type CheckOptions, type CheckRow, checkServers, formatCheckTable } from './check.js';
export { type CliIo, EXIT, runCli } from './cli-main.js';
export {
  type GatewayConfig,
  type GatewayServer,
  type HttpSettings,
  loadGatewayConfig,
  parseGatewayConfig,
} from './config.js';
export { DownstreamError, isToolFailure, toDownstreamError, toToolError } from './errors.js';
export { type FromConfigExtras, gatewayOptionsFromConfig } from './from-config.js';
export { Gateway, type GatewayOptions } from './gateway.js';
export {
  type HttpGateway,
  type HttpGatewayOptions,
  PROBE_PATHS,
  startHttpGateway,
} from './http.js';
export { type GatewayLogger, loggingExtension, silentLogger } from './logger.js';
export { type GatewayMetrics, gatewayMetrics, PoolAggregate } from './metrics.js';
export { createRedactor, type Redact } from './redact.js';
export { type DownstreamRequest, InflightRequests } from './request-context.js';
export { UpstreamRouter } from './router.js';
export { GatewaySession } from './session.js';
export { type StdioGatewayOptions, serveStdio } from './stdio.js';
export type {
  GatewayClientOptions,
  GatewayPoolOptions,
  Upstream,
  UpstreamExtension,
  UpstreamScope,
} from './upstream.js';
export { VERSION } from './version.js';
