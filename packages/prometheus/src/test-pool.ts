import { MultiServerClient, type MultiServerClientOptions, type ServerPool } from '@mcpool/core';
import { startPool, useCleanup } from '@mcpool/core/testing';
import { type InProcessTestServer, startInProcessServer } from '@mcpool/testkit';

/** One cleanup list per test file: what a test opened is closed after it, last opened first. */
const cleanup = useCleanup();

/** Registers something to close after the test, in reverse order. */
export function onCleanup(close: () => void | Promise<void>): void {
  cleanup(close);
}

/** Closes everything registered with `onCleanup` now (it also happens after each test by itself). */
export const runCleanups = cleanup.run;

export interface TestPool {
  readonly pool: ServerPool;
  readonly servers: Record<string, InProcessTestServer>;
  server(id: string): InProcessTestServer;
}

/** Real in-process MCP servers behind a started pool, closed after the test. */
export async function startTestPool(
  ids: readonly string[],
  options: { latencyMs?: number } = {},
): Promise<TestPool> {
  const servers: Record<string, InProcessTestServer> = {};
  for (const id of ids) servers[id] = startInProcessServer({ id, ...options });
  onCleanup(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });
  const pool = await startPool(Object.values(servers), {
    drainTimeout: 500,
    strict: false,
    cleanup,
  });
  await pool.ready();
  return {
    pool,
    servers,
    server: (id) => {
      const s = servers[id];
      if (!s) throw new Error(`no test server ${id}`);
      return s;
    },
  };
}

/** A client on the pool, closed after the test. */
export function testClient(
  pool: ServerPool,
  options: MultiServerClientOptions = {},
): MultiServerClient {
  const client = new MultiServerClient(pool, options);
  onCleanup(() => client.close());
  return client;
}

/** Calls `add` pinned to one server; resolves to the error when the call fails. */
export async function callOn(client: MultiServerClient, server: string): Promise<unknown> {
  try {
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }, { server });
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The value of one series in a text exposition, or undefined when it is absent. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
