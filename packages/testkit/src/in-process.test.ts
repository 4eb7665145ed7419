import {
  ErrorCode,
  McpError,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { type InProcessTestServer, startInProcessServer } from './in-process.js';
import { connectClient, firstText, type TestClient } from './sdk-client.js';
import { useCleanups } from './test-rig.js';
import { STANDARD_TOOL_NAMES, type TestServerOptions } from './test-server.js';
import { waitFor } from './wait.js';

describe('startInProcessServer', () => {
  const cleanups = useCleanups();

  function start(options: TestServerOptions): InProcessTestServer {
    const server = startInProcessServer(options);
    cleanups.push(() => server.close());
    return server;
  }

  async function connect(server: InProcessTestServer): Promise<TestClient> {
    const client = await connectClient(server.transport);
    cleanups.push(() => client.close());
    return client;
  }

  it('offers every standard tool with the expected annotations', async () => {
    const server = start({ id: 'alpha' });
    const { client } = await connect(server);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...STANDARD_TOOL_NAMES].sort());
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get('add')?.annotations).toMatchObject({
      readOnlyHint: true,
      idempotentHint: true,
    });
    expect(byName.get('add')?.outputSchema).toBeDefined();
    expect(byName.get('echo')?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('counter')?.annotations).toBeUndefined();
  });

  it('filters standard tools with toolNames and adds extraTools', async () => {
    const server = start({ id: 'beta', toolNames: ['add', 'whoami'], extraTools: ['x-one'] });
    const { client } = await connect(server);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'whoami', 'x-one']);
    expect(firstText(await client.callTool({ name: 'x-one' }))).toBe('x-one');
  });

  it('answers add (text and structuredContent), echo, whoami and fail', async () => {
    const server = start({ id: 'alpha' });
    const { client } = await connect(server);
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(firstText(sum)).toBe('5');
    expect(sum.structuredContent).toEqual({ sum: 5 });
    expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe(
      'hi',
    );
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('alpha');
    const failed = await client.callTool({ name: 'fail' });
    expect(failed.isError).toBe(true);
    expect(firstText(failed)).toBe('tool failed on purpose');
    expect(server.state.callCount).toBe(4);
    expect(server.state.calls).toEqual({ add: 1, echo: 1, whoami: 1, fail: 1 });
  });

  it('serves the info resource, the item template and the greet prompt', async () => {
    const server = start({ id: 'gamma' });
    const { client } = await connect(server);
    const info = await client.readResource({ uri: 'mcpool-test://gamma/info' });
    expect(info.contents[0]).toMatchObject({ text: JSON.stringify({ id: 'gamma' }) });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual([
      'mcpool-test://gamma/items/{item}',
    ]);
    const item = await client.readResource({ uri: 'mcpool-test://gamma/items/42' });
    expect(item.contents[0]).toMatchObject({ text: JSON.stringify({ id: 'gamma', item: '42' }) });
    const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    expect(prompt.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Hello, Ada from gamma' } },
    ]);
  });

  it('with subscriptions, tells the subscribed sessions of a touched resource, and only them', async () => {
    const server = start({ id: 'alpha', subscriptions: true });
    const { client } = await connect(server);
    const other = (await connect(server)).client;
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    const uri = 'mcpool-test://alpha/info';
    await client.subscribeResource({ uri });
    expect(server.state.subscribes).toBe(1);
    expect(server.state.touch(uri)).toBe(1);
    await waitFor(() => updated.length === 1);
    expect(server.state.touch('mcpool-test://alpha/items/x')).toBe(0);
    await client.unsubscribeResource({ uri });
    expect(server.state.unsubscribes).toBe(1);
    expect(server.state.touch(uri)).toBe(0);
    expect(updated).toEqual([uri]);
    // Without the option a server does not offer subscriptions.
    expect(
      (await connect(start({ id: 'beta' }))).client.getServerCapabilities()?.resources?.subscribe,
    ).toBeUndefined();
    expect(other.getServerCapabilities()?.resources?.subscribe).toBe(true);
  });

  it('applies answerOffset changed at runtime', async () => {
    const server = start({ id: 'alpha', answerOffset: 1 });
    const { client } = await connect(server);
    expect(firstText(await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('3');
    server.state.answerOffset = 100;
    const wrong = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(wrong.structuredContent).toEqual({ sum: 102 });
  });

  it('adds latencyMs before answering', async () => {
    const server = start({ id: 'alpha', latencyMs: 150 });
    const { client } = await connect(server);
    const started = performance.now();
    await client.callTool({ name: 'whoami' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('error mode answers tools/call with a JSON-RPC InternalError', async () => {
    const server = start({ id: 'alpha' });
    const { client } = await connect(server);
    server.state.mode = 'error';
    const error = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InternalError);
    // Other requests are unaffected, and flipping back heals the server.
    await expect(client.listTools()).resolves.toBeDefined();
    server.state.mode = 'ok';
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('alpha');
    expect(server.state.calls.whoami).toBe(2);
  });

  it('hang mode never answers, so a call with a short timeout rejects', async () => {
    const server = start({ id: 'alpha', mode: 'hang' });
    const { client } = await connect(server);
    const error = await client
      .callTool({ name: 'whoami' }, undefined, { timeout: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.RequestTimeout);
    expect(server.state.callCount).toBe(1);
    server.state.mode = 'ok';
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('alpha');
  });

  it('sleep stops when the request is cancelled', async () => {
    const server = start({ id: 'alpha' });
    const { client } = await connect(server);
    const started = performance.now();
    await expect(
      client.callTool({ name: 'sleep', arguments: { ms: 10_000 } }, undefined, { timeout: 100 }),
    ).rejects.toThrow(/timed out/i);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(firstText(await client.callTool({ name: 'sleep', arguments: { ms: 5 } }))).toBe('slept');
  });

  it('garbage mode sends a non-JSON-RPC message: onerror fires and the call fails', async () => {
    const server = start({ id: 'alpha', mode: 'garbage' });
    const observed = await connect(server);
    await expect(
      observed.client.callTool({ name: 'whoami' }, undefined, { timeout: 300 }),
    ).rejects.toThrow(/timed out/i);
    expect(observed.errors.map((error) => error.message).join('\n')).toMatch(
      /Unknown message type/,
    );
  });

  it('crash mode closes the connection and fails the pending call', async () => {
    const server = start({ id: 'alpha' });
    const observed = await connect(server);
    expect(server.connections()).toBe(1);
    server.state.mode = 'crash';
    const error = await observed.client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect((error as McpError).code).toBe(ErrorCode.ConnectionClosed);
    expect(observed.closed).toBe(true);
    expect(server.connections()).toBe(0);
  });

  it('addTool/removeTool notify every connection with tools/list_changed', async () => {
    const server = start({ id: 'alpha' });
    const first = await connect(server);
    const second = await connect(server);
    server.state.addTool('fresh');
    await waitFor(() => first.toolListChanges === 1 && second.toolListChanges === 1);
    const { tools } = await first.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('fresh');
    expect(firstText(await second.client.callTool({ name: 'fresh' }))).toBe('fresh');
    // Later connections get the extra tool too.
    const third = await connect(server);
    expect((await third.client.listTools()).tools.map((tool) => tool.name)).toContain('fresh');
    server.state.removeTool('fresh');
    await waitFor(() => first.toolListChanges === 2 && third.toolListChanges === 1);
    expect((await first.client.listTools()).tools.map((tool) => tool.name)).not.toContain('fresh');
  });

  it('shares the counter and call counts across connections', async () => {
    const server = start({ id: 'alpha' });
    const first = await connect(server);
    const second = await connect(server);
    expect(firstText(await first.client.callTool({ name: 'counter' }))).toBe('1');
    expect(firstText(await second.client.callTool({ name: 'counter' }))).toBe('2');
    expect(server.state.counter).toBe(2);
    expect(server.state.calls.counter).toBe(2);
    expect(server.connections()).toBe(2);
  });

  it('delivers progress notifications to onprogress', async () => {
    const server = start({ id: 'alpha' });
    const { client } = await connect(server);
    const seen: number[] = [];
    const result = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
      onprogress: (progress) => seen.push(progress.progress),
    });
    expect(firstText(result)).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('round-trips sampling, elicitation, roots and logging with the client', async () => {
    const server = start({ id: 'alpha' });
    const observed = await connect(server);
    const { client } = observed;
    expect(firstText(await client.callTool({ name: 'sample', arguments: { prompt: 'p' } }))).toBe(
      'sampled: p',
    );
    expect(JSON.parse(firstText(await client.callTool({ name: 'elicit' })))).toEqual({
      action: 'accept',
      content: { answer: '42' },
    });
    expect(JSON.parse(firstText(await client.callTool({ name: 'roots' })))).toEqual({
      roots: [{ uri: 'file:///tmp/mcpool-root', name: 'root' }],
    });
    expect(firstText(await client.callTool({ name: 'log', arguments: { message: 'm' } }))).toBe(
      'logged',
    );
    await waitFor(() => observed.logs.length === 1);
    expect(observed.logs[0]).toMatchObject({ level: 'info', logger: 'alpha', data: 'm' });
  });

  it('close() closes every connection and refuses new ones', async () => {
    const server = startInProcessServer({ id: 'alpha' });
    const first = await connectClient(server.transport);
    const second = await connectClient(server.transport);
    expect(server.state.liveServers).toBe(2);
    await server.close();
    expect(first.closed && second.closed).toBe(true);
    expect(server.connections()).toBe(0);
    expect(server.state.liveServers).toBe(0);
    await expect(Promise.resolve(server.transport.create())).rejects.toThrow(/closed/);
  });
});
