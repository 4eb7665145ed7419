import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import type { Aggregator } from '../spec/aggregator.js';
import { AbortedError, UnsafeAggregationError } from '../spec/errors.js';
import { type Cleanup, useCleanup } from './cleanup.js';
import { startPool, type TestServerRef } from './start-pool.js';

/** What `testAggregator` runs its calls against. */
export interface AggregatorSuiteOptions {
  /** Fresh, healthy servers for one test; register them with `cleanup` to have them closed. */
  servers(cleanup: Cleanup): readonly TestServerRef[] | Promise<readonly TestServerRef[]>;
  /** A tool every server offers and answers. */
  tool: { name: string; arguments?: Record<string, unknown> | undefined };
}

/**
 * The contract every `Aggregator` keeps, as a suite of tests against a real
 * pool: `testAggregator('all', () => all(), { servers, tool })`.
 */
export function testAggregator(
  name: string,
  create: () => Aggregator,
  options: AggregatorSuiteOptions,
): void {
  describe(`${name}: the Aggregator contract`, () => {
    const cleanup = useCleanup();

    // The tool counts as safe to repeat unless a test says otherwise, so fan-out strategies run.
    async function clientWith(extra: { unsafeTools?: string[] } = {}) {
      const pool = await startPool(await options.servers(cleanup), { cleanup });
      return cleanup(
        new MultiServerClient(pool, {
          aggregation: create(),
          backoff: { baseMs: 1, maxMs: 2 },
          safeTools: [options.tool.name],
          ...extra,
        }),
      );
    }

    it('has a name and says whether it fans out', () => {
      const aggregator = create();
      expect(typeof aggregator.name).toBe('string');
      expect(aggregator.name.length).toBeGreaterThan(0);
      expect(typeof aggregator.fanOut).toBe('boolean');
    });

    it('answers a safe call when every server is healthy', async () => {
      const client = await clientWith();
      const result = await client.callTool({
        name: options.tool.name,
        arguments: options.tool.arguments ?? {},
      });
      expect(result).toBeTypeOf('object');
    });

    it('is refused for a request that is not safe to repeat when it fans out', async () => {
      const client = await clientWith({ unsafeTools: [options.tool.name] });
      const call = client.callTool({
        name: options.tool.name,
        arguments: options.tool.arguments ?? {},
      });
      if (create().fanOut) await expect(call).rejects.toBeInstanceOf(UnsafeAggregationError);
      else await expect(call).resolves.toBeTypeOf('object');
    });

    it("ends with the caller's abort", async () => {
      const client = await clientWith();
      const controller = new AbortController();
      controller.abort(new Error('caller gave up'));
      await expect(
        client.callTool(
          { name: options.tool.name, arguments: options.tool.arguments ?? {} },
          { signal: controller.signal },
        ),
      ).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
