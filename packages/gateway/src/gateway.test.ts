import { roundRobin } from '@mcpool/balancers';
import type { TransportConfig } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { startHttpServer, startInProcessServer, waitFor } from '@mcpool/testkit';
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { Gateway, type GatewayOptions } from './gateway.js';
import { cancelSleep, connectInMemory, startOddServer, text } from './test-helpers.js';

const cleanup = useCleanup();

function gatewayOf(options: GatewayOptions): Gateway {
  const gateway = new Gateway(options);
  cleanup(() => gateway.close());
  return gateway;
}

/** Closes each server after the test; returns them as a gateway's servers. */
function upstreams(...list: { id: string; transport: TransportConfig; close(): unknown }[]) {
  for (const server of list) cleanup(server);
  return list.map((s) => ({ id: s.id, transport: s.transport }));
}

async function call(
  host: { client: import('@modelcontextprotocol/sdk/client/index.js').Client },
  name: string,
  args: Record<string, unknown> = {},
) {
  return text(await host.client.callTool({ name, arguments: args }));
}

describe('gateway catalog and routing', () => {
  it('serves the merged, namespaced catalog of every server', async () => {
    const a = startInProcessServer({ id: 'a' });
    const b = startInProcessServer({ id: 'b', extraTools: ['only-b'] });
    const odd = startOddServer();
    cleanup(a.close, b.close, odd.close);
    const gateway = gatewayOf({
      servers: [
        { id: 'a', transport: a.transport },
        { id: 'b', transport: b.transport },
        { id: 'odd', transport: odd.transport },
      ],
    });
    const host = await connectInMemory(gateway);
    cleanup(host.close);

    const names = (await host.client.listTools()).tools.map((t) => t.name);
    // Identical on a and b: one name. Defined differently by odd: namespaced, never a silent pick.
    expect(names.filter((n) => n === 'add')).toHaveLength(1);
    expect(names).toContain('only-b');
    expect(names).toContain('a__echo');
    expect(names).toContain('b__echo');
    expect(names).toContain('odd__echo');
    expect(names).not.toContain('echo');

    expect(await call(host, 'odd__echo', { value: 7 })).toBe('odd 7');
    expect(await call(host, 'only-b')).toBe('only-b');
    const ambiguous = await host.client
      .callTool({ name: 'echo', arguments: { message: 'x' } })
      .catch((e: unknown) => e);
    expect(ambiguous).toBeInstanceOf(McpError);
    expect((ambiguous as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((ambiguous as McpError).message).toContain('"odd__echo"');
    expect((ambiguous as McpError).data).toEqual({ mcpool: 'AMBIGUOUS_NAME' });
    expect(a.state.calls.echo).toBeUndefined();

    const prompts = (await host.client.listPrompts()).prompts.map((p) => p.name);
    // greet is the same prompt on a and b: one name, and the prefixed name reaches one server.
    expect(prompts).toEqual(['greet']);
    const greeting = await host.client.getPrompt({ name: 'b__greet', arguments: { name: 'Ann' } });
    expect(JSON.stringify(greeting.messages)).toContain('Hello, Ann from b');
    const resources = (await host.client.listResources()).resources.map((r) => r.uri);
    expect(resources).toEqual(['mcpool-test://a/info', 'mcpool-test://b/info']);
    const read = await host.client.readResource({ uri: 'mcpool-test://b/items/42' });
    expect(read.contents[0]).toMatchObject({ text: JSON.stringify({ id: 'b', item: '42' }) });
  });

  it('balances calls over two replicas', async () => {
    const a = startInProcessServer({ id: 'a' });
    const b = startInProcessServer({ id: 'b' });
    const gateway = gatewayOf({
      servers: upstreams(a, b),
      balancer: () => roundRobin(),
    });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await call(host, 'whoami'));
    expect(answers.filter((x) => x === 'a')).toHaveLength(3);
    expect(answers.filter((x) => x === 'b')).toHaveLength(3);
    expect(a.state.calls.whoami).toBe(3);
    expect(b.state.calls.whoami).toBe(3);
  });

  it('routes around a dead upstream while the client keeps calling', async () => {
    const a = startInProcessServer({ id: 'a' });
    const b = await startHttpServer({ id: 'b' });
    const gateway = gatewayOf({
      servers: upstreams(a, b),
      pool: { reconnect: { baseMs: 60_000, maxMs: 60_000 } },
      balancer: () => roundRobin(),
    });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    expect(new Set([await call(host, 'whoami'), await call(host, 'whoami')])).toEqual(
      new Set(['a', 'b']),
    );
    await b.kill();
    // add is read-only, so a failed attempt on b is retried on a; then b is out of selection.
    for (let i = 0; i < 6; i++) expect(await call(host, 'add', { a: i, b: 1 })).toBe(String(i + 1));
    expect(a.state.calls.add).toBe(6);
    const tools = (await host.client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('add');
  });

  it('answers an unknown tool with InvalidParams naming what is offered', async () => {
    const a = startInProcessServer({ id: 'a', toolNames: ['add'] });
    const gateway = gatewayOf({ servers: upstreams(a) });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    const error = await host.client
      .callTool({ name: 'nope', arguments: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toBe(
      'MCP error -32602: No healthy server offers the tool "nope". Offered: add.',
    );
    expect((error as McpError).data).toEqual({ mcpool: 'UNKNOWN_CAPABILITY' });
  });

  it('answers a call that failed on every server with a tool error the model can read', async () => {
    const a = startInProcessServer({ id: 'a', toolNames: ['counter', 'whoami'], mode: 'error' });
    cleanup(a.close);
    const gateway = gatewayOf({
      servers: [{ id: 'a', transport: a.transport }],
      client: { retryBudget: false },
    });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    // counter is not safe to repeat: the error says it may have run and was not retried.
    const result = await host.client.callTool({ name: 'counter', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('may have run');
    expect(result._meta).toEqual({ 'mcpool/error': 'REQUEST_MAY_HAVE_RUN' });
    expect(a.state.calls.counter).toBe(1);
  });
});

describe('notifications and server-to-client traffic', () => {
  it('turns an upstream tools/list_changed into one downstream', async () => {
    const a = startInProcessServer({ id: 'a' });
    const gateway = gatewayOf({ servers: upstreams(a) });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    expect((await host.client.listTools()).tools.map((t) => t.name)).not.toContain('fresh');
    a.state.addTool('fresh');
    await waitFor(() => host.toolListChanges > 0, { message: 'downstream tools/list_changed' });
    expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('fresh');
    expect(await call(host, 'fresh')).toBe('fresh');
  });

  it('tells the client when a server leaving selection changes the catalog', async () => {
    const a = startInProcessServer({ id: 'a' });
    const b = startInProcessServer({ id: 'b', extraTools: ['only-b'] });
    const gateway = gatewayOf({
      servers: upstreams(a, b),
    });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('only-b');
    const pool = [...gateway.sessions][0]?.pool;
    pool?.exclude('b', 'operator', 'maintenance');
    await waitFor(() => host.toolListChanges > 0, { message: 'downstream tools/list_changed' });
    expect((await host.client.listTools()).tools.map((t) => t.name)).not.toContain('only-b');
  });

  it('brings upstream progress to the downstream client', async () => {
    const a = startInProcessServer({ id: 'a' });
    const gateway = gatewayOf({ servers: upstreams(a) });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    const seen: Progress[] = [];
    const result = await host.client.callTool(
      { name: 'progress', arguments: { steps: 3 } },
      CallToolResultSchema,
      { onprogress: (p) => seen.push(p) },
    );
    expect(text(result)).toBe('done');
    expect(seen.map((p) => [p.progress, p.total, p.message])).toEqual([
      [1, 3, 'step 1'],
      [2, 3, 'step 2'],
      [3, 3, 'step 3'],
    ]);
  });

  it('carries a downstream cancellation to the upstream request', async () => {
    const a = startInProcessServer({ id: 'a' });
    const gateway = gatewayOf({ servers: upstreams(a) });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    expect(await cancelSleep(host, a)).toBeDefined();
    // The gateway is still fine for the next call.
    expect(await call(host, 'whoami')).toBe('a');
  });

  it('lets the downstream client answer sampling, elicitation and roots for the server that asked', async () => {
    const a = startInProcessServer({ id: 'a' });
    const b = await startHttpServer({ id: 'b' });
    const gateway = gatewayOf({
      servers: upstreams(a, b),
    });
    const host = await connectInMemory(gateway, 'desk');
    cleanup(host.close);
    const sampled = await host.client.callTool({
      name: 'sample',
      arguments: { prompt: 'hi' },
    });
    expect(text(sampled)).toBe('desk sampled: hi');
    expect(host.sampled).toEqual(['hi']);
    expect(await call(host, 'elicit')).toBe(
      JSON.stringify({ action: 'accept', content: { answer: 'desk' } }),
    );
    expect(JSON.parse(await call(host, 'roots'))).toEqual({
      roots: [{ uri: 'file:///roots/desk', name: 'desk' }],
    });
  });

  it('offers upstream servers only the capabilities the downstream client has', async () => {
    const a = startInProcessServer({ id: 'a' });
    const gateway = gatewayOf({ servers: upstreams(a) });
    const host = await connectInMemory(gateway, 'plain', {});
    cleanup(host.close);
    const result = await host.client.callTool({ name: 'sample', arguments: { prompt: 'hi' } });
    // Upstream was not offered sampling, so its request is refused there and then.
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Method not found/);
    expect(a.state.calls.sample).toBe(1);
  });

  it('passes logging messages on, tagged with their server', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(a.close);
    const gateway = gatewayOf({ servers: [{ id: 'alpha', transport: a.transport }] });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    expect(await call(host, 'log', { message: 'hello' })).toBe('logged');
    await waitFor(() => host.logs.length > 0, { message: 'a logging message downstream' });
    expect(host.logs).toEqual([{ level: 'info', logger: 'alpha', data: 'hello' }]);
    // The client's level applies: below it, nothing passes.
    await host.client.setLoggingLevel('error');
    await call(host, 'log', { message: 'quiet' });
    await call(host, 'whoami');
    await new Promise((r) => setTimeout(r, 30));
    expect(host.logs).toHaveLength(1);
  });
});

describe('sessions', () => {
  it('gives each downstream session its own upstream sessions and closes them with it', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const gateway = gatewayOf({ servers: [{ id: 'up', transport: up.transport }] });
    const one = await connectInMemory(gateway, 'one');
    const two = await connectInMemory(gateway, 'two');
    cleanup(one.close, two.close);
    expect(await call(one, 'whoami')).toBe('up');
    expect(await call(two, 'whoami')).toBe('up');
    expect(up.sessionCount()).toBe(2);
    const [first, second] = [...gateway.sessions];
    expect(first?.pool?.sessionIds('up')).toHaveLength(1);
    expect(first?.pool?.sessionIds('up')).not.toEqual(second?.pool?.sessionIds('up'));
    // Sampling goes back to the session that caused it, not to the other one.
    expect(text(await two.client.callTool({ name: 'sample', arguments: { prompt: 'x' } }))).toBe(
      'two sampled: x',
    );
    expect(one.sampled).toEqual([]);
    await one.close();
    await waitFor(() => up.sessionCount() === 1, { message: 'upstream session closed' });
    expect(gateway.sessions.size).toBe(1);
  });

  it('shares one pool of stateless servers among sessions', async () => {
    const shared = await startHttpServer({ id: 'shared', toolNames: ['add', 'sample'] });
    const own = await startHttpServer({ id: 'own', toolNames: ['whoami', 'counter'] });
    cleanup(shared.close, own.close);
    const gateway = gatewayOf({
      servers: [
        { id: 'shared', transport: shared.transport, stateless: true },
        { id: 'own', transport: own.transport },
      ],
    });
    const one = await connectInMemory(gateway, 'one');
    const two = await connectInMemory(gateway, 'two');
    cleanup(one.close, two.close);
    for (const host of [one, two]) {
      expect(await call(host, 'add', { a: 1, b: 2 })).toBe('3');
      expect(await call(host, 'whoami')).toBe('own');
      const names = (await host.client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(['add', 'counter', 'sample', 'whoami']);
    }
    expect(shared.sessionCount()).toBe(1);
    expect(own.sessionCount()).toBe(2);
    // The one session with a call in flight on the shared server answers its sampling.
    expect(text(await one.client.callTool({ name: 'sample', arguments: { prompt: 's' } }))).toBe(
      'one sampled: s',
    );
    await one.close();
    await waitFor(() => own.sessionCount() === 1);
    expect(shared.sessionCount()).toBe(1);
    expect(await call(two, 'add', { a: 2, b: 2 })).toBe('4');
  });

  it('closes every upstream session when the gateway closes', async () => {
    const up = await startHttpServer({ id: 'up' });
    const st = await startHttpServer({ id: 'st' });
    cleanup(up.close, st.close);
    const gateway = new Gateway({
      servers: [
        { id: 'up', transport: up.transport },
        { id: 'st', transport: st.transport, stateless: true },
      ],
    });
    const host = await connectInMemory(gateway);
    await call(host, 'whoami').catch(() => {});
    await host.client.listTools();
    expect(up.sessionCount()).toBe(1);
    expect(st.sessionCount()).toBe(1);
    await gateway.close();
    await waitFor(() => up.sessionCount() === 0 && st.sessionCount() === 0);
    expect(gateway.sessions.size).toBe(0);
    await host.close();
  });

  it('holds one upstream subscription for the sessions of a shared server and routes its updates', async () => {
    const subs = startInProcessServer({ id: 'subs', subscriptions: true });
    cleanup(subs.close);
    const gateway = gatewayOf({
      servers: [{ id: 'subs', transport: subs.transport, stateless: true }],
    });
    const one = await connectInMemory(gateway, 'one');
    const two = await connectInMemory(gateway, 'two');
    cleanup(one.close, two.close);
    const uri = 'mcpool-test://subs/info';
    await one.client.subscribeResource({ uri });
    await two.client.subscribeResource({ uri });
    expect(subs.state.subscribes).toBe(1);
    expect(subs.state.touch(uri)).toBe(1);
    await waitFor(() => one.updated.length === 1 && two.updated.length === 1);
    await one.client.unsubscribeResource({ uri });
    expect(subs.state.unsubscribes).toBe(0);
    expect(subs.state.touch(uri)).toBe(1);
    await waitFor(() => two.updated.length === 2);
    expect(one.updated).toEqual([uri]);
    // The last holder leaving ends the upstream subscription.
    await two.close();
    await waitFor(() => subs.state.unsubscribes === 1, { message: 'upstream unsubscribe' });
  });

  it('subscribes again when an upstream server forgets the session (404) and a new one starts', async () => {
    const up = await startHttpServer({ id: 'up', subscriptions: true });
    cleanup(up.close);
    const gateway = gatewayOf({
      servers: [{ id: 'up', transport: up.transport, stateless: true }],
    });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    const uri = 'mcpool-test://up/info';
    await host.client.subscribeResource({ uri });
    expect(up.state.subscribes).toBe(1);
    up.state.touch(uri);
    await waitFor(() => host.updated.length === 1);
    await up.dropSessions();
    // The next call meets the 404 and starts a new upstream session; the subscription follows it.
    expect(await call(host, 'whoami')).toBe('up');
    await waitFor(() => up.state.subscribes === 2, { message: 'subscribed on the new session' });
    expect(up.state.touch(uri)).toBe(1);
    await waitFor(() => host.updated.length === 2);
    expect(host.updated).toEqual([uri, uri]);
  });

  it('subscribes a session to a resource of its own upstream session', async () => {
    const subs = startInProcessServer({ id: 'subs', subscriptions: true });
    cleanup(subs.close);
    const gateway = gatewayOf({ servers: [{ id: 'subs', transport: subs.transport }] });
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    const uri = 'mcpool-test://subs/info';
    await host.client.subscribeResource({ uri });
    expect(subs.state.touch(uri)).toBe(1);
    await waitFor(() => host.updated.length === 1);
    await host.client.unsubscribeResource({ uri });
    expect(subs.state.unsubscribes).toBe(1);
    expect(subs.state.touch(uri)).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(host.updated).toEqual([uri]);
  });
});
