import { EXIT, UsageError } from './cli-common.js';
import { CHECK_HELP, CONFIG_HELP, MAIN_HELP, SERVE_HELP } from './cli-help.js';
import { VERSION } from './version.js';
// Only what `--help` needs is imported up front: a host that spawns `mcpool`
// should not wait for the SDK, zod and pino to load before it even gets help.
export { EXIT } from './cli-common.js';
/** Runs the `mcpool` command line; resolves with the exit code. */
export async function runCli(argv, io) {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case undefined:
            case '-h':
            case '--help':
                io.out(MAIN_HELP);
                return command === undefined ? EXIT.usage : EXIT.ok;
            case '-v':
            case '--version':
                io.out(`${VERSION}\n`);
                return EXIT.ok;
            case 'help': {
                const topic = rest[0];
                const text = topic === 'serve'
                    ? SERVE_HELP
                    : topic === 'check'
                        ? CHECK_HELP
                        : topic === 'config'
                            ? CONFIG_HELP
                            : topic === undefined
                                ? MAIN_HELP
                                : undefined;
                if (text === undefined)
                    throw new UsageError(`no help for "${topic}"`);
                io.out(text);
                return EXIT.ok;
            }
            case 'serve':
                return await (await import('./cli-serve.js')).serve(rest, io);
            case 'check':
                return await (await import('./cli-check.js')).check(rest, io);
            default:
                throw new UsageError(`unknown command "${command}"`);
        }
    }
    catch (error) {
        if (error instanceof UsageError ||
            error.code?.startsWith('ERR_PARSE_ARGS')) {
            io.err(`mcpool: ${error.message}\nRun "mcpool --help" for usage.\n`);
            return EXIT.usage;
        }
        throw error;
    }
}
//# sourceMappingURL=cli-main.js.map