import { type CliIo } from './cli-common.js';
export { type CliIo, EXIT } from './cli-common.js';
/** Runs the `mcpool` command line; resolves with the exit code. */
export declare function runCli(argv: readonly string[], io: CliIo): Promise<number>;
//# sourceMappingURL=cli-main.d.ts.map