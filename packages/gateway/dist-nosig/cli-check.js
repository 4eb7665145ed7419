import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, isConfigError, printConfigError, readConfig, UsageError, } from './cli-common.js';
import { CHECK_HELP } from './cli-help.js';
/** `mcpool check`: connects to every configured server and prints a table. */
export async function check(args, io) {
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
    if (!config)
        return EXIT.usage;
    const { checkServers, formatCheckTable } = await import('./check.js');
    let servers = config.servers;
    if (config.discovery) {
        const { gatewayDiscovery, formatFindings } = await import('./discovery.js');
        try {
            const discovery = await gatewayDiscovery(config, {
                baseDir: dirname(resolve(values.config)),
            });
            const found = await discovery.resolveOnce(io.signal);
            (values.json ? io.err : io.out)(formatFindings(found));
            servers = [...servers, ...found.servers];
        }
        catch (error) {
            if (isConfigError(error)) {
                printConfigError(io, values.config, error);
                return EXIT.usage;
            }
            io.err(`mcpool: discovery: ${error instanceof Error ? error.message : String(error)}\n`);
            return EXIT.failed;
        }
    }
    const rows = await checkServers({ ...config, servers }, { timeoutMs, signal: io.signal });
    if (values.json)
        io.out(`${JSON.stringify(rows, null, 2)}\n`);
    else
        io.out(formatCheckTable(rows));
    return rows.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
}
//# sourceMappingURL=cli-check.js.map