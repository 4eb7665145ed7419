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
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** `[HOST:]PORT` of `--http` and `--metrics`. */
export function parseHostPort(value: string, what: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`${what}: give [HOST:]PORT, e.g. 127.0.0.1:3333 (got "${value}")`);
  }
  const host = m[1] ?? '127.0.0.1';
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

/** Bad usage: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function printConfigError(io: CliIo, file: string, error: InvalidConfigError): void {
  io.err(`mcpool: ${file} is not a valid configuration:\n`);
  for (const issue of error.issues) io.err(`  - ${issue.path || '(root)'}: ${issue.message}\n`);
}

/** Prints what the configuration ignores but may be a mistake (unknown keys); the command goes on. */
export function printConfigWarnings(
  io: CliIo,
  file: string,
  warnings: readonly { path: string; message: string }[],
): void {
  for (const w of warnings) io.err(`mcpool: ${file}: warning: ${w.path}: ${w.message}\n`);
}

/** An `InvalidConfigError`, also from another copy of core (it is only imported as a type here). */
export function isConfigError(error: unknown): error is InvalidConfigError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'INVALID_CONFIG' &&
    Array.isArray((error as { issues?: unknown }).issues)
  );
}

export async function readConfig(file: string, io: CliIo): Promise<GatewayConfig | undefined> {
  const { loadGatewayConfig } = await import('./config-file.js');
  try {
    const config = await loadGatewayConfig(file, io.env);
    printConfigWarnings(io, file, config.warnings ?? []);
    return config;
  } catch (error) {
    if (isConfigError(error)) {
      printConfigError(io, file, error);
      return undefined;
    }
    throw error;
  }
}
