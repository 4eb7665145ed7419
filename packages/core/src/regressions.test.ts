/**
 * Review of @mcpool/core against issue 2. Each failing test names the bug it
 * shows; tests named `regression:` pass and guard behaviour no other test
 * file covers. Every one runs against real MCP servers from @mcpool/testkit (in-process,
 * Streamable HTTP on 127.0.0.1, stdio children). The one helper that is not a
 * test server is the testkit's HTTP proxy with one upstream (a slow network in front of a
 * real server), used where a hang has to be produced on a request that the
 * test servers always answer.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  type HttpTestServer,
  type RoundRobinProxy,
  startHttpServer,
  startInProcessServer,
  startRoundRobinProxy,
  stdioServerConfig,
  type TestServerOptions,
  resultText as text,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from './client/multi-server-client.js';
import type { ServerPoolOptions } from './pool/options.js';
import { ServerPool } from './pool/server-pool.js';
import { InvalidConfigError, McpoolError } from './spec/errors.js';
import { startPool, type TestServerRef, useCleanup } from './testing/index.js';

const cleanup = useCleanup();

function inProcess(id: string, options: Omit<TestServerOptions, 'id'> = {}) {
  const server = startInProcessServer({ id, ...options });
  cleanup(() => server.close());
  return server;
}

async function http(id: string): Promise<HttpTestServer> {
  const server = await startHttpServer({ id });
  cleanup(() => server.close());
  return server;
}

function newPool(options: ServerPoolOptions = {}): ServerPool {
  const pool = new ServerPool({
    reconnect: { baseMs: 20, maxMs: 100 },
    connectionTimeout: 5_000,
    ...options,
  });
  cleanup(() => pool.close());
  return pool;
}

/** A started pool of `servers` (as newPool makes it), closed after the test. */
function poolOf(
  servers: readonly TestServerRef[],
  options: ServerPoolOptions = {},
): Promise<ServerPool> {
  return startPool(servers, { cleanup, connectionTimeout: 5_000, ...options });
}

function code(error: unknown): string | undefined {
  return McpoolError.isInstance(error) ? error.code : undefined;
}

/** Settles within `ms`, or says it hung. */
async function within<T>(promise: Promise<T>, ms: number): Promise<'settled' | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  const settled = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** stdio test-server children of this process whose options name `id`. */
function stdioChildren(id: string): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], {
      encoding: 'utf8',
    });
  } catch {
    return []; // ps exits 1 when nothing matches
  }
  return out
    .split('\n')
    .filter((line) => line.includes('stdio-main.js'))
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`"id":"${id}"`);
      } catch {
        return false;
      }
    });
}

/**
 * A forwarding HTTP proxy in front of a real test server. `hold(body)` decides
 * which requests it keeps (as a stalled network would) until `release()`.
 */
async function startProxy(target: string): Promise<RoundRobinProxy> {
  return cleanup(await startRoundRobinProxy([target]));
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

describe('events', () => {
  it('regression: a once() listener is called once and removed', async () => {
    const a = inProcess('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool);
    let calls = 0;
    pool.once('attempt', () => {
      calls++;
    });
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'whoami', arguments: {} });
    expect(calls).toBe(1);
    expect(pool.listenerCount('attempt')).toBe(0);
  });

  it('regression: on(event, fn, context) calls fn with that context', async () => {
    const a = inProcess('a');
    const pool = newPool();
    const context = { seen: 0 };
    pool.on(
      'server:connected',
      function (this: typeof context) {
        this.seen++;
      },
      context,
    );
    pool.addServer(a);
    await pool.start({ strict: true });
    expect(context.seen).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// close() and removal
// ---------------------------------------------------------------------------

describe('closing', () => {
  it('a second close() resolves only once everything is closed', async () => {
    const a = inProcess('a');
    const pool = await poolOf([a]);
    expect(a.connections()).toBe(1);
    const first = pool.close();
    await pool.close();
    // The second caller was told the pool is closed; its session must be gone.
    expect(a.connections()).toBe(0);
    await first;
  });

  it('close() also closes a server that removeServer() is still draining', async () => {
    const a = inProcess('a');
    const pool = await poolOf([a], { drainTimeout: 5_000 });
    const client = new MultiServerClient(pool);
    const call = client.callTool({ name: 'sleep', arguments: { ms: 3_000 } }).catch((e) => e);
    await waitFor(() => a.state.callCount === 1);
    const removing = pool.removeServer('a').catch((e) => e);
    cleanup(async () => {
      await removing;
      await call;
    });
    const started = Date.now();
    await pool.close();
    // close() must leave no session behind, and the call in flight must end with it.
    expect(a.connections()).toBe(0);
    expect(await within(call, 500)).toBe('settled');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('removeServer() of a draining server leaves a new server with the same id intact', async () => {
    const oldA = inProcess('old');
    const newA = inProcess('new');
    const pool = await poolOf([{ id: 'a', transport: oldA.transport }], { drainTimeout: 5_000 });
    const client = new MultiServerClient(pool);
    const removedEvents: string[] = [];
    pool.on('server:removed', (e) => removedEvents.push(e.serverId));
    const call = client.callTool({ name: 'sleep', arguments: { ms: 300 } });
    await waitFor(() => oldA.state.callCount === 1);
    const removing = pool.removeServer('a');
    // removeServer forgot the id at once, so the same id may be added again right away.
    pool.addServer({ id: 'a', transport: newA.transport });
    await pool.ready();
    await call;
    await removing;
    expect(pool.server('a')).toBeDefined();
    // The old server's late removal must not wipe the new server's catalog.
    expect(pool.catalog.get('a')).toBeDefined();
    const r = await client.callTool({ name: 'whoami', arguments: {} });
    expect(text(r)).toBe('new');
  });

  it('a safe call in flight when the pool closes fails with POOL_CLOSED, not as a server failure', async () => {
    const list = [inProcess('s1'), inProcess('s2')];
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    const call = client.callTool({ name: 'sleep', arguments: { ms: 5_000 } }).catch((e) => e);
    await waitFor(() => list.some((s) => s.state.callCount === 1));
    await pool.close();
    const error = await call;
    expect(code(error)).toBe('POOL_CLOSED');
    // Closing the pool is nobody's fault: it must not count against the servers.
    expect(pool.getMetrics().failedRequests).toBe(0);
  });

  it('close() waits for a session that was opening in the background (stdio child)', async () => {
    const pool = await poolOf(
      [{ id: 'bg', transport: stdioServerConfig({ id: 'bg', latencyMs: 1_000 }) }],
      { maxConnectionsPerServer: 2 },
    );
    expect(stdioChildren('bg')).toHaveLength(1);
    const client = new MultiServerClient(pool);
    const calls = [
      client.callTool({ name: 'whoami', arguments: {} }).catch(() => undefined),
      // Busy connection: this one makes the pool open a second session in the background.
      client.callTool({ name: 'whoami', arguments: {} }).catch(() => undefined),
    ];
    await waitFor(() => stdioChildren('bg').length === 2, { timeoutMs: 5_000, intervalMs: 5 });
    await pool.close();
    const left = stdioChildren('bg');
    await Promise.all(calls);
    expect(left).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Leaks
// ---------------------------------------------------------------------------

describe('listener leaks', () => {
  it('reconnecting a server many times adds no abort listener that stays', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    cleanup(() => {
      process.off('warning', onWarning);
    });
    const a = inProcess('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    // Each round: the server drops the connection mid-call, the pool reconnects.
    for (let round = 0; round < 14; round++) {
      a.state.mode = 'crash';
      await client.callTool({ name: 'whoami', arguments: {} }).catch(() => undefined);
      a.state.mode = 'ok';
      await waitFor(() => pool.isHealthy('a'), { timeoutMs: 3_000, intervalMs: 5 });
    }
    // Let process warnings (emitted on next tick) arrive.
    await new Promise((r) => setTimeout(r, 20));
    // Every connect() passes the server's long-lived AbortSignal to the SDK,
    // which adds an 'abort' listener per request and never removes it: each
    // reconnect leaks a listener holding the old Client.
    expect(warnings.filter((w) => /abort listeners/.test(w))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Safety and namespacing
// ---------------------------------------------------------------------------

describe('safe retries and the catalog', () => {
  it('does not retry a tool as safe when only one replica marks it read-only', async () => {
    // `ro` offers an extra tool named "counter" annotated readOnlyHint; `rw` offers the
    // standard non-idempotent "counter" (no annotations). Same input schema, so the catalog
    // merges them into one tool whose annotations are those of whichever server came first.
    const ro = inProcess('ro', { toolNames: ['whoami'], extraTools: ['counter'] });
    const rw = inProcess('rw');
    const pool = await poolOf([ro]);
    pool.addServer(rw);
    await pool.ready();
    rw.state.mode = 'error';
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i++) {
      try {
        await client.callTool({ name: 'counter', arguments: {} });
        outcomes.push('ok');
      } catch (error) {
        outcomes.push(code(error) ?? String(error));
      }
    }
    // One of the two calls went to rw first, where "counter" may have run: it must not be
    // repeated on ro just because ro's definition says read-only.
    expect(rw.state.callCount).toBe(1);
    expect(outcomes).toContain('REQUEST_MAY_HAVE_RUN');
  });

  it('a tool whose plain name looks namespaced does not collide with a prefixed name', async () => {
    // s1 and s2 offer different "add" tools, so they appear as s1__add and s2__add.
    // x offers a tool that is really called "s1__add".
    const s1 = inProcess('s1');
    const s2 = inProcess('s2', { toolNames: ['whoami'], extraTools: ['add'] });
    const x = inProcess('x', { toolNames: ['whoami'], extraTools: ['s1__add'] });
    const pool = await poolOf([s1, s2, x]);
    const client = new MultiServerClient(pool);
    const names = (await client.listTools()).map((t) => t.name);
    // Every name in the merged list must be unique...
    expect(names.length).toBe(new Set(names).size);
    // ...and calling "s1__add" must not silently pick one of the two.
    const result = await client
      .callTool({ name: 's1__add', arguments: { a: 1, b: 2 } })
      .then(text)
      .catch((e: unknown) => code(e));
    expect(['3', 'AMBIGUOUS_NAME']).toContain(result);
  });

  it('under the `reject` policy, calling a conflicting name says which names still work', async () => {
    const s1 = inProcess('s1');
    const s2 = inProcess('s2', { toolNames: ['whoami'], extraTools: ['add'] });
    const pool = await poolOf([s1, s2], { namespacing: { policy: 'reject' } });
    const client = new MultiServerClient(pool);
    // The prefixed name does reach its server...
    expect(text(await client.callTool({ name: 's1__add', arguments: { a: 1, b: 2 } }))).toBe('3');
    // ...but the error for the bare name reads 'call one of  instead.'
    const error = await client.callTool({ name: 'add', arguments: {} }).catch((e: unknown) => e);
    expect(code(error)).toBe('AMBIGUOUS_NAME');
    expect((error as Error).message).toMatch(/s1__add/);
  });

  it('an unsafe call that hits the call deadline says which server and that it may have run', async () => {
    const a = inProcess('a');
    const pool = await poolOf([a]);
    a.state.mode = 'hang';
    const client = new MultiServerClient(pool);
    const error = await client
      .callTool({ name: 'counter', arguments: {} }, { timeout: 200 })
      .catch((e: unknown) => e);
    expect(a.state.callCount).toBe(1);
    expect(code(error)).toMatch(/TIMEOUT|REQUEST_MAY_HAVE_RUN/);
    expect((error as Error).message).toMatch(/"a"/);
    expect((error as Error).message).toMatch(/may have run/);
  });

  it('regression: an unsafe call refused by a dead HTTP server (ECONNREFUSED) goes elsewhere once', async () => {
    const a = await http('a');
    const b = await http('b');
    const pool = await poolOf([a, b]);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    await a.kill();
    // Let the client notice the closed keep-alive socket: a request written on it may have
    // been delivered, and is rightly refused; a refused connect proves it was not.
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 1; i <= 4; i++) {
      const r = await client.callTool({ name: 'counter', arguments: {} });
      expect(text(r)).toBe(String(i));
    }
    expect(a.state.callCount).toBe(0);
    expect(b.state.callCount).toBe(4);
  });
});

// ---------------------------------------------------------------------------
// Timeouts and hangs
// ---------------------------------------------------------------------------

describe('timeouts', () => {
  it('a per-call timeout above 2^31-1 ms (or Infinity) does not fire at once', async () => {
    const a = inProcess('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool);
    for (const timeout of [2 ** 31, Number.POSITIVE_INFINITY]) {
      const outcome = await client
        .callTool({ name: 'sleep', arguments: { ms: 30 } }, { timeout })
        .then(text)
        .catch((e: unknown) => code(e) ?? String(e));
      // Either it runs, or the timeout is refused as invalid; never an instant TIMEOUT.
      expect(['slept', 'INVALID_CONFIG']).toContain(outcome);
    }
  });

  it('a session re-initialization (after 404) that hangs does not outlive the call’s timeout', async () => {
    const a = await http('a');
    const proxy = await startProxy(a.url);
    const pool = await poolOf(
      [{ id: 'a', transport: { type: 'streamable-http', url: proxy.url } }],
      { connectionTimeout: 5_000 },
    );
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    await a.dropSessions();
    // The network stalls on the new initialize.
    proxy.hold = (_req, body) => body.includes('"initialize"');
    cleanup(() => proxy.release());
    const started = Date.now();
    const call = client.callTool({ name: 'whoami', arguments: {} }, { timeout: 300 });
    expect(await within(call, 1_500)).toBe('settled');
    const error = await call.catch((e: unknown) => e);
    expect(code(error)).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('listTools() honours its timeout while a catalog refresh hangs', async () => {
    const a = await http('a');
    const proxy = await startProxy(a.url);
    const pool = await poolOf(
      [{ id: 'a', transport: { type: 'streamable-http', url: proxy.url } }],
      { connectionTimeout: 5_000 },
    );
    const client = new MultiServerClient(pool);
    await waitFor(() => a.notificationStreamCount() >= 1, { timeoutMs: 3_000 });
    proxy.hold = (_req, body) => body.includes('"tools/list"');
    cleanup(() => proxy.release());
    a.state.addTool('fresh'); // list_changed: the pool refetches tools/list, which stalls
    await waitFor(() => proxy.held.length > 0, { timeoutMs: 3_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const listing = client.listTools({ timeout: 300, signal: controller.signal });
    expect(await within(listing, 1_500)).toBe('settled');
  });
});

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

describe('connections', () => {
  it('a session the server dropped while idle is re-initialized and the catalog refreshed', async () => {
    const a = await http('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool);
    await waitFor(() => a.notificationStreamCount() >= 1, { timeoutMs: 3_000 });
    // The server forgets every session (a restart, a redeploy). The client's notification
    // stream reconnects and gets 404 "session not found", which the spec says means: initialize
    // again. Until the pool does, it hears no list_changed from this server.
    await a.dropSessions();
    a.state.addTool('fresh');
    await waitFor(async () => (await client.listTools()).some((t) => t.name === 'fresh'), {
      timeoutMs: 6_000,
      intervalMs: 100,
      message: 'the pool re-initialized the lost session and learned the new tool',
    });
  });

  it('a call in flight on a lost session while another call re-initializes it is re-sent, not failed as "may have run"', async () => {
    const a = await http('a');
    const proxy = await startProxy(a.url);
    const pool = await poolOf([
      { id: 'a', transport: { type: 'streamable-http', url: proxy.url } },
    ]);
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    await a.dropSessions();
    // Call A (unsafe) is slow on the wire; call B gets its 404 first and re-initializes.
    proxy.hold = (_req, body) => body.includes('"counter"');
    cleanup(() => proxy.release());
    const callA = client.callTool({ name: 'counter', arguments: {} }).then(
      (r) => text(r),
      (e: unknown) => (e as Error).message,
    );
    await waitFor(() => proxy.held.length === 1);
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('a');
    // A now reaches the server with the old session id and gets 404: it never ran.
    proxy.release();
    // reinitialize() closed the old Client as soon as the new one was up, which rejected A with
    // "Connection closed" -> RequestMayHaveRunError, although A is provably not run.
    expect(await callA).toBe('1');
    expect(a.state.counter).toBe(1);
  });

  it('after a request re-initializes a lost session, the catalog is fetched again', async () => {
    const a = await http('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool);
    // The server restarts with one more tool: a new session will see it, no notification says so.
    await a.dropSessions();
    a.state.addTool('fresh');
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('a'); // 404 -> new session
    await waitFor(async () => (await client.listTools()).some((t) => t.name === 'fresh'), {
      timeoutMs: 2_000,
      message: 'the catalog of the new session',
    });
  });

  it('an HTTP server that died is taken out of selection (the connection errors are not ignored)', async () => {
    const a = await http('a');
    const b = await http('b');
    const pool = await poolOf([a, b]);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    await a.kill();
    for (let i = 0; i < 6; i++) await client.callTool({ name: 'whoami', arguments: {} });
    // Every other call paid a failed attempt on "a", yet the pool still calls it connected.
    await waitFor(() => !pool.isHealthy('a'), {
      timeoutMs: 2_000,
      message: 'server "a" out of selection after its connection failed with ECONNREFUSED',
    });
    expect(pool.getMetrics().serverMetrics.find((m) => m.serverId === 'a')?.state).not.toBe(
      'connected',
    );
  });
});

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

describe('configuration', () => {
  it('reports the problems of every server given to the constructor, not only the first', () => {
    const error = (() => {
      try {
        new ServerPool({
          maxConnectionsPerServer: 0,
          servers: [
            { id: 'bad id', transport: { type: 'stdio', command: 'node' } },
            { id: 'ok', transport: { type: 'stdio', command: '' } },
          ],
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    const paths = (error as InvalidConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'maxConnectionsPerServer',
        'servers[0].id',
        'servers[1].transport.command',
      ]),
    );
  });
});

describe('client metrics', () => {
  it('count a call that fails before reaching a server (unknown tool)', async () => {
    const a = inProcess('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool);
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'nope', arguments: {} }).catch(() => undefined);
    expect(client.getMetrics()).toMatchObject({
      totalRequests: 2,
      successfulRequests: 1,
      failedRequests: 1,
    });
  });
});
