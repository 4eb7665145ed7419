import type { InvalidConfigError } from '@mcpool/core';
import type { GatewayConfig } from './config.js';
/** Where the CLI writes and how it stops; tests and embedders can replace each. */
export interface CliIo {
    out: (text: string) => void;
    err: (text: string) => void;
    env: Readonly<Record<string, string | undefined>>;
    /** Aborts when the process is asked to stop (SIGINT, SIGTERM). */
    signal?: AbortSignal | undefined;
}
/** Exit codes: 0 fine, 1 a server or the gateway failed, 2 bad usage or configuration. */
export declare const EXIT: {
    readonly ok: 0;
    readonly failed: 1;
    readonly usage: 2;
};
/** `[HOST:]PORT` of `--http` and `--metrics`. */
export declare function parseHostPort(value: string, what: string): {
    host: string;
    port: number;
};
/** Bad usage: printed with a pointer to `--help`, exit code 2. */
export declare class UsageError extends Error {
}
export declare const LOG_LEVELS: string[];
export declare function printConfigError(io: CliIo, file: string, error: InvalidConfigError): void;
/** Prints what the configuration ignores but may be a mistake (unknown keys); the command goes on. */
export declare function printConfigWarnings(io: CliIo, file: string, warnings: readonly {
    path: string;
    message: string;
}[]): void;
/** An `InvalidConfigError`, also from another copy of core (it is only imported as a type here). */
export declare function isConfigError(error: unknown): error is InvalidConfigError;
export declare function readConfig(file: string, io: CliIo): Promise<GatewayConfig | undefined>;
//# sourceMappingURL=cli-common.d.ts.map