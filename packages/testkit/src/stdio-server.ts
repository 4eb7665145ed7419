import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestServerOptions } from './test-server.js';
import type { TestStdioTransportConfig } from './transport-config.js';

/** The env var through which {@link stdioServerConfig} hands options to the child. */
export const TEST_SERVER_ENV = 'MCPOOL_TEST_SERVER';

/** Options for a stdio test server; fixed at spawn time (the child cannot be reached to change them). */
export interface StdioTestServerOptions extends TestServerOptions {
  /** The child exits with code 1 on its own after this long, as a dying server would. */
  exitAfterMs?: number;
}

/** The stdio config {@link stdioServerConfig} produces (all optional fields filled in). */
export type StdioTestServerConfig = TestStdioTransportConfig & {
  args: string[];
  env: Record<string, string>;
};

/** Absolute path of a compiled entry point of the testkit (`dist/<file>`). */
export function builtEntryPath(file: string): string {
  // From dist/ the entry sits beside this module. Under vitest this module is src/*.ts, and plain
  // Node 20 cannot run TypeScript, so point at the build output instead.
  const fromSource = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(
    new URL(fromSource ? `../dist/${file}` : `./${file}`, import.meta.url),
  );
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist; run \`pnpm --filter @mcpool/testkit build\` first`);
  }
  return path;
}

/** A stdio config that runs the compiled `entry` in a child Node process, with `options` in its environment. */
export function childConfig(entry: string, options: object): StdioTestServerConfig {
  return {
    type: 'stdio',
    command: process.execPath,
    args: [builtEntryPath(entry)],
    env: { [TEST_SERVER_ENV]: JSON.stringify(options) },
  };
}

/** Absolute path of the compiled stdio entry point (`dist/stdio-main.js`). */
export function stdioMainPath(): string {
  return builtEntryPath('stdio-main.js');
}

/**
 * A transport config that spawns a test server child process (a new process per connection).
 * Modes: `error`/`hang` as usual; `garbage` writes a non-JSON line to stdout instead of the
 * answer (the client reports a parse error through `onerror`; the call stays unanswered until it
 * times out); `crash` makes the process exit with code 1 on the first tools/call.
 */
export function stdioServerConfig(options: StdioTestServerOptions): StdioTestServerConfig {
  return childConfig('stdio-main.js', options);
}
