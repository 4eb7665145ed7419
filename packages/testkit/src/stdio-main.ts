#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { applyChildKnobs, childOptions } from './stdio-child.js';
import type { StdioTestServerOptions } from './stdio-server.js';
import { createTestMcpServer, TestServerState } from './test-server.js';

const options = childOptions<StdioTestServerOptions>('mcpool-test-server');
const state = new TestServerState(options);
const server = createTestMcpServer(options, state);
const transport = new StdioServerTransport();
await server.connect(transport);
// StdioServerTransport ignores end of input: the knobs exit then.
applyChildKnobs(transport, state, options.exitAfterMs);
