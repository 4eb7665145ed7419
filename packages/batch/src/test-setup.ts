import { MultiServerClient, type MultiServerClientOptions, ServerPool } from '@mcpool/core';
import { type InProcessTestServer, startInProcessServer } from '@mcpool/testkit';

/** Closes everything a test opened, last opened first. */
export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** `n` in-process test servers (`s1`..`sn`) behind a started pool and a client. */
export async function rig(
  cleanup: Cleanup,
  n: number,
  options: { latencyMs?: number; client?: MultiServerClientOptions } = {},
): Promise<{ servers: InProcessTestServer[]; pool: ServerPool; client: MultiServerClient }> {
  const servers = Array.from({ length: n }, (_, i) =>
    startInProcessServer({ id: `s${i + 1}`, latencyMs: options.latencyMs ?? 0 }),
  );
  cleanup.add(() => Promise.all(servers.map((s) => s.close())).then(() => {}));
  const pool = new ServerPool({ reconnect: { baseMs: 20, maxMs: 100 } });
  for (const s of servers) pool.addServer({ id: s.id, transport: s.transport });
  cleanup.add(() => pool.close());
  await pool.start({ strict: true });
  const client = new MultiServerClient(pool, {
    backoff: { baseMs: 1, maxMs: 2 },
    ...options.client,
  });
  cleanup.add(() => client.close());
  return { servers, pool, client };
}

export { resultText as text } from '@mcpool/testkit';

/** tools/call requests the servers received for one tool, all together. */
export function calls(servers: readonly InProcessTestServer[], tool: string): number {
  return servers.reduce((n, s) => n + (s.state.calls[tool] ?? 0), 0);
}
