#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { applyChildKnobs, childOptions } from './stdio-child.js';
import { TestServerState } from './test-server.js';
import type { V2StdioTestServerOptions } from './v2-stdio-server.js';
import { createV2TestMcpServer } from './v2-test-server.js';

const options = childOptions<V2StdioTestServerOptions>('mcpool-test-server-v2');
if (options.spawnLog !== undefined) appendFileSync(options.spawnLog, `${process.pid}\n`);
const state = new TestServerState(options);
const wire = new StdioServerTransport();
serveStdio((ctx) => createV2TestMcpServer(options, state, ctx.era), {
  legacy: options.legacy ?? 'serve',
  transport: wire,
});
// serveStdio installs wire.onmessage synchronously; wrapping it now puts the knobs in front of the
// era routing, so they act the same in both eras. The wire shape is the v1 Transport's.
applyChildKnobs(wire as unknown as Transport, state, options.exitAfterMs);
