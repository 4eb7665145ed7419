import { ServerPool } from '@mcpool/core';
import { waitFor } from '@mcpool/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discover } from './discover.js';
import type { Source } from './source.js';
import { validateEntries } from './validate-entries.js';

/** A replica as the contract publishes it: every source can say "this host, this port". */
export interface Replica {
  /** A short stable name (a pod, a Consul service id, an etcd key). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** What one source's test gives the shared contract. */
export interface ContractHarness {
  readonly source: Source;
  /** Makes the discovery system report exactly `replicas`. Absent for fixed sources. */
  publish?(replicas: readonly Replica[]): Promise<void>;
  /** Makes the source fail (server down, broken file) until `repair()`. */
  breakSource?(): Promise<void>;
  repair?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Discovery from `source` into a new pool, ready, with the errors it reports;
 * `cleanup` is told how to stop it and close the pool.
 */
export async function watchSource(
  source: Source,
  cleanup: (close: () => Promise<void>) => unknown,
): Promise<{ pool: ServerPool; errors: Error[] }> {
  const pool = new ServerPool();
  const d = discover(pool, source, { settle: 0 });
  cleanup(async () => {
    await d.stop();
    await pool.close();
  });
  const errors: Error[] = [];
  d.on('discovery:error', ({ error }) => errors.push(error));
  await d.ready(AbortSignal.timeout(5_000));
  return { pool, errors };
}

/** Three replicas on one port, told apart by their loopback address. */
export const REPLICAS: readonly Replica[] = [
  { name: 'r1', host: '127.0.0.2', port: 18_080 },
  { name: 'r2', host: '127.0.0.3', port: 18_080 },
  { name: 'r3', host: '127.0.0.4', port: 18_080 },
];

function urls(configs: readonly unknown[]): string[] {
  return configs
    .map((c) => {
      const t = (c as { transport: { url?: string } }).transport;
      return new URL(t.url ?? '').host;
    })
    .sort();
}

function hosts(replicas: readonly Replica[]): string[] {
  return replicas.map((r) => `${r.host}:${r.port}`).sort();
}

/**
 * The conformance suite every source runs: it reports what is published as
 * valid servers with stable ids, the pool follows changes, a failing source
 * keeps the pool as it was, and an aborted resolve rejects.
 */
export function sourceContract(
  name: string,
  setup: (initial: readonly Replica[]) => Promise<ContractHarness>,
  /** What the source can be made to do: change its set, fail. A source that cannot skips nothing silently: the test is not registered. */
  can: { change?: boolean; fail?: boolean } = { change: true, fail: true },
): void {
  describe(`${name}: the source contract`, () => {
    let harness: ContractHarness;
    let pool: ServerPool;

    beforeEach(async () => {
      harness = await setup(REPLICAS);
      // Not started: sync() then only records servers, it connects to nothing.
      pool = new ServerPool({ drainTimeout: 100 });
    });

    afterEach(async () => {
      await pool.close();
      await harness.close();
    });

    it('reports what is published as valid servers with stable ids', async () => {
      const first = await harness.source.resolve();
      const checked = validateEntries(first.entries);
      expect(checked.issues).toEqual([]);
      expect(urls(checked.servers)).toEqual(hosts(REPLICAS));
      const again = validateEntries((await harness.source.resolve()).entries);
      expect(again.servers.map((s) => s.id).sort()).toEqual(
        checked.servers.map((s) => s.id).sort(),
      );
    });

    it('fills the pool', async () => {
      const d = discover(pool, harness.source, { settle: 0, interval: 50 });
      try {
        await d.ready(AbortSignal.timeout(10_000));
        expect(urls(d.current())).toEqual(hosts(REPLICAS));
        expect(pool.servers().length).toBe(3);
        expect(d.resolved()).toBe(true);
      } finally {
        await d.stop();
      }
    });

    if (can.change)
      it('follows a change; a replica that stays keeps its id', async () => {
        const d = discover(pool, harness.source, { settle: 0, maxRemoveRatio: 1, interval: 50 });
        try {
          await d.ready(AbortSignal.timeout(10_000));
          expect(urls(d.current())).toEqual(hosts(REPLICAS));
          const next = [REPLICAS[0], REPLICAS[2], { name: 'r4', host: '127.0.0.5', port: 18_080 }];
          const kept = d.current().find((s) => urls([s])[0] === hosts([REPLICAS[0] as Replica])[0]);
          await harness.publish?.(next as Replica[]);
          await waitFor(() => urls(d.current()).join() === hosts(next as Replica[]).join(), {
            timeoutMs: 10_000,
            message: `${name} to report the new set`,
          });
          expect(
            pool
              .servers()
              .map((s) => s.id)
              .sort(),
          ).toEqual(
            d
              .current()
              .map((s) => s.id)
              .sort(),
          );
          // The replica that stayed kept its id: ids name replicas, not list positions.
          expect(d.current().some((s) => s.id === kept?.id)).toBe(true);
        } finally {
          await d.stop();
        }
      });

    if (can.fail)
      it('keeps the pool as it was while the source fails', async () => {
        const d = discover(pool, harness.source, {
          settle: 0,
          interval: 50,
          backoff: { baseMs: 20, maxMs: 50 },
          timeout: 500,
        });
        try {
          await d.ready(AbortSignal.timeout(10_000));
          const before = pool
            .servers()
            .map((s) => s.id)
            .sort();
          const errors: Error[] = [];
          d.on('discovery:error', ({ error }) => errors.push(error));
          await harness.breakSource?.();
          await waitFor(() => errors.length > 0, {
            timeoutMs: 15_000,
            message: `${name} to report its failure`,
          });
          expect(errors[0]?.message).toMatch(/discovery source|failed|keeps/i);
          expect(
            pool
              .servers()
              .map((s) => s.id)
              .sort(),
          ).toEqual(before);
          await harness.repair?.();
        } finally {
          await d.stop();
        }
      });

    it('rejects a resolve whose signal is aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('stop now'));
      await expect(harness.source.resolve(controller.signal)).rejects.toThrow();
    });
  });
}
