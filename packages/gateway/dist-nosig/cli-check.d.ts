import { type CliIo } from './cli-common.js';
/** `mcpool check`: connects to every configured server and prints a table. */
export declare function check(args: readonly string[], io: CliIo): Promise<number>;
//# sourceMappingURL=cli-check.d.ts.map