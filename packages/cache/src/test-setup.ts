import {
  MultiServerClient,
  type MultiServerClientOptions,
  type ServerPool,
  type ServerPoolOptions,
} from '@mcpool/core';
import { startPool } from '@mcpool/core/testing';
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

export interface TestRig {
  servers: InProcessTestServer[];
  pool: ServerPool;
  client: MultiServerClient;
}

/** `n` in-process test servers (`s1`..`sn`) behind a started pool and a client. */
export async function rig(
  cleanup: Cleanup,
  n: number,
  options: {
    latencyMs?: number;
    pool?: ServerPoolOptions;
    client?: MultiServerClientOptions;
    servers?: InProcessTestServer[];
  } = {},
): Promise<TestRig> {
  const servers =
    options.servers ??
    Array.from({ length: n }, (_, i) =>
      startInProcessServer({ id: `s${i + 1}`, latencyMs: options.latencyMs ?? 0 }),
    );
  if (!options.servers)
    cleanup.add(() => Promise.all(servers.map((s) => s.close())).then(() => {}));
  const pool = await startPool(servers, {
    ...options.pool,
    cleanup: (p) => cleanup.add(() => p.close()),
  });
  const client = new MultiServerClient(pool, {
    backoff: { baseMs: 1, maxMs: 2 },
    ...options.client,
  });
  cleanup.add(() => client.close());
  return { servers, pool, client };
}

export { resultText as text } from '@mcpool/testkit';

/** tools/call requests a server received for one tool. */
export function calls(server: InProcessTestServer | undefined, tool: string): number {
  return server?.state.calls[tool] ?? 0;
}
