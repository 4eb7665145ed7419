#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createConformanceFixtureServer } from './conformance-fixtures.js';

// The conformance fixtures over stdio (for `mcpool serve` configs): one server per process.
await createConformanceFixtureServer().connect(new StdioServerTransport());
// StdioServerTransport ignores end of input; exit so that a closing client need not kill us.
process.stdin.once('end', () => process.exit(0));
