import { readFile } from 'node:fs/promises';
import { InvalidConfigError } from '@mcpool/core';
import { parseGatewayConfig } from './config.js';
/** Reads and validates a configuration file; a missing file or bad JSON is an `InvalidConfigError` too. */
export async function loadGatewayConfig(file, env = process.env) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        throw new InvalidConfigError('mcpool configuration', [
            {
                path: '(file)',
                message: code === 'ENOENT'
                    ? `${file} does not exist`
                    : `cannot read ${file} (${code ?? 'unknown error'})`,
            },
        ]);
    }
    let json;
    try {
        json = JSON.parse(text);
    }
    catch (error) {
        throw new InvalidConfigError('mcpool configuration', [
            { path: '(file)', message: `${file} is not valid JSON: ${error.message}` },
        ]);
    }
    return parseGatewayConfig(json, env);
}
//# sourceMappingURL=config-file.js.map