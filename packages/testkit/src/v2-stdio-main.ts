#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { TEST_SERVER_ENV } from './stdio-server.js';
import { TestServerState } from './test-server.js';
import { interceptToolCalls } from './tool-call-interceptor.js';
import type { V2StdioTestServerOptions } from './v2-stdio-server.js';
import { createV2TestMcpServer } from './v2-test-server.js';

const raw = process.env[TEST_SERVER_ENV];
if (!raw) {
  process.stderr.write(
    `mcpool-test-server-v2: set ${TEST_SERVER_ENV} to the JSON of the options\n`,
  );
  process.exit(2);
}
const options = JSON.parse(raw) as V2StdioTestServerOptions;
if (options.spawnLog !== undefined) appendFileSync(options.spawnLog, `${process.pid}\n`);
const state = new TestServerState(options);
const wire = new StdioServerTransport();
serveStdio((ctx) => createV2TestMcpServer(options, state, ctx.era), {
  legacy: options.legacy ?? 'serve',
  transport: wire,
});
// serveStdio installs wire.onmessage synchronously; wrapping it now puts the knobs in front of the
// era routing, so they act the same in both eras. The wire shape is the v1 Transport's.
interceptToolCalls(wire as unknown as Transport, state, {
  garbage: () => {
    process.stdout.write('mcpool-test: this line is not JSON-RPC\n');
  },
  crash: () => process.exit(1),
});

// The v2 transport closes itself at end of input; exit so that nothing keeps the child alive.
process.stdin.once('end', () => process.exit(0));
if (options.exitAfterMs !== undefined) {
  setTimeout(() => process.exit(1), options.exitAfterMs);
}
