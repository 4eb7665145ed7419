import { createServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { useCleanup } from '../testing/index.js';
import { type BodySink, type HttpAnswer, readText } from './http-answer.js';
import { Http1Client, HttpParseError } from './http1-client.js';

const cleanup = useCleanup();

interface RawServer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Every request received, head and body, as latin1 text. */
  requests: string[];
}

/**
 * A node:net server on 127.0.0.1 that calls `answer` with each whole
 * request (head and content-length body), to write raw bytes back.
 */
async function rawServer(
  answer: (socket: net.Socket, index: number) => unknown,
): Promise<RawServer> {
  const state: RawServer = { port: 0, connections: 0, requests: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        state.requests.push(buffered.slice(0, end + 4 + length));
        buffered = buffered.slice(end + 4 + length);
        void answer(socket, state.requests.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  state.port = (server.address() as AddressInfo).port;
  return state;
}

function client(port: number): Http1Client {
  const c = new Http1Client('127.0.0.1', port);
  cleanup(() => c.destroy());
  return c;
}

function post(c: Http1Client, body = '{"n":1}'): Promise<HttpAnswer> {
  return c.request(
    `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
    body,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `bytes` in pieces of `size`, pausing between them so that they arrive apart. */
async function dribble(socket: net.Socket, bytes: Buffer | string, size: number): Promise<void> {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  for (let at = 0; at < buffer.length; at += size) {
    socket.write(buffer.subarray(at, at + size));
    await sleep(1);
  }
}

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('Http1Client', () => {
  it('reads a content-length answer written a byte at a time, and reuses its socket', async () => {
    const server = await rawServer((socket, i) =>
      dribble(
        socket,
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nanswer${i}`,
        1,
      ),
    );
    const c = client(server.port);
    const first = await post(c, '{"é":1}');
    expect(first.statusCode).toBe(200);
    expect(first.statusMessage).toBe('OK');
    expect(first.headers['content-type']).toBe('text/plain');
    expect(await readText(first)).toBe('answer0');
    expect(first.complete).toBe(true);
    expect(await readText(await post(c))).toBe('answer1');
    expect(server.connections).toBe(1);
    expect(server.requests[0]).toBe(
      'POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 8\r\n\r\n{"\u00c3\u00a9":1}',
    );
  });

  it('reads a chunked answer with extensions and trailers cut across writes, and reuses its socket', async () => {
    const body =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=value\r\nhello\r\n7 ; ext\r\n, world\r\n0\r\nx-checksum: 1\r\nx-more: 2\r\n\r\n';
    const server = await rawServer((socket) => dribble(socket, body, 3));
    const c = client(server.port);
    expect(await readText(await post(c))).toBe('hello, world');
    expect(await readText(await post(c))).toBe('hello, world');
    expect(server.connections).toBe(1);
  });

  it('decodes a multi-byte character cut across chunks and across writes', async () => {
    const text = Buffer.from('a✓b é');
    const check = text.indexOf(Buffer.from('✓'));
    const server = await rawServer(async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
      // The check mark's three bytes in two chunks, then é's two bytes in two writes.
      const one = text.subarray(0, check + 1);
      const two = text.subarray(check + 1);
      socket.write(`${one.length.toString(16)}\r\n`);
      socket.write(Buffer.concat([one, Buffer.from('\r\n')]));
      await sleep(2);
      const bytes = Buffer.concat([
        Buffer.from(`${two.length.toString(16)}\r\n`),
        two,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      await dribble(socket, bytes, 1);
    });
    expect(await readText(await post(client(server.port)))).toBe('a✓b é');
  });

  it('hands the body over as it arrives, before its end', async () => {
    let more = () => {};
    const server = await rawServer(async (socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      socket.write('6\r\nfirst\n\r\n');
      await new Promise<void>((resolve) => {
        more = resolve;
      });
      socket.write('7\r\nsecond\n\r\n0\r\n\r\n');
    });
    const answer = await post(client(server.port));
    const got: string[] = [];
    let ended: Error | undefined | null = null;
    const sink: BodySink = { data: (t) => got.push(t), end: (e) => (ended = e) };
    answer.read(sink);
    await waitFor(() => got.join('') === 'first\n', { timeoutMs: 5_000 });
    expect(ended).toBe(null);
    more();
    await waitFor(() => ended !== null, { timeoutMs: 5_000 });
    expect(ended).toBeUndefined();
    expect(got.join('')).toBe('first\nsecond\n');
  });

  it('reads a body that runs to the close, skips interim answers, and then opens a new socket', async () => {
    const server = await rawServer(async (socket, i) => {
      if (i === 0) {
        socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil ');
        await sleep(2);
        socket.end('the end');
      } else socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    });
    const c = client(server.port);
    const answer = await post(c);
    expect(answer.statusCode).toBe(200);
    expect(await readText(answer)).toBe('until the end');
    const next = await post(c);
    expect(next.statusCode).toBe(204);
    expect(await readText(next)).toBe('');
    expect(server.connections).toBe(2);
  });

  it('opens a new socket after an answer with connection: close', async () => {
    const server = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'),
    );
    const c = client(server.port);
    expect(await readText(await post(c))).toBe('ok');
    expect(c.socketCount).toBe(0);
    expect(await readText(await post(c))).toBe('ok');
    expect(server.connections).toBe(2);
  });

  it('drops an idle socket the server closes, and sends the next request on a new one', async () => {
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.end(), 10);
    });
    const c = client(server.port);
    expect(await readText(await post(c))).toBe('ok');
    expect(c.socketCount).toBe(1);
    await waitFor(() => c.socketCount === 0, {
      timeoutMs: 5_000,
      message: 'the closed socket left',
    });
    expect(await readText(await post(c))).toBe('ok');
    expect(server.connections).toBe(2);
  });

  it('gives concurrent requests a socket each, and reuses them after', async () => {
    let connections = 0;
    const server = createServer(async (req, res) => {
      for await (const _ of req);
      await sleep(20);
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"url":"${req.url}"}`);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const c = client((server.address() as AddressInfo).port);
    const batch = () => Promise.all(Array.from({ length: 6 }, () => post(c).then(readText)));
    expect(await batch()).toEqual(Array(6).fill('{"url":"/mcp"}'));
    expect(connections).toBe(6);
    expect(c.socketCount).toBe(6);
    expect(await batch()).toHaveLength(6);
    expect(connections).toBe(6);
  });

  it('fails on a malformed status line and on an oversized head, destroying the socket', async () => {
    const server = await rawServer((socket, i) => {
      if (i === 0) socket.write('HTTP/1.1 OK 200\r\n\r\n');
      else socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70 * 1024)}`);
    });
    const c = client(server.port);
    const malformed = await post(c).catch((e) => e);
    expect(malformed).toBeInstanceOf(HttpParseError);
    expect(malformed.code).toBe('HPE_INVALID_ANSWER');
    expect(malformed.message).toMatch(/bad status line "HTTP\/1.1 OK 200"/);
    expect(c.socketCount).toBe(0);
    const oversized = await post(c).catch((e) => e);
    expect(oversized).toBeInstanceOf(HttpParseError);
    expect(oversized.code).toBe('HPE_HEADER_OVERFLOW');
    expect(c.socketCount).toBe(0);
  });

  it('fails a body cut short, and a request on a refused connection with its system error', async () => {
    const server = await rawServer((socket) =>
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nonly'),
    );
    const cut = await readText(await post(client(server.port))).catch((e) => e);
    expect(cut).toBeInstanceOf(TypeError);
    expect(cut.message).toBe('terminated');
    expect(cut.cause.code).toBe('ECONNRESET');

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(post(client(port))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up on a silent server after the timeout asked for', async () => {
    const server = await rawServer(() => {});
    const c = client(server.port);
    const error = await c
      .request('DELETE /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n', undefined, 50)
      .catch((e) => e);
    expect(error.code).toBe('ETIMEDOUT');
  });

  it('leaves no socket open once destroyed, failing the request in flight', async () => {
    const server = await rawServer((socket, i) => {
      if (i === 0) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const before = tcpSockets();
    const c = client(server.port);
    expect(await readText(await post(c))).toBe('ok');
    const hanging = post(c).catch((e) => e);
    const idle = post(c, '{}');
    await waitFor(() => server.requests.length === 3, { timeoutMs: 5_000 });
    expect(c.socketCount).toBe(2);
    c.destroy(new Error('closed by the test'));
    expect((await hanging).message).toBe('closed by the test');
    await expect(idle).rejects.toThrow('closed by the test');
    expect(c.socketCount).toBe(0);
    await waitFor(() => tcpSockets() <= before, {
      timeoutMs: 5_000,
      message: 'every socket closed',
    });
  });
});
