import { parseArgs } from 'node:util';
import { type CliIo, EXIT, readConfig, UsageError } from './cli-common.js';
import { CHECK_HELP } from './cli-help.js';

/** `mcpool check`: connects to every configured server and prints a table. */
export async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string', short: 'c', default: 'mcpool.json' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(CHECK_HELP);
    return EXIT.ok;
  }
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError('--timeout: give a positive number of milliseconds');
  }
  const config = await readConfig(values.config, io);
  if (!config) return EXIT.usage;
  const { checkServers, formatCheckTable } = await import('./check.js');
  const rows = await checkServers(config, { timeoutMs, signal: io.signal });
  if (values.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else io.out(formatCheckTable(rows));
  return rows.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
}
