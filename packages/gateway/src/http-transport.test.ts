import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
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
