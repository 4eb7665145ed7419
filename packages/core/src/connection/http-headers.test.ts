import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../spec/errors.js';
import { checkHeaders } from './http-headers.js';
import { NodeHttpClientTransport } from './node-http-transport.js';

describe('NodeHttpClientTransport headers', () => {
  it('refuses configured headers that could inject others or change the framing', () => {
    const url = new URL('http://127.0.0.1:1/mcp');
    const make = (headers: Record<string, string>) => () =>
      new NodeHttpClientTransport(url, { headers });
    expect(make({ 'x-a': 'b\r\nx-evil: 1' })).toThrow(InvalidConfigError);
    expect(make({ 'x-a': 'b\nc' })).toThrow(/headers\.x-a: a header value holds printable ASCII/);
    expect(make({ 'x-a': 'b\0' })).toThrow(InvalidConfigError);
    expect(make({ 'x-a\r\nx-evil': '1' })).toThrow(/not a valid header name/);
    expect(make({ 'Transfer-Encoding': 'chunked' })).toThrow(/sets how requests are framed/);
    expect(make({ Authorization: 'Bearer t0k', 'x-tab': 'a\tb' })).not.toThrow();
  });

  it('lists every refused header with its path, and keeps the others lower-cased', () => {
    const error = (() => {
      try {
        checkHeaders({ 'x-a': 'b\r\n', 'bad name': 'c', Connection: 'close' });
      } catch (e) {
        return e as InvalidConfigError;
      }
    })();
    expect(error?.issues.map((i) => i.path)).toEqual([
      'headers.x-a',
      'headers."bad name"',
      'headers.Connection',
    ]);
    expect(checkHeaders({ 'X-Api-Key': 'k', Accept: 'text/plain' })).toEqual({ 'x-api-key': 'k' });
  });

  it('refuses a protocol version that could inject a header', () => {
    const transport = new NodeHttpClientTransport(new URL('http://127.0.0.1:1/mcp'));
    expect(() => transport.setProtocolVersion('2025-06-18\r\nx-evil: 1')).toThrow(
      /cannot be sent in a header/,
    );
  });
});
