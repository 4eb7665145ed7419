// Test-only (tsconfig.build.json excludes src/test-*.ts): what the testkit's own tests share.
// The testkit sits below core (core's tests use it), so its tests cannot use @mcpool/core/testing.
import { afterEach } from 'vitest';

/**
 * One cleanup list for a test file or `describe`: what a test pushes is
 * closed after it, last pushed first, even when the test failed.
 */
export function useCleanups(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** The headers of a raw Streamable HTTP POST. */
export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** A raw legacy `initialize` request body, of `protocolVersion`. */
export function initializeBody(protocolVersion = '2025-06-18'): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
  });
}
