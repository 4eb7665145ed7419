import { MultiServerClient, type MultiServerClientOptions, type ServerPool } from '@mcpool/core';
import { type Closable, startPool } from '@mcpool/core/testing';
import { type InProcessTestServer, startInProcessServers } from '@mcpool/testkit';

/** `n` in-process test servers (`s1`..`sn`) behind a started pool and a client. */
export async function rig(
  cleanup: (thing: Closable) => unknown,
  n: number,
  options: { latencyMs?: number; client?: MultiServerClientOptions } = {},
): Promise<{ servers: InProcessTestServer[]; pool: ServerPool; client: MultiServerClient }> {
  const latencyMs = options.latencyMs ?? 0;
  const servers = startInProcessServers(
    Array.from({ length: n }, () => ({ latencyMs })),
    cleanup,
  );
  const pool = await startPool(servers, { cleanup });
  const client = new MultiServerClient(pool, {
    backoff: { baseMs: 1, maxMs: 2 },
    ...options.client,
  });
  cleanup(client);
  return { servers, pool, client };
}

export { resultText as text } from '@mcpool/testkit';

/** tools/call requests the servers received for one tool, all together. */
export function calls(servers: readonly InProcessTestServer[], tool: string): number {
  return servers.reduce((n, s) => n + (s.state.calls[tool] ?? 0), 0);
}
