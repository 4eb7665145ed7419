import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { TEST_SERVER_ENV } from './stdio-server.js';
import type { TestServerState } from './test-server.js';
import { interceptToolCalls } from './tool-call-interceptor.js';

/** The options a stdio test server child was started with (the JSON in its environment); exits 2 without. */
export function childOptions<T>(bin: string): T {
  const raw = process.env[TEST_SERVER_ENV];
  if (!raw) {
    process.stderr.write(`${bin}: set ${TEST_SERVER_ENV} to the JSON of the options\n`);
    process.exit(2);
  }
  return JSON.parse(raw) as T;
}

/**
 * Puts the failure knobs of a stdio child in front of its transport: a
 * `garbage` line on stdout, a `crash` that exits, and an exit after
 * `exitAfterMs`. It also exits at the end of its input, so that nothing keeps
 * the child alive and the client's close() need not wait for its SIGTERM fallback.
 */
export function applyChildKnobs(
  transport: Transport,
  state: TestServerState,
  exitAfterMs: number | undefined,
): void {
  interceptToolCalls(transport, state, {
    garbage: () => {
      process.stdout.write('mcpool-test: this line is not JSON-RPC\n');
    },
    crash: () => process.exit(1),
  });
  process.stdin.once('end', () => process.exit(0));
  if (exitAfterMs !== undefined) {
    setTimeout(() => process.exit(1), exitAfterMs);
  }
}
