import { builtEntryPath, childConfig, type StdioTestServerConfig } from './stdio-server.js';
import type { TestServerOptions } from './test-server.js';

/** Options for a v2 stdio test server; fixed at spawn time, like {@link StdioTestServerOptions}. */
export interface V2StdioTestServerOptions extends TestServerOptions {
  /**
   * How a 2025-era opening (`initialize`) is handled: `serve` pins the connection to the legacy
   * era; `reject` answers it with the unsupported-protocol-version error (-32022).
   * @default 'serve'
   */
  legacy?: 'serve' | 'reject';
  /** The child exits with code 1 on its own after this long, as a dying server would. */
  exitAfterMs?: number;
  /**
   * A file each child appends its pid to when it starts, so a test can count the processes a
   * client spawned (a v2 client in `auto` mode spawns one more for its probe).
   */
  spawnLog?: string;
}

/** The stdio config {@link v2StdioServerConfig} produces (all optional fields filled in). */
export type V2StdioTestServerConfig = StdioTestServerConfig;

/** Absolute path of the compiled v2 stdio entry point (`dist/v2-stdio-main.js`). */
export function v2StdioMainPath(): string {
  return builtEntryPath('v2-stdio-main.js');
}

/**
 * A transport config that spawns a v2 SDK test server (`serveStdio`) as a child process, one per
 * connection. A v2 client in `auto` mode spawns a second, short-lived one for its
 * `server/discover` probe. Modes as for {@link stdioServerConfig}: `error`/`hang` as usual;
 * `garbage` writes a non-JSON line instead of the answer; `crash` exits with code 1 on the first
 * tools/call.
 */
export function v2StdioServerConfig(options: V2StdioTestServerOptions): V2StdioTestServerConfig {
  return childConfig('v2-stdio-main.js', options);
}
