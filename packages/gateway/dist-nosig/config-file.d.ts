import { type GatewayConfig } from './config.js';
/** Reads and validates a configuration file; a missing file or bad JSON is an `InvalidConfigError` too. */
export declare function loadGatewayConfig(file: string, env?: Readonly<Record<string, string | undefined>>): Promise<GatewayConfig>;
//# sourceMappingURL=config-file.d.ts.map