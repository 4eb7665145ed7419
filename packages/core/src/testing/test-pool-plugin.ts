import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import type { PoolPlugin } from '../spec/plugin.js';
import { type Cleanup, useCleanup } from './cleanup.js';
import { startPool, type TestServerRef } from './start-pool.js';

/** What `testPoolPlugin` runs its calls against. */
export interface PoolPluginSuiteOptions {
  /** Fresh, healthy servers for one test; register them with `cleanup` to have them closed. */
  servers(cleanup: Cleanup): readonly TestServerRef[] | Promise<readonly TestServerRef[]>;
  /** A tool every server offers and answers. */
  tool: { name: string; arguments?: Record<string, unknown> | undefined };
}

/**
 * The contract every `PoolPlugin` keeps, as a suite of tests against a real
 * pool: `testPoolPlugin('health', () => new HealthChecker(), { servers, tool })`.
 */
export function testPoolPlugin(
  name: string,
  create: () => PoolPlugin,
  options: PoolPluginSuiteOptions,
): void {
  describe(`${name}: the PoolPlugin contract`, () => {
    const cleanup = useCleanup();
    const call = (client: MultiServerClient) =>
      client.callTool({ name: options.tool.name, arguments: options.tool.arguments ?? {} });

    it('has a name', () => {
      expect(typeof create().name).toBe('string');
      expect(create().name.length).toBeGreaterThan(0);
    });

    it('lets calls through while installed, and after it is removed', async () => {
      const pool = await startPool(await options.servers(cleanup), { cleanup });
      const client = cleanup(new MultiServerClient(pool));
      const remove = pool.use(create());
      for (let i = 0; i < 5; i++) expect(await call(client)).toBeTypeOf('object');
      await remove();
      await remove();
      expect(await call(client)).toBeTypeOf('object');
    });

    it('is detached when the pool closes, and the pool closes in bounded time', async () => {
      const pool = await startPool(await options.servers(cleanup), { cleanup });
      const plugin = create();
      let detached = 0;
      const attach = plugin.attach?.bind(plugin);
      const counted: PoolPlugin = {
        ...plugin,
        name: plugin.name,
        wrapAttempt: plugin.wrapAttempt ?? plugin.attempt,
        wrapCall: plugin.wrapCall,
        onAttempt: plugin.onAttempt,
        attach(host) {
          const detach = attach?.(host);
          return async () => {
            detached++;
            await detach?.();
          };
        },
      };
      pool.use(counted);
      const started = performance.now();
      await pool.close();
      expect(detached).toBe(1);
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it('cannot be installed on a closed pool', async () => {
      const pool = await startPool(await options.servers(cleanup), { cleanup });
      await pool.close();
      expect(() => pool.use(create())).toThrow();
    });
  });
}
