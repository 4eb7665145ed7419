import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser.js';

function parse(chunks: readonly string[]): { events: SseEvent[]; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser({
    onEvent: (event) => events.push(event),
    onRetry: (ms) => retries.push(ms),
  });
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return { events, retries };
}

const STREAM = [
  ': a comment line',
  'id: 7',
  'retry: 1500',
  'data: {"jsonrpc":"2.0",',
  'data:"id":1}',
  '',
  'event: message',
  'data: second',
  '',
  'event: ping',
  'data',
  '',
  'id: only-an-id',
  '',
  'data: ends without a blank line',
];

const EXPECTED: SseEvent[] = [
  { event: undefined, data: '{"jsonrpc":"2.0",\n"id":1}', id: '7' },
  { event: 'message', data: 'second', id: '7' },
  { event: 'ping', data: '', id: '7' },
];

describe('SseParser', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('reads events whose lines end with %s', (_name, eol) => {
    const { events, retries } = parse([STREAM.join(eol)]);
    expect(events).toEqual(EXPECTED);
    expect(retries).toEqual([1500]);
  });

  it('gives the same events however the text is cut into chunks', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = STREAM.join(eol);
      for (let cut = 0; cut <= text.length; cut++) {
        expect(parse([text.slice(0, cut), text.slice(cut)]).events).toEqual(EXPECTED);
      }
      expect(parse([...text]).events).toEqual(EXPECTED);
    }
  });

  it('counts a CR at the end of one chunk and an LF opening the next as one line end', () => {
    const { events } = parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(events).toEqual([{ event: undefined, data: 'a\nb', id: undefined }]);
  });

  it('ignores unknown fields and a retry that is not a number', () => {
    const { events, retries } = parse(['foo: bar\nretry: soon\ndata: x\n\n']);
    expect(events).toEqual([{ event: undefined, data: 'x', id: undefined }]);
    expect(retries).toEqual([]);
  });
});
