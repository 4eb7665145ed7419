#!/usr/bin/env node
import { runCli } from './cli-main.js';
const controller = new AbortController();
const stop = () => controller.abort();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    signal: controller.signal,
}).then((code) => {
    process.exitCode = code;
    // Everything is closed by now; a handle someone else left open must not keep us alive.
    setTimeout(() => process.exit(code), 2_000).unref();
}, (error) => {
    process.stderr.write(`mcpool: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
//# sourceMappingURL=cli.js.map