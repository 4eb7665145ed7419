import { ServerPool } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { waitFor } from '@mcpool/testkit';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { announce } from './announce.js';
import { discover } from './discover.js';
import { etcdSource } from './etcd-source.js';
import { sourceContract } from './test-contract.js';
import { hasEtcd, TestEtcd } from './test-etcd.js';

// CI installs etcd-server (.ci/run): there a missing etcd is a failure, not a skip.
if (!hasEtcd && process.env.CI) {
  throw new Error(`CI=${process.env.CI} but there is no etcd on PATH: run .ci/run first.`);
}
if (!hasEtcd) {
  console.warn(
    '[@mcpool/discovery] Skipping the etcd tests: no etcd on PATH (apt-get install -y etcd-server).',
  );
}

const server = (id: string, host = '127.0.0.2') => ({
  id,
  transport: { type: 'streamable-http' as const, url: `http://${host}:18080/mcp` },
});

describe.skipIf(!hasEtcd)('etcdSource against a real etcd', () => {
  const etcd = new TestEtcd();
  let client: Etcd3;
  let n = 0;
  const prefix = () => `/test-${n}/servers/`;
  const cleanup = useCleanup();

  beforeAll(async () => {
    await etcd.start();
    client = new Etcd3({ hosts: etcd.endpoint });
  }, 30_000);
  afterAll(async () => {
    client?.close();
    await etcd.close();
  });
  afterEach(() => {
    n++;
  });

  sourceContract(
    'etcdSource',
    async (replicas) => {
      const p = `/contract-${n++}/`;
      const publish = async (next: typeof replicas) => {
        await client.delete().prefix(p);
        for (const r of next)
          await client.put(`${p}${r.name}`).value(
            JSON.stringify({
              id: r.name,
              transport: { type: 'streamable-http', url: `http://${r.host}:${r.port}/mcp` },
            }),
          );
      };
      await publish(replicas);
      return {
        source: etcdSource({ endpoints: [etcd.endpoint], prefix: p, dialTimeout: 500 }),
        publish,
        close: async () => {},
      };
    },
    { change: true },
  );
  // Failure is etcd itself going down: the kill-and-restart test below.

  it('announce() registers a server under a lease; close() takes it out of the pool', async () => {
    const pool = new ServerPool({ drainTimeout: 100 });
    const d = discover(pool, etcdSource({ endpoints: [etcd.endpoint], prefix: prefix() }), {
      settle: 0,
      maxRemoveRatio: 1,
    });
    cleanup(async () => {
      await d.stop();
      await pool.close();
    });
    const a = await announce({ endpoints: [etcd.endpoint], prefix: prefix(), server: server('a') });
    await d.ready(AbortSignal.timeout(10_000));
    const b = await announce({
      endpoints: [etcd.endpoint],
      prefix: prefix(),
      server: server('b', '127.0.0.3'),
    });
    await waitFor(() => pool.servers().length === 2);
    expect(a.key).toBe(`${prefix()}a`);
    await b.close();
    await waitFor(
      () =>
        pool
          .servers()
          .map((s) => s.id)
          .join() === 'a',
    );
    await a.close();
  });

  it('a server that stops renewing leaves when its lease expires', async () => {
    const lease = client.lease(2);
    await lease.put(`${prefix()}dying`).value(JSON.stringify(server('dying')));
    await client.put(`${prefix()}steady`).value(JSON.stringify(server('steady', '127.0.0.3')));
    const pool = new ServerPool({ drainTimeout: 100 });
    const d = discover(pool, etcdSource({ endpoints: [etcd.endpoint], prefix: prefix() }), {
      settle: 0,
    });
    cleanup(async () => {
      await d.stop();
      await pool.close();
    });
    await d.ready(AbortSignal.timeout(10_000));
    expect(pool.servers()).toHaveLength(2);
    // The process "dies": no more keepalives; etcd deletes the key when the TTL runs out.
    lease.release();
    const since = Date.now();
    await waitFor(
      () =>
        pool
          .servers()
          .map((s) => s.id)
          .join() === 'steady',
      {
        timeoutMs: 10_000,
        message: 'the expired server to leave',
      },
    );
    expect(Date.now() - since).toBeGreaterThan(500);
  });

  it('reports a bad value with its key and uses the others', async () => {
    await client.put(`${prefix()}good`).value(JSON.stringify(server('good')));
    await client.put(`${prefix()}broken`).value('{"id": "broken", ');
    await client
      .put(`${prefix()}wrong`)
      .value(JSON.stringify({ id: 'wrong', transport: { type: 'carrier-pigeon' } }));
    const { entries } = await etcdSource({
      endpoints: [etcd.endpoint],
      prefix: prefix(),
    }).resolve();
    const pool = new ServerPool();
    const d = discover(pool, etcdSource({ endpoints: [etcd.endpoint], prefix: prefix() }), {
      settle: 0,
    });
    const errors: Error[] = [];
    d.on('discovery:error', ({ error }) => errors.push(error));
    cleanup(async () => {
      await d.stop();
      await pool.close();
    });
    await d.ready(AbortSignal.timeout(10_000));
    expect(entries).toHaveLength(3);
    expect(pool.servers().map((s) => s.id)).toEqual(['good']);
    const message = errors.map((e) => e.message).join('\n');
    expect(message).toContain(`etcd:${prefix()}broken: the value is not JSON`);
    expect(message).toContain(`etcd:${prefix()}wrong.transport`);
  });

  it('keeps the last good set while etcd is down, and follows again after it restarts', async () => {
    const p = prefix();
    const pool = new ServerPool({ drainTimeout: 100 });
    const a = await announce({
      endpoints: [etcd.endpoint],
      prefix: p,
      server: server('a'),
      ttl: 30,
    });
    const b = await announce({
      endpoints: [etcd.endpoint],
      prefix: p,
      server: server('b', '127.0.0.3'),
      ttl: 30,
    });
    const d = discover(
      pool,
      etcdSource({ endpoints: [etcd.endpoint], prefix: p, dialTimeout: 500 }),
      {
        settle: 0,
      },
    );
    const errors: Error[] = [];
    d.on('discovery:error', ({ error }) => errors.push(error));
    cleanup(async () => {
      await d.stop();
      await a.close();
      await b.close();
      await pool.close();
    });
    await d.ready(AbortSignal.timeout(10_000));
    expect(pool.servers()).toHaveLength(2);
    await etcd.kill();
    await waitFor(() => errors.length > 0, {
      timeoutMs: 15_000,
      message: 'the lost watch to be reported',
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(
      pool
        .servers()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['a', 'b']);
    await etcd.restart();
    // After the restart the watch is back: a new server shows up.
    const c = await announce({
      endpoints: [etcd.endpoint],
      prefix: p,
      server: server('c', '127.0.0.4'),
    });
    cleanup(() => c.close());
    await waitFor(() => pool.servers().length === 3, {
      timeoutMs: 20_000,
      message: 'c to join after the restart',
    });
  }, 60_000);
});
