import {
  AllServersFailedError,
  InvalidConfigError,
  MultiServerClient,
  TimeoutError,
  UnsafeAggregationError,
} from '@mcpool/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AllReport, all } from './all.js';
import { allCallResults, combineAnswers } from './all-result.js';
import {
  catalogServer,
  closeAll,
  isCallerAbort,
  mcpServer,
  poolOf,
  testServers,
  text,
  tool,
} from './test-servers.js';

afterEach(closeAll);

const add = { name: 'add', arguments: { a: 5, b: 3 } };

describe('all() on catalogs', () => {
  it('merges the healthy servers’ catalogs and reports a slow one and a failing one', async () => {
    const [s1] = testServers([{ toolNames: ['add', 'echo'] }]);
    if (!s1) throw new Error('server missing');
    const slow = catalogServer('s2', [tool('slow_tool')]);
    const dead = catalogServer('s3', [tool('dead_tool')]);
    const pool = await poolOf([s1, slow, dead]);
    slow.mode = 'slow';
    dead.mode = 'error';
    const reports: AllReport[] = [];
    const client = new MultiServerClient(pool);
    const tools = await client.listTools({
      aggregation: all({ timeout: 1_000, onReport: (r) => reports.push(r) }),
    });
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo']);
    // The answer did not wait for the slow server's list to finish; its request was cancelled.
    expect(slow.finishedLists).toBe(0);
    await expect.poll(() => slow.cancelledLists).toBe(1);

    expect(reports).toHaveLength(1);
    const report = reports[0] as AllReport;
    expect(report.method).toBe('tools/list');
    expect(report.answered).toEqual(['s1']);
    expect([...report.asked].sort()).toEqual(['s1', 's2', 's3']);
    const missing = Object.fromEntries(report.missing.map((m) => [m.server, m]));
    expect(missing.s2?.outcome).toBe('timeout');
    expect(missing.s2?.error).toBeInstanceOf(TimeoutError);
    expect(String(missing.s2?.error)).toMatch(/on server "s2" timed out after 1000 ms/);
    expect(missing.s3?.outcome).toBe('server-error');
    expect(String(missing.s3?.error)).toMatch(/s3: tools\/list failed on purpose/);
  });

  it('lists live from every server, not from the pool’s cached catalog', async () => {
    const [s1, s2] = testServers([{ toolNames: ['echo'] }, { toolNames: ['echo'] }]);
    if (!s1 || !s2) throw new Error('servers missing');
    const pool = await poolOf([s1, s2]);
    const client = new MultiServerClient(pool);
    const reports: AllReport[] = [];
    const tools = await client.listTools({
      aggregation: all({ onReport: (r) => reports.push(r) }),
    });
    // Replicas that agree on a definition show it once.
    expect(tools.map((t) => t.name)).toEqual(['echo']);
    expect([...(reports[0]?.answered ?? [])].sort()).toEqual(['s1', 's2']);
    expect(reports[0]?.missing).toEqual([]);
  });

  it('throws AllServersFailedError when no server lists, and still reports', async () => {
    const a = catalogServer('a', [tool('x')]);
    const b = catalogServer('b', [tool('y')]);
    const pool = await poolOf([a, b]);
    a.mode = 'error';
    b.mode = 'error';
    const reports: AllReport[] = [];
    const client = new MultiServerClient(pool);
    const error = (await client
      .listTools({ aggregation: all({ onReport: (r) => reports.push(r) }) })
      .catch((e: unknown) => e)) as AllServersFailedError;
    expect(error).toBeInstanceOf(AllServersFailedError);
    expect(error.failures.map((f) => f.serverId).sort()).toEqual(['a', 'b']);
    expect(reports[0]?.answered).toEqual([]);
    expect(reports[0]?.missing.map((m) => m.outcome)).toEqual(['server-error', 'server-error']);
  });
});

describe('all() on a tool call', () => {
  it('returns every server’s result with its id, and each failure with its error', async () => {
    const list = testServers([{}, { mode: 'error' }, { answerOffset: 1 }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: all() });
    const result = await client.callTool(add);
    expect(result.isError).toBeUndefined();
    const results = allCallResults(result);
    expect(results?.map((r) => r.server).sort()).toEqual(['s1', 's2', 's3']);
    const byServer = Object.fromEntries((results ?? []).map((r) => [r.server, r]));
    expect(byServer.s1).toMatchObject({ ok: true, result: { structuredContent: { sum: 8 } } });
    expect(byServer.s3).toMatchObject({ ok: true, result: { structuredContent: { sum: 9 } } });
    expect(byServer.s2).toMatchObject({
      ok: false,
      outcome: 'server-error',
      error: { message: expect.stringMatching(/failed on purpose/), code: -32603 },
    });
    // The summary and each server's own content, labelled, for a model to read.
    const summary = text(result);
    expect(summary).toMatch(
      /tools\/call "add": 2 of 3 servers answered \(no answer from s2: server-error\)/,
    );
    expect(summary).toMatch(/\[s1\]\n8/);
    expect(summary).toMatch(/\[s3\]\n9/);
    // The whole result is JSON: it can travel on to another MCP client.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('marks the result isError only when every answer is an isError result', async () => {
    const list = testServers([{}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: all(), safeTools: ['fail'] });
    const result = await client.callTool({ name: 'fail', arguments: {} });
    expect(result.isError).toBe(true);
    expect(allCallResults(result)?.every((r) => r.ok && r.result.isError)).toBe(true);
  });

  it('leaves out a hanging server when the call’s own timeout runs out', async () => {
    const list = testServers([{}, { mode: 'hang' }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: all() });
    const result = await client.callTool(add, { timeout: 1_000 });
    const byServer = Object.fromEntries((allCallResults(result) ?? []).map((r) => [r.server, r]));
    expect(byServer.s1).toMatchObject({ ok: true });
    expect(byServer.s2).toMatchObject({
      ok: false,
      outcome: 'timeout',
      error: { message: expect.stringMatching(/timed out/) },
    });
  });

  it('throws AllServersFailedError when no server answers', async () => {
    const list = testServers([{ mode: 'error' }, { mode: 'error' }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: all() });
    const error = (await client.callTool(add).catch((e: unknown) => e)) as AllServersFailedError;
    expect(error).toBeInstanceOf(AllServersFailedError);
    expect(error.failures).toHaveLength(2);
  });

  it('rejects with the caller’s abort instead of a partial answer', async () => {
    const list = testServers([{}, { mode: 'hang' }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: all() });
    const controller = new AbortController();
    const pending = client.callTool(add, { signal: controller.signal });
    await expect.poll(() => list[1]?.state.callCount).toBe(1);
    const reason = new Error('the user gave up');
    controller.abort(reason);
    expect(isCallerAbort(await pending.catch((e: unknown) => e), reason)).toBe(true);
  });

  it('answers a ping from every server', async () => {
    const list = testServers([{}, {}, {}]);
    const pool = await poolOf(list);
    const reports: AllReport[] = [];
    const client = new MultiServerClient(pool);
    expect(await client.ping({ aggregation: all({ onReport: (r) => reports.push(r) }) })).toEqual(
      {},
    );
    expect([...(reports[0]?.answered ?? [])].sort()).toEqual(['s1', 's2', 's3']);
  });

  it('is refused by the client for a tool that is not safe to repeat', async () => {
    const list = testServers([{}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: all() });
    await expect(client.callTool({ name: 'counter', arguments: {} })).rejects.toBeInstanceOf(
      UnsafeAggregationError,
    );
    expect(list.map((s) => s.state.callCount)).toEqual([0, 0]);
  });

  it('rejects bad options with every problem and its path', () => {
    try {
      all({ timeout: 0, onReport: 3 as never });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        'timeout',
        'onReport',
      ]);
    }
  });
});

describe('all() on other requests', () => {
  it('merges the contents of a resource read from every server, each distinct one once', async () => {
    const uri = 'config://shared/settings';
    const servers = [
      ['m1', 'a=1'],
      ['m2', 'a=1'],
      ['m3', 'a=2'],
    ].map(([id, body]) =>
      mcpServer(id as string, (server) => {
        server.registerResource('settings', uri, { mimeType: 'text/plain' }, () => ({
          contents: [{ uri, mimeType: 'text/plain', text: body as string }],
        }));
      }),
    );
    const pool = await poolOf(servers);
    const reports: AllReport[] = [];
    const client = new MultiServerClient(pool);
    const result = await client.readResource(
      { uri },
      { aggregation: all({ onReport: (r) => reports.push(r) }) },
    );
    expect(result.contents.map((c) => ('text' in c ? c.text : '')).sort()).toEqual(['a=1', 'a=2']);
    expect([...(reports[0]?.answered ?? [])].sort()).toEqual(['m1', 'm2', 'm3']);
  });

  it('unites completion values, at most 100, and says when there are more', () => {
    const answer = (values: string[], hasMore = false) => ({ completion: { values, hasMore } });
    const many = Array.from({ length: 80 }, (_, i) => `v${i}`);
    const more = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const small = combineAnswers(
      'completion/complete',
      'completion/complete',
      [
        { server: 'a', value: answer(['x', 'y']) },
        { server: 'b', value: answer(['y', 'z']) },
      ],
      [],
      ['a', 'b'],
    );
    expect(small).toEqual({ completion: { values: ['x', 'y', 'z'], hasMore: false } });
    const big = combineAnswers(
      'completion/complete',
      'completion/complete',
      [
        { server: 'a', value: answer(many) },
        { server: 'b', value: answer(more) },
      ],
      [],
      ['a', 'b'],
    ) as { completion: { values: string[]; hasMore: boolean } };
    expect(big.completion.values).toHaveLength(100);
    expect(big.completion.hasMore).toBe(true);
  });
});
