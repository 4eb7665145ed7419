import {
  type MultiServerClient,
  PoolClosedError,
  type ServerPool,
  UnknownCapabilityError,
} from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { delay, type InProcessTestServer } from '@mcpool/testkit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchClient } from './batch-client.js';
import { calls, rig, text } from './test-setup.js';

type Step =
  | { kind: 'echo'; message: string }
  | { kind: 'counter' }
  | { kind: 'unknown' }
  | { kind: 'read' }
  | { kind: 'abort' }
  | { kind: 'flush' }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('echo' as const), message: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('counter' as const) }),
  fc.record({ kind: fc.constant('unknown' as const) }),
  fc.record({ kind: fc.constant('read' as const) }),
  fc.record({ kind: fc.constant('abort' as const) }),
  fc.record({ kind: fc.constant('flush' as const) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 12 }) }),
);

describe('BatchClient property', () => {
  const cleanup = useCleanup('all');
  let servers: InProcessTestServer[];
  let pool: ServerPool;
  let client: MultiServerClient;

  beforeAll(async () => {
    ({ servers, pool, client } = await rig(cleanup, 2, { latencyMs: 1 }));
  });

  it('settles every promise exactly once, with its own answer, for any sequence of adds and flushes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, batchSize, flushDelay, concurrency) => {
          const batch = new BatchClient(client, { batchSize, flushDelay, concurrency });
          const counterBefore = calls(servers, 'counter');
          const settlements: number[] = [];
          const outcomes: { step: Step; ok: boolean; value: unknown }[] = [];
          const flushes: Promise<void>[] = [];
          let counters = 0;
          let adds = 0;
          const track = (index: number, s: Step, promise: Promise<unknown>) => {
            settlements[index] = 0;
            adds++;
            promise.then(
              (value) => {
                settlements[index] = (settlements[index] ?? 0) + 1;
                outcomes[index] = { step: s, ok: true, value };
              },
              (value: unknown) => {
                settlements[index] = (settlements[index] ?? 0) + 1;
                outcomes[index] = { step: s, ok: false, value };
              },
            );
          };
          for (const [index, s] of steps.entries()) {
            switch (s.kind) {
              case 'echo':
                track(
                  index,
                  s,
                  batch.callTool({ name: 'echo', arguments: { message: s.message } }),
                );
                break;
              case 'counter':
                counters++;
                track(index, s, batch.callTool({ name: 'counter', arguments: {} }));
                break;
              case 'unknown':
                track(index, s, batch.callTool({ name: 'missing', arguments: {} }));
                break;
              case 'read':
                track(index, s, batch.readResource({ uri: 'mcpool-test://s1/info' }));
                break;
              case 'abort': {
                const controller = new AbortController();
                track(
                  index,
                  s,
                  batch.callTool(
                    { name: 'echo', arguments: { message: 'a' } },
                    { signal: controller.signal },
                  ),
                );
                setTimeout(() => controller.abort(), 2);
                break;
              }
              case 'flush':
                flushes.push(batch.flush());
                break;
              case 'wait':
                await delay(s.ms);
                break;
            }
          }
          await batch.close();
          await Promise.all(flushes);
          await delay(3);

          const tracked = settlements.filter((n) => n !== undefined);
          expect(tracked).toHaveLength(adds);
          expect(tracked.every((n) => n === 1)).toBe(true);
          for (const outcome of outcomes) {
            if (!outcome) continue;
            const { step: s, ok, value } = outcome;
            if (s.kind === 'echo') expect(text(value as never)).toBe(s.message);
            if (s.kind === 'counter') expect(ok).toBe(true);
            if (s.kind === 'unknown') expect(value).toBeInstanceOf(UnknownCapabilityError);
            if (s.kind === 'read') expect(ok).toBe(true);
            if (s.kind === 'abort' && ok) expect(text(value as never)).toBe('a');
          }
          // Never shared, never dropped: every counter that was added ran once.
          expect(calls(servers, 'counter') - counterBefore).toBe(counters);
          const m = batch.metrics();
          expect(m.operations).toBe(adds);
          expect(m.pending).toBe(0);
          expect(m.running).toBe(0);
          if (m.batches > 0) expect(Math.round(m.averageBatchSize * m.batches)).toBe(adds);
          await expect(
            batch.callTool({ name: 'echo', arguments: { message: 'x' } }),
          ).rejects.toBeInstanceOf(PoolClosedError);
        },
      ),
      { numRuns: 60 },
    );
    expect(pool.getMetrics().inFlight).toBe(0);
  });
});
