import {
  type AttemptReport,
  InvalidConfigError,
  McpoolError,
  MultiServerClient,
  UnsafeAggregationError,
} from '@mcpool/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { majority } from './majority.js';
import { NoQuorumError } from './no-quorum-error.js';
import {
  closeAll,
  lowestId,
  mcpServer,
  poolOf,
  testServers,
  text,
  watchCancellations,
} from './test-servers.js';

afterEach(closeAll);

const add = { name: 'add', arguments: { a: 5, b: 3 } };

describe('majority()', () => {
  it('outvotes a server that answers wrong', async () => {
    const list = testServers([{}, { answerOffset: 100 }, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: majority() });
    for (let i = 0; i < 3; i++) {
      const result = await client.callTool(add);
      expect(text(result)).toBe('8');
      expect(result.structuredContent).toEqual({ sum: 8 });
    }
    expect(client.getMetrics().strategyUsage).toEqual({ majority: 3 });
  });

  it('throws NoQuorumError with the vote counts when 2 of 3 answer wrong, differently', async () => {
    const list = testServers([{}, { answerOffset: 1 }, { answerOffset: 2 }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: majority() });
    const error = await client.callTool(add).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoQuorumError);
    const noQuorum = error as NoQuorumError;
    expect(noQuorum.code).toBe('NO_QUORUM');
    expect(McpoolError.isInstance(error)).toBe(true);
    expect(NoQuorumError.isInstance(error)).toBe(true);
    expect(noQuorum.quorum).toBe(2);
    expect([...noQuorum.asked].sort()).toEqual(['s1', 's2', 's3']);
    expect(noQuorum.failures).toEqual([]);
    const byServer = Object.fromEntries(
      noQuorum.votes.map((v) => [
        v.servers.join(','),
        (v.answer as CallToolResult).structuredContent,
      ]),
    );
    expect(byServer).toEqual({ s1: { sum: 8 }, s2: { sum: 9 }, s3: { sum: 10 } });
    expect(noQuorum.votes.map((v) => v.count)).toEqual([1, 1, 1]);
    expect(noQuorum.message).toMatch(/2 of the 3 servers asked had to agree/);
    expect(noQuorum.message).toMatch(/split 1\/1\/1/);
  });

  it('stops once two agree and cancels the slow third server', async () => {
    const [s1, s2, s3] = testServers([{}, {}, { latencyMs: 2_000 }]);
    if (!s1 || !s2 || !s3) throw new Error('servers missing');
    const slow = watchCancellations(s3.transport);
    const pool = await poolOf([s1, s2, { id: s3.id, transport: slow.transport }]);
    const attempts: AttemptReport[] = [];
    pool.on('attempt', (r) => attempts.push(r));
    const client = new MultiServerClient(pool, { aggregation: majority() });
    const result = await client.callTool(add);
    expect(text(result)).toBe('8');
    // The slow server got the call, and the client cancelled it on the wire.
    expect(s3.state.callCount).toBe(1);
    expect(slow.cancelled).toHaveLength(1);
    // The two fast ones answered; the slow one was aborted, which is not held against it.
    await expect
      .poll(() => Object.fromEntries(attempts.map((r) => [r.server.id, r.outcome])))
      .toEqual({ s1: 'success', s2: 'success', s3: 'aborted' });
    expect(pool.getMetrics().failedRequests).toBe(0);
  });

  it('stops as soon as no answer can win, cancelling the server still working', async () => {
    const [s1, s2, s3] = testServers([{}, { answerOffset: 1 }, { latencyMs: 2_000 }]);
    if (!s1 || !s2 || !s3) throw new Error('servers missing');
    const slow = watchCancellations(s3.transport);
    const pool = await poolOf([s1, s2, { id: s3.id, transport: slow.transport }]);
    const client = new MultiServerClient(pool);
    // Unanimity: once s1 and s2 disagree, s3 cannot make either answer win.
    const error = await client
      .callTool(add, { aggregation: majority({ quorum: 3 }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoQuorumError);
    expect((error as NoQuorumError).votes.map((v) => v.servers)).toEqual([['s1'], ['s2']]);
    expect(slow.cancelled).toHaveLength(1);
  });

  it('does not count a failed server as a vote, and wins with the rest', async () => {
    const list = testServers([{ mode: 'error' }, {}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: majority() });
    const result = await client.callTool(add);
    expect(text(result)).toBe('8');
  });

  it('gives up once failures leave too few voters, with the failures in NoQuorumError', async () => {
    const [s1, s2, s3] = testServers([{ mode: 'error' }, { mode: 'error' }, { latencyMs: 2_000 }]);
    if (!s1 || !s2 || !s3) throw new Error('servers missing');
    const slow = watchCancellations(s3.transport);
    const pool = await poolOf([s1, s2, { id: s3.id, transport: slow.transport }]);
    const client = new MultiServerClient(pool, { aggregation: majority() });
    const error = (await client.callTool(add).catch((e: unknown) => e)) as NoQuorumError;
    expect(error).toBeInstanceOf(NoQuorumError);
    // s3 alone cannot make a quorum of 2, so it is not waited for.
    expect(error.votes).toEqual([]);
    expect(error.failures.map((f) => f.serverId).sort()).toEqual(['s1', 's2']);
    expect(error.message).toMatch(/no server answered; 2 failed/);
    expect(slow.cancelled).toHaveLength(1);
  });

  it('asks only `servers` of them and replaces one that fails', async () => {
    const list = testServers([{ mode: 'error' }, {}, {}, {}]);
    const pool = await poolOf(list);
    const retries: string[] = [];
    pool.on('request:retry', (e) => retries.push(`${e.from}->${e.to}`));
    const client = new MultiServerClient(pool, {
      aggregation: majority({ servers: 2 }),
      balancer: lowestId,
      retryBudget: false,
    });
    const result = await client.callTool(add);
    expect(text(result)).toBe('8');
    // s1 and s2 were asked; s1 failed and s3 took its place; s4 was never needed.
    expect(list.map((s) => s.state.callCount)).toEqual([1, 1, 1, 0]);
    expect(retries).toEqual(['s1->s3']);
  });

  it('counts answers with the same key as one answer', async () => {
    const list = testServers([{}, { answerOffset: 1 }, { answerOffset: 2 }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    const parity = majority<CallToolResult>({
      key: (r) => String((r.structuredContent as { sum: number }).sum % 2 === 0),
    });
    // 8 and 10 are both even: s1 and s3 agree on parity.
    const result = await client.callTool(add, { aggregation: parity });
    expect((result.structuredContent as { sum: number }).sum % 2).toBe(0);
  });

  it('ignores _meta when comparing answers', async () => {
    const servers = ['m1', 'm2', 'm3'].map((id) =>
      mcpServer(id, (server) => {
        server.registerTool('status', { annotations: { readOnlyHint: true } }, () => ({
          content: [{ type: 'text', text: 'green' }],
          _meta: { servedBy: id },
        }));
      }),
    );
    const pool = await poolOf(servers);
    const client = new MultiServerClient(pool);
    const status = { name: 'status', arguments: {} };
    const result = await client.callTool(status, { aggregation: majority({ quorum: 3 }) });
    expect(text(result)).toBe('green');
    // The same answers split three ways once _meta counts.
    const strict = majority({ quorum: 3, key: (r) => JSON.stringify(r) });
    await expect(client.callTool(status, { aggregation: strict })).rejects.toBeInstanceOf(
      NoQuorumError,
    );
  });

  it('refuses with NoQuorumError, asking nobody, when fewer servers are up than the quorum', async () => {
    const list = testServers([{}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: majority({ quorum: 3 }) });
    const error = (await client.callTool(add).catch((e: unknown) => e)) as NoQuorumError;
    expect(error).toBeInstanceOf(NoQuorumError);
    expect(error.asked).toEqual([]);
    expect(list.map((s) => s.state.callCount)).toEqual([0, 0]);
  });

  it('is refused by the client for a tool that is not safe to repeat', async () => {
    const list = testServers([{}, {}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: majority() });
    await expect(client.callTool({ name: 'counter', arguments: {} })).rejects.toBeInstanceOf(
      UnsafeAggregationError,
    );
    expect(list.map((s) => s.state.callCount)).toEqual([0, 0, 0]);
  });

  it('rejects bad options with every problem and its path', () => {
    const error = (() => {
      try {
        majority({ servers: 0, quorum: 1.5, key: 'x' as never });
      } catch (e) {
        return e;
      }
    })() as InvalidConfigError;
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.issues.map((i) => i.path)).toEqual(['servers', 'quorum', 'key']);
    expect(() => majority({ servers: 2, quorum: 3 })).toThrow(/must not exceed servers/);
  });
});
