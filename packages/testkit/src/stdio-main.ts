#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { type StdioTestServerOptions, TEST_SERVER_ENV } from './stdio-server.js';
import { createTestMcpServer, TestServerState } from './test-server.js';
import { interceptToolCalls } from './tool-call-interceptor.js';

const raw = process.env[TEST_SERVER_ENV];
if (!raw) {
  process.stderr.write(`mcpool-test-server: set ${TEST_SERVER_ENV} to the JSON of the options\n`);
  process.exit(2);
}
const options = JSON.parse(raw) as StdioTestServerOptions;
const state = new TestServerState(options);
const server = createTestMcpServer(options, state);
const transport = new StdioServerTransport();
await server.connect(transport);
interceptToolCalls(transport, state, {
  garbage: () => {
    process.stdout.write('mcpool-test: this line is not JSON-RPC\n');
  },
  crash: () => process.exit(1),
});

// StdioServerTransport ignores end of input; exit so the client's close() does not have to wait
// for its SIGTERM fallback (2 s).
process.stdin.once('end', () => process.exit(0));
if (options.exitAfterMs !== undefined) {
  setTimeout(() => process.exit(1), options.exitAfterMs);
}
