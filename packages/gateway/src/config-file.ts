import { readFile } from 'node:fs/promises';
import { InvalidConfigError } from '@mcpool/core';
import { type GatewayConfig, parseGatewayConfig } from './config.js';

/** Reads and validates a configuration file; a missing file or bad JSON is an `InvalidConfigError` too. */
export async function loadGatewayConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidConfigError('mcpool configuration', [
      {
        path: '(file)',
        message:
          code === 'ENOENT'
            ? `${file} does not exist`
            : `cannot read ${file} (${code ?? 'unknown error'})`,
      },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError('mcpool configuration', [
      { path: '(file)', message: `${file} is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  return parseGatewayConfig(json, env);
}
