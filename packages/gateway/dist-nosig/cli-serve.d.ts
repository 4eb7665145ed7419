import { type CliIo } from './cli-common.js';
/** `mcpool serve`: the gateway over stdio or Streamable HTTP until the host leaves or SIGTERM. */
export declare function serve(args: readonly string[], io: CliIo): Promise<number>;
//# sourceMappingURL=cli-serve.d.ts.map