import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DirectCall } from './http-direct-calls.js';
import { HttpServerTransport } from './http-transport.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A node:http server handing every POST body to `transport`. */
async function serve(transport: HttpServerTransport): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as JSONRPCMessage | JSONRPCMessage[];
      const batch = Array.isArray(parsed);
      void transport.handlePost(req, res, batch ? parsed : [parsed], batch);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function post(url: string, body: unknown) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const CALL = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } } as const;

describe('HttpServerTransport', () => {
  it('answers with JSON when the result comes first, carrying the session id', async () => {
    const transport = new HttpServerTransport(() => 'sid');
    transport.sessionId = 'sid';
    transport.onmessage = (m) => {
      if (isJSONRPCRequest(m))
        void transport.send({ jsonrpc: '2.0', id: m.id, result: { ok: true } });
    };
    const res = await post(await serve(transport), CALL);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('mcp-session-id')).toBe('sid');
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 7, result: { ok: true } });
  });

  it('gives a JSON answer its length in bytes, not chunked framing', async () => {
    const transport = new HttpServerTransport(() => 'sid');
    transport.onmessage = (m) => {
      if (isJSONRPCRequest(m))
        void transport.send({ jsonrpc: '2.0', id: m.id, result: { text: 'déjà vu' } });
    };
    const res = await post(await serve(transport), CALL);
    const body = await res.text();
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(JSON.parse(body)).toEqual({ jsonrpc: '2.0', id: 7, result: { text: 'déjà vu' } });
  });

  it('turns into SSE when a notification must travel before the result', async () => {
    const transport = new HttpServerTransport(() => 'sid');
    transport.onmessage = (m) => {
      if (!isJSONRPCRequest(m)) return;
      void transport.send(
        {
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: 1, progress: 1 },
        },
        { relatedRequestId: m.id },
      );
      setTimeout(() => void transport.send({ jsonrpc: '2.0', id: m.id, result: {} }), 10);
    };
    const res = await post(await serve(transport), CALL);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text.indexOf('notifications/progress')).toBeLessThan(text.indexOf('"result"'));
  });

  it('accepts notifications alone with 202', async () => {
    const transport = new HttpServerTransport(() => 'sid');
    const seen: string[] = [];
    transport.onmessage = (m) => {
      if ('method' in m) seen.push(m.method);
    };
    const res = await post(await serve(transport), {
      jsonrpc: '2.0',
      method: 'notifications/initialized',
    });
    expect(res.status).toBe(202);
    expect(seen).toEqual(['notifications/initialized']);
  });

  it('answers what is still unanswered with an error when it closes', async () => {
    const transport = new HttpServerTransport(() => 'sid');
    let received!: () => void;
    const got = new Promise<void>((resolve) => {
      received = resolve;
    });
    transport.onmessage = () => received();
    const answer = post(await serve(transport), CALL);
    await got;
    await transport.close();
    const body = (await (await answer).json()) as { id: number; error: { message: string } };
    expect(body.id).toBe(7);
    expect(body.error.message).toContain('session closed before the answer');
  });

  it('replays an initialize without answering anyone', async () => {
    const transport = new HttpServerTransport(() => 'never');
    const methods: string[] = [];
    transport.onmessage = (m) => {
      if ('method' in m) methods.push(m.method);
      if (isJSONRPCRequest(m)) void transport.send({ jsonrpc: '2.0', id: m.id, result: {} });
    };
    await transport.replayInitialize('sealed-id', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    });
    expect(methods).toEqual(['initialize', 'notifications/initialized']);
    expect(transport.sessionId).toBe('sealed-id');
  });
});

describe('HttpServerTransport: the direct lane of plain tools/call', () => {
  /** A transport whose plain calls go to `call`; what reaches the SDK side is in `sdk`. */
  function direct(call: DirectCall) {
    const transport = new HttpServerTransport(() => 'sid');
    const sdk: JSONRPCMessage[] = [];
    transport.onmessage = (m) => {
      sdk.push(m);
      if (isJSONRPCRequest(m))
        void transport.send({ jsonrpc: '2.0', id: m.id, result: { sdk: true } });
    };
    transport.answerCallsWith(call);
    return { transport, sdk };
  }

  it('hands a plain call to the session and answers with its result, or its error as the SDK would', async () => {
    const seen: unknown[] = [];
    const { transport, sdk } = direct((params, requestId) => {
      seen.push([params, requestId]);
      if (params.name === 'fails') {
        return Promise.reject(
          Object.assign(new Error('Unknown tool: fails'), {
            code: -32602,
            data: { mcpool: 'UNKNOWN_CAPABILITY' },
          }),
        );
      }
      return Promise.resolve({ content: [{ type: 'text', text: 'ok' }] });
    });
    const url = await serve(transport);
    const call = {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'add', arguments: { a: 1 } },
    };
    expect(await (await post(url, call)).json()).toEqual({
      jsonrpc: '2.0',
      id: 3,
      result: { content: [{ type: 'text', text: 'ok' }] },
    });
    const failed = { ...CALL, params: { name: 'fails' } };
    expect(await (await post(url, failed)).json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32602,
        message: 'Unknown tool: fails',
        data: { mcpool: 'UNKNOWN_CAPABILITY' },
      },
    });
    const thrown = direct(() => Promise.reject('not an error object'));
    expect(await (await post(await serve(thrown.transport), CALL)).json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32603, message: 'Internal error' },
    });
    expect(seen).toEqual([
      [{ name: 'add', arguments: { a: 1 } }, 3],
      [{ name: 'fails' }, 7],
    ]);
    expect(sdk).toEqual([]);
  });

  it('leaves to the SDK server a call with _meta, other params, odd arguments, in a batch, or one the session declines', async () => {
    const taken: string[] = [];
    const { transport, sdk } = direct((params) => {
      taken.push(params.name);
      return params.name === 'declined' ? undefined : Promise.resolve({ content: [] });
    });
    const url = await serve(transport);
    const calls = [
      { name: 'meta', _meta: { progressToken: 1 } },
      { name: 'task', task: { ttl: 1_000 } },
      { name: 'list-args', arguments: [1, 2] },
      { name: 'null-args', arguments: null },
      { name: 42 },
      { name: 'declined' },
    ];
    for (const [i, params] of calls.entries()) {
      const res = await post(url, { jsonrpc: '2.0', id: i, method: 'tools/call', params });
      expect(await res.json()).toEqual({ jsonrpc: '2.0', id: i, result: { sdk: true } });
    }
    const batch = await post(url, [CALL]);
    expect(await batch.json()).toEqual([{ jsonrpc: '2.0', id: 7, result: { sdk: true } }]);
    expect(taken).toEqual(['declined']);
    expect(sdk).toHaveLength(calls.length + 1);
  });

  it('agrees with the SDK on what is a request: a fractional id or an extra key is not taken as one', async () => {
    const taken: string[] = [];
    const { transport, sdk } = direct((params) => {
      taken.push(params.name);
      return Promise.resolve({ content: [] });
    });
    const url = await serve(transport);
    const odd = [
      { jsonrpc: '2.0', id: 1.5, method: 'tools/call', params: { name: 'fraction' } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'extra' }, more: true },
    ];
    for (const message of odd) expect((await post(url, message)).status).toBe(202);
    expect(taken).toEqual([]);
    expect(sdk).toEqual(odd);
  });

  it('aborts a call its client cancels, and never answers it', async () => {
    let finish!: (reason: unknown) => void;
    let signal!: AbortSignal;
    const { transport, sdk } = direct((_params, _id, c) => {
      const s = c.signal;
      signal = s;
      return new Promise((resolve) => {
        finish = () => resolve({ content: [{ type: 'text', text: 'too late' }] });
      });
    });
    const url = await serve(transport);
    const answer = post(url, CALL);
    await vi.waitFor(() => expect(signal).toBeDefined());
    const cancel = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7, reason: 'user stopped' },
    };
    expect((await post(url, cancel)).status).toBe(202);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('user stopped');
    finish(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    // Its result was dropped: the POST still waits, and closing answers it with the closed-session error.
    await transport.close();
    const body = (await (await answer).json()) as { id: number; error?: { message: string } };
    expect(body.id).toBe(7);
    expect(body.error?.message).toContain('session closed before the answer');
    expect(sdk.map((m) => ('method' in m ? m.method : 'answer'))).toEqual([
      'notifications/cancelled',
    ]);
  });

  it('hands the next call the controller of one that ended, never one that was aborted', async () => {
    const signals: AbortSignal[] = [];
    let hold = false;
    const { transport } = direct((_params, _id, c) => {
      const signal = c.signal;
      signals.push(signal);
      return hold ? new Promise(() => {}) : Promise.resolve({ content: [] });
    });
    const url = await serve(transport);
    await (await post(url, CALL)).json();
    await (await post(url, { ...CALL, id: 8 })).json();
    expect(signals[1]).toBe(signals[0]);
    hold = true;
    void post(url, { ...CALL, id: 9 }).catch(() => {});
    await vi.waitFor(() => expect(signals).toHaveLength(3));
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9 } };
    await post(url, cancel);
    expect(signals[2]?.aborted).toBe(true);
    hold = false;
    await (await post(url, { ...CALL, id: 10 })).json();
    expect(signals[3]?.aborted).toBe(false);
    expect(signals[3]).not.toBe(signals[2]);
    await transport.close();
  });

  it('stops every call in flight when the session closes', async () => {
    const signals: AbortSignal[] = [];
    const { transport } = direct((_params, _id, c) => {
      const s = c.signal;
      signals.push(s);
      return new Promise(() => {});
    });
    const url = await serve(transport);
    const answers = [post(url, CALL), post(url, { ...CALL, id: 8 })];
    await vi.waitFor(() => expect(signals).toHaveLength(2));
    await transport.close();
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    const bodies = (await Promise.all(answers.map(async (a) => (await a).json()))) as {
      id: number;
    }[];
    expect(bodies.map((b) => b.id)).toEqual([7, 8]);
  });
});
