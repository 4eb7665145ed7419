/** Exit codes: 0 fine, 1 a server or the gateway failed, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 };
/** `[HOST:]PORT` of `--http` and `--metrics`. */
export function parseHostPort(value, what) {
    const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
    const port = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isInteger(port) || port > 65_535) {
        throw new UsageError(`${what}: give [HOST:]PORT, e.g. 127.0.0.1:3333 (got "${value}")`);
    }
    const host = m[1] ?? '127.0.0.1';
    return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}
/** Bad usage: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
}
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
export function printConfigError(io, file, error) {
    io.err(`mcpool: ${file} is not a valid configuration:\n`);
    for (const issue of error.issues)
        io.err(`  - ${issue.path || '(root)'}: ${issue.message}\n`);
}
/** Prints what the configuration ignores but may be a mistake (unknown keys); the command goes on. */
export function printConfigWarnings(io, file, warnings) {
    for (const w of warnings)
        io.err(`mcpool: ${file}: warning: ${w.path}: ${w.message}\n`);
}
/** An `InvalidConfigError`, also from another copy of core (it is only imported as a type here). */
export function isConfigError(error) {
    return (typeof error === 'object' &&
        error !== null &&
        error.code === 'INVALID_CONFIG' &&
        Array.isArray(error.issues));
}
export async function readConfig(file, io) {
    const { loadGatewayConfig } = await import('./config-file.js');
    try {
        const config = await loadGatewayConfig(file, io.env);
        printConfigWarnings(io, file, config.warnings ?? []);
        return config;
    }
    catch (error) {
        if (isConfigError(error)) {
            printConfigError(io, file, error);
            return undefined;
        }
        throw error;
    }
}
//# sourceMappingURL=cli-common.js.map