import {
  MultiServerClient,
  type ServerConfig,
  ServerPool,
  type ServerPoolOptions,
} from '@mcpool/core';
import { ManualClock, useCleanup } from '@mcpool/core/testing';
import { type HttpTestServer, resultText, startHttpServer, waitFor } from '@mcpool/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscoverOptions, discover } from './discover.js';
import type { DiscoveryEvents } from './events.js';
import type { Resolution, Source } from './source.js';

/** A polled source the test steers: what it reports, or that it fails. */
function steeredSource(initial: ServerConfig[]) {
  let servers = initial;
  let failure: Error | undefined;
  let calls = 0;
  const source: Source = {
    name: 'steered',
    async resolve(signal): Promise<Resolution> {
      signal?.throwIfAborted();
      calls++;
      if (failure) throw failure;
      return { entries: servers.map((config, i) => ({ config, origin: `steered[${i}]` })) };
    },
  };
  return {
    source,
    set(next: ServerConfig[]) {
      servers = next;
    },
    fail(error: Error | undefined) {
      failure = error;
    },
    get calls() {
      return calls;
    },
  };
}

function server(id: string, url = `http://127.0.0.9:1/${id}`): ServerConfig {
  return { id, transport: { type: 'streamable-http', url } };
}

const ids = (pool: ServerPool) =>
  pool
    .servers()
    .map((s) => s.id)
    .sort();

/** Lets promise callbacks run after a manual clock fired timers. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function record(d: ReturnType<typeof discover>) {
  const events: { [K in keyof DiscoveryEvents]: DiscoveryEvents[K][0][] } = {
    'discovery:update': [],
    'discovery:error': [],
    'discovery:held': [],
  };
  d.on('discovery:update', (e) => events['discovery:update'].push(e));
  d.on('discovery:error', (e) => events['discovery:error'].push(e));
  d.on('discovery:held', (e) => events['discovery:held'].push(e));
  return events;
}

const cleanup = useCleanup();

function setup(initial: ServerConfig[], options: DiscoverOptions = {}) {
  const steer = steeredSource(initial);
  const clock = new ManualClock();
  const pool = new ServerPool({ drainTimeout: 100 });
  const d = discover(pool, steer.source, { settle: 0, interval: 1_000, clock, ...options });
  cleanup(async () => {
    await d.stop();
    await pool.close();
  });
  return { steer, clock, pool, d, events: record(d) };
}

/** One poll interval on the manual clock, and the resolution it starts. */
async function tick(clock: ManualClock, ms = 1_000): Promise<void> {
  clock.advance(ms);
  await flush();
}

describe('discover: safety rules', () => {
  it('never empties the pool when the source fails; reports and retries with backoff', async () => {
    const { steer, clock, pool, d, events } = setup([server('a'), server('b')], {
      backoff: { baseMs: 1_000, maxMs: 4_000 },
    });
    await d.ready();
    steer.fail(new Error('connection refused'));
    const before = steer.calls;
    for (let i = 0; i < 20; i++) await tick(clock);
    expect(ids(pool)).toEqual(['a', 'b']);
    expect(events['discovery:error'].length).toBeGreaterThan(3);
    expect(events['discovery:error'][0]?.error.message).toMatch(
      /steered failed: connection refused.*keeps the servers/,
    );
    // Backoff: fewer asks than one per interval once it has failed a few times.
    expect(steer.calls - before).toBeLessThan(15);
    steer.fail(undefined);
    steer.set([server('a'), server('c')]);
    for (let i = 0; i < 5; i++) await tick(clock);
    expect(ids(pool)).toEqual(['a', 'c']);
  });

  it('never applies an empty set: minServers defaults to 1', async () => {
    const { steer, clock, pool, d, events } = setup([server('a'), server('b')], {
      maxRemoveRatio: 1,
    });
    await d.ready();
    steer.set([]);
    for (let i = 0; i < 3; i++) await tick(clock);
    expect(ids(pool)).toEqual(['a', 'b']);
    expect(events['discovery:held'][0]).toMatchObject({ reason: 'minServers', servers: 0 });
  });

  it('guards minServers: a set below it that removes servers is held', async () => {
    const { steer, clock, pool, d, events } = setup([server('a'), server('b'), server('c')], {
      minServers: 3,
      maxRemoveRatio: 1,
    });
    await d.ready();
    steer.set([server('a'), server('b')]);
    await tick(clock);
    expect(ids(pool)).toEqual(['a', 'b', 'c']);
    expect(events['discovery:held'].at(-1)).toMatchObject({ reason: 'minServers', removed: ['c'] });
    steer.set([server('a'), server('b'), server('d')]);
    await tick(clock);
    await waitFor(() => ids(pool).join() === 'a,b,d');
  });

  it('applies a removal of more than maxRemoveRatio only when the next resolution repeats it', async () => {
    const { steer, clock, pool, d, events } = setup(
      [server('a'), server('b'), server('c'), server('d')],
      { confirmAfter: 10_000 },
    );
    await d.ready();
    steer.set([server('a')]);
    await tick(clock);
    expect(ids(pool)).toEqual(['a', 'b', 'c', 'd']);
    expect(events['discovery:held']).toEqual([
      { reason: 'maxRemoveRatio', removed: ['b', 'c', 'd'], servers: 1 },
    ]);
    await tick(clock);
    await waitFor(() => ids(pool).join() === 'a');
    expect(events['discovery:update'].at(-1)?.removed.slice().sort()).toEqual(['b', 'c', 'd']);
  });

  it('forgets a held removal that the next resolution does not repeat', async () => {
    const { steer, clock, pool, d } = setup([server('a'), server('b'), server('c'), server('d')]);
    await d.ready();
    steer.set([server('a')]);
    await tick(clock);
    steer.set([server('a'), server('b'), server('c'), server('d')]);
    await tick(clock);
    steer.set([server('a')]);
    await tick(clock);
    expect(ids(pool)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('asks a held removal again after confirmAfter, not at the next interval', async () => {
    const { steer, clock, pool, d } = setup([server('a'), server('b'), server('c')], {
      interval: 60_000,
      confirmAfter: 500,
    });
    await d.ready();
    // A poll at 60 s reports the drop; the confirmation follows 500 ms later.
    steer.set([server('a')]);
    await tick(clock, 60_000);
    expect(ids(pool)).toEqual(['a', 'b', 'c']);
    await tick(clock, 500);
    await waitFor(() => ids(pool).join() === 'a');
  });

  it('damps flapping: a change must last `settle` ms', async () => {
    const { steer, clock, pool, d, events } = setup([server('a'), server('b')], {
      settle: 2_500,
      maxRemoveRatio: 1,
    });
    await d.ready();
    // b leaves and comes back within the settle time, three times over.
    for (let i = 0; i < 3; i++) {
      steer.set([server('a')]);
      await tick(clock);
      steer.set([server('a'), server('b')]);
      await tick(clock);
    }
    await tick(clock, 5_000);
    expect(ids(pool)).toEqual(['a', 'b']);
    expect(events['discovery:update']).toHaveLength(1);
    // A change that lasts is applied once the settle time passed.
    steer.set([server('a'), server('c')]);
    for (let i = 0; i < 4; i++) await tick(clock);
    await waitFor(() => ids(pool).join() === 'a,c');
  });

  it('reports a bad entry with its path and applies the others', async () => {
    const { pool, d, events } = setup([
      server('good'),
      { id: 'bad id!', transport: { type: 'streamable-http', url: 'http://127.0.0.9:1/' } },
      // Valid alone, but the pool's namespacing separator makes it ambiguous.
      server('two__parts'),
    ]);
    await d.ready();
    expect(ids(pool)).toEqual(['good']);
    const messages = events['discovery:error'].map((e) => e.error.message).join('\n');
    expect(messages).toMatch(/steered\[1\]\.id/);
    expect(messages).toMatch(/namespacing separator/);
    expect(events['discovery:error'].every((e) => 'code' in e.error)).toBe(true);
  });

  it('rejects options that cannot work, naming each', () => {
    const pool = new ServerPool();
    expect(() =>
      discover(pool, steeredSource([]).source, { maxRemoveRatio: 2, interval: -1 }),
    ).toThrow(/maxRemoveRatio.*interval|interval.*maxRemoveRatio/s);
  });

  it('ready() rejects when discovery stops first, and honours its signal', async () => {
    const { steer, d } = setup([]);
    steer.set([]);
    const controller = new AbortController();
    const waiting = d.ready(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    const pending = d.ready();
    await d.stop();
    await expect(pending).rejects.toMatchObject({ code: 'DISCOVERY_STOPPED' });
    expect(d.resolved()).toBe(false);
  });

  it('a throwing listener does not stop discovery', async () => {
    const { steer, clock, pool, d, events } = setup([server('a')], { maxRemoveRatio: 1 });
    d.on('discovery:update', () => {
      throw new Error('listener bug');
    });
    await d.ready();
    steer.set([server('b')]);
    await tick(clock);
    await waitFor(() => ids(pool).join() === 'b');
    expect(events['discovery:error'].some((e) => /listener bug/.test(e.error.message))).toBe(true);
  });
});

describe('discover: draining and outages with real servers', () => {
  const servers: HttpTestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function replicas(n: number): Promise<ServerConfig[]> {
    const started = await Promise.all(
      Array.from({ length: n }, (_, i) => startHttpServer({ id: `s${servers.length + i + 1}` })),
    );
    servers.push(...started);
    return started.map((s) => ({ id: s.id, transport: s.transport }));
  }

  /** A started pool that `discover` fills from a steered source, and a client over it. */
  async function discovered(
    configs: ServerConfig[],
    poolOptions: ServerPoolOptions,
    options: DiscoverOptions,
  ) {
    const steer = steeredSource(configs);
    const clock = new ManualClock();
    const pool = new ServerPool(poolOptions);
    const d = discover(pool, steer.source, { clock, ...options });
    const client = new MultiServerClient(pool);
    cleanup(async () => {
      await d.stop();
      await client.close();
    });
    await d.ready();
    await pool.start();
    await pool.ready();
    return { steer, clock, pool, d, client };
  }

  it('lets a removed server finish its in-flight call and routes nothing new to it', async () => {
    const [a, b] = await replicas(2);
    const { steer, clock, pool, d, client } = await discovered(
      [a as ServerConfig, b as ServerConfig],
      { drainTimeout: 5_000 },
      { settle: 0, interval: 1_000, maxRemoveRatio: 1 },
    );
    const slow = client.callTool({ name: 'sleep', arguments: { ms: 600 } }, { server: 's1' });
    await waitFor(() => pool.server('s1')?.inFlight === 1);
    const removedAt: number[] = [];
    d.on('discovery:update', (e) => {
      if (e.removed.includes('s1')) removedAt.push(performance.now());
    });
    steer.set([b as ServerConfig]);
    await tick(clock);
    // s1 left selection at once: every new call lands on s2.
    await waitFor(() => !ids(pool).includes('s1'));
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      expect(resultText(r)).toBe('s2');
    }
    const result = await slow;
    const doneAt = performance.now();
    expect(result.isError).not.toBe(true);
    await waitFor(() => removedAt.length > 0);
    expect(removedAt[0]).toBeGreaterThanOrEqual(doneAt - 50);
  });

  it('drains no longer than the drainTimeout of the pool', async () => {
    const [a, b] = await replicas(2);
    const { steer, clock, pool, d, client } = await discovered(
      [a as ServerConfig, b as ServerConfig],
      { drainTimeout: 200 },
      { settle: 0, interval: 1_000, maxRemoveRatio: 1 },
    );
    const first = servers[0] as HttpTestServer;
    const long = client
      .callTool({ name: 'sleep', arguments: { ms: 5_000 } }, { server: first.id })
      .then(
        () => 'finished',
        () => 'cut',
      );
    await waitFor(() => pool.server(first.id)?.inFlight === 1);
    const removed = new Promise<number>((resolve) =>
      d.on('discovery:update', (e) => {
        if (e.removed.includes(first.id)) resolve(performance.now());
      }),
    );
    const started = performance.now();
    steer.set([b as ServerConfig]);
    await tick(clock);
    const after = (await removed) - started;
    expect(after).toBeGreaterThanOrEqual(150);
    expect(after).toBeLessThan(3_000);
    expect(await long).toBe('cut');
  });

  it('keeps the pool and serves every call while the source is down for 60 s', async () => {
    const configs = await replicas(3);
    const { steer, clock, pool, d, client } = await discovered(configs, {}, { interval: 5_000 });
    const errors: Error[] = [];
    d.on('discovery:error', ({ error }) => errors.push(error));
    steer.fail(new Error('ECONNREFUSED 127.0.0.1:8500'));
    let failed = 0;
    let served = 0;
    // 60 s of discovery time in 1 s steps; calls run for real between them.
    for (let second = 0; second < 60; second++) {
      await tick(clock);
      const r = await client
        .callTool({ name: 'echo', arguments: { message: `t${second}` } })
        .catch(() => undefined);
      if (r && !r.isError) served++;
      else failed++;
    }
    expect(failed).toBe(0);
    expect(served).toBe(60);
    expect(ids(pool)).toEqual(['s1', 's2', 's3']);
    expect(errors.length).toBeGreaterThan(3);
  });
});
