import type { UpstreamExtension } from './upstream.js';
/** The logging the gateway does: a pino `Logger` fits, and so does a console adapter. */
export interface GatewayLogger {
    debug(details: object, message: string): void;
    info(details: object, message: string): void;
    warn(details: object, message: string): void;
    error(details: object, message: string): void;
}
/** Logs nothing. */
export declare const silentLogger: GatewayLogger;
/** Logs what the pools of the gateway go through: connections, health, retries, failures. */
export declare function loggingExtension(logger: GatewayLogger, redact: (text: string) => string): UpstreamExtension;
//# sourceMappingURL=logger.d.ts.map