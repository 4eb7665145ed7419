import {
  everythingStdioConfig,
  type HttpTestServer,
  startEverythingHttp,
  startHttpServer,
  stdioServerConfig,
  resultText as text,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { ServerPool } from '../pool/server-pool.js';
import { McpoolError } from '../spec/errors.js';
import { startPool, type TestServerRef, useCleanup } from '../testing/index.js';

const cleanup = useCleanup();

async function http(id: string, options: { sse?: boolean } = {}): Promise<HttpTestServer> {
  const server = await startHttpServer({ id, ...options });
  cleanup(() => server.close());
  return server;
}

function newPool(): ServerPool {
  const pool = new ServerPool({ reconnect: { baseMs: 20, maxMs: 200 }, connectionTimeout: 5_000 });
  cleanup(() => pool.close());
  return pool;
}

/** A started pool of `servers` (as newPool makes it), closed after the test. */
function poolOf(servers: readonly TestServerRef[]): Promise<ServerPool> {
  return startPool(servers, {
    cleanup,
    reconnect: { baseMs: 20, maxMs: 200 },
    connectionTimeout: 5_000,
  });
}

describe('Streamable HTTP servers', () => {
  it('balances calls over HTTP replicas', async () => {
    const a = await http('a');
    const b = await http('b');
    const pool = await poolOf([a, b]);
    const client = new MultiServerClient(pool);
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++)
      ids.add(text(await client.callTool({ name: 'whoami', arguments: {} })));
    expect([...ids].sort()).toEqual(['a', 'b']);
    expect(a.state.callCount).toBe(3);
  });

  it('re-initializes a session the server forgot (404) and sends the request again', async () => {
    const a = await http('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    const before = pool.sessionIds('a');
    expect(before).toHaveLength(1);
    const renewed: string[] = [];
    pool.on('server:session-renewed', (e) => renewed.push(e.serverId));
    await a.dropSessions();
    const r = await client.callTool({ name: 'counter', arguments: {} });
    expect(text(r)).toBe('1');
    const after = pool.sessionIds('a');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(renewed).toEqual(['a']);
    expect(pool.getMetrics().failedRequests).toBe(0);
  });

  it('fails over when a server dies and uses it again after it comes back', async () => {
    const a = await http('a');
    const b = await http('b');
    const pool = await poolOf([a, b]);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1 } });
    await a.kill();
    for (let i = 0; i < 6; i++)
      expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('b');
    await a.restart();
    const seen = new Set<string>();
    await waitFor(
      async () => {
        seen.add(text(await client.callTool({ name: 'whoami', arguments: {} })));
        return seen.has('a');
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
  });

  it('talks to the legacy HTTP+SSE transport', async () => {
    const a = await http('a', { sse: true });
    const pool = newPool();
    if (!a.sseTransport) throw new Error('no sse transport');
    pool.addServer({ id: 'a', transport: a.sseTransport });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } }))).toBe('4');
  });

  it('cancels the upstream request when the caller aborts', async () => {
    const a = await http('a');
    const pool = await poolOf([a]);
    const client = new MultiServerClient(pool);
    const controller = new AbortController();
    const pending = client.callTool(
      { name: 'sleep', arguments: { ms: 10_000 } },
      { signal: controller.signal },
    );
    await waitFor(() => a.state.callCount === 1, { timeoutMs: 2_000 });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(McpoolError.isInstance(error) && error.code).toBe('ABORTED');
    // The server's handler saw the cancellation: its abort signal fired.
    await waitFor(() => a.state.cancelled >= 1, { timeoutMs: 2_000 });
  });

  it('sends a safe call to another replica at once when its answer stream drops mid-call', async () => {
    const a = await http('a');
    const b = await http('b');
    const pool = await poolOf([a, b]);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1 } });
    const killed: string[] = [];
    const started = performance.now();
    const result = await client.callTool(
      { name: 'progress', arguments: { steps: 3, intervalMs: 50 } },
      {
        timeout: 15_000,
        onprogress: () => {
          // The first server to report progress dies with the call's answer stream open.
          if (killed.length > 0) return;
          const running = a.state.callCount > 0 ? a : b;
          killed.push(running.id);
          running.kill().catch(() => {});
        },
      },
    );
    expect(result.isError).toBeFalsy();
    expect(killed).toHaveLength(1);
    // Not after the notification stream's first reconnection (1 s) finds the server gone.
    expect(performance.now() - started).toBeLessThan(900);
    expect(a.state.callCount + b.state.callCount).toBe(2);
  });

  it('runs thousands of calls without MaxListenersExceededWarning', async () => {
    const a = await http('a');
    const pool = new ServerPool();
    pool.addServer({ id: 'a', transport: { type: 'streamable-http', url: a.url } });
    await pool.start({ strict: true });
    cleanup(() => pool.close());
    const client = new MultiServerClient(pool);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanup(async () => {
      process.off('warning', onWarning);
    });
    for (let i = 0; i < 1_600; i++) {
      await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('a server that answers garbage', () => {
  it('fails the call with a clear error after its timeout and leaves the others serving', async () => {
    const bad = await http('bad');
    const good = await http('good');
    const pool = await poolOf([bad, good]);
    bad.state.mode = 'garbage';
    const client = new MultiServerClient(pool, { attemptTimeout: 300, backoff: { baseMs: 1 } });
    // Safe calls reach the good server even when the balancer picks the bad one first.
    for (let i = 0; i < 4; i++) {
      expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('good');
    }
    const error = await client
      .callTool({ name: 'counter', arguments: {} }, { server: 'bad', timeout: 2_000 })
      .catch((e: unknown) => e);
    expect(McpoolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/bad/);
  });
});

describe('stdio child processes', () => {
  it('calls a stdio server and restarts it after it exits', async () => {
    const pool = newPool();
    pool.addServer({
      id: 'child',
      transport: stdioServerConfig({ id: 'child', exitAfterMs: 400 }),
    });
    pool.addServer({ id: 'steady', transport: stdioServerConfig({ id: 'steady' }) });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    expect(text(await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }))).toBe('3');
    const lost = new Promise((resolve) => pool.once('server:disconnected', resolve));
    await lost;
    // The pool restarts the child with backoff; it is a new process, so it will exit again later.
    await waitFor(() => pool.isHealthy('child'), { timeoutMs: 5_000, intervalMs: 10 });
    expect(
      text(await client.callTool({ name: 'whoami', arguments: {} }, { server: 'child' })),
    ).toBe('child');
  });

  it('fails over when a child crashes mid-call, without repeating an unsafe tool', async () => {
    const pool = await poolOf([
      { id: 'crashy', transport: stdioServerConfig({ id: 'crashy', mode: 'crash' }) },
    ]);
    const client = new MultiServerClient(pool);
    const error = await client
      .callTool({ name: 'counter', arguments: {} })
      .catch((e: unknown) => e);
    expect(McpoolError.isInstance(error) && error.code).toBe('REQUEST_MAY_HAVE_RUN');
  });
});

describe('@modelcontextprotocol/server-everything', () => {
  it('works through the pool over stdio', async () => {
    const pool = newPool();
    pool.addServer({
      id: 'everything',
      transport: { ...everythingStdioConfig(), stderr: 'ignore' },
    });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    const tools = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    const r = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(text(r)).toContain('hello');
    const resources = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0];
    if (!first) throw new Error('no resource');
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents.length).toBeGreaterThan(0);
    const prompts = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('completable-prompt');
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'completable-prompt' },
      argument: { name: 'department', value: 'S' },
    });
    expect(completion.completion.values).toEqual(['Sales', 'Support']);
    const prompt = await client.getPrompt({
      name: 'completable-prompt',
      arguments: { department: 'Sales', name: 'Eve' },
    });
    expect(JSON.stringify(prompt.messages)).toContain('promote Eve');
    await client.ping();
  });

  it('works through the pool over Streamable HTTP next to a second replica', async () => {
    const one = await startEverythingHttp();
    cleanup(() => one.close());
    const pool = await poolOf([
      { id: 'e1', transport: one.transport },
      { id: 'e2', transport: { ...everythingStdioConfig(), stderr: 'ignore' } },
    ]);
    const client = new MultiServerClient(pool);
    const tools = await client.listTools();
    // Same tools on both replicas: listed once.
    expect(tools.filter((t) => t.name === 'get-sum')).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
      expect(text(r)).toContain('5');
    }
    const used = pool.getMetrics().serverMetrics.filter((m) => m.requestCount > 0);
    expect(used).toHaveLength(2);
  });
});
