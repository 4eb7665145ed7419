// Over 350 lines: the socket pool and the answer parser share one connection's
// state (the answer in flight, the framing, the decoder) and read best together.
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { BodySink, HttpAnswer } from './http-answer.js';

/** The most a head (status line and headers, a chunk-size line, or the trailers) may take. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** What a connection is reading. */
const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_END = 5;
const TRAILERS = 6;
const UNTIL_CLOSE = 7;

const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than tab, and a CR or LF that is not part of a CRLF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is what it is for.
const BAD_HEAD = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const CHUNKED_LAST = /(?:^|,)[ \t]*chunked[ \t]*$/i;
const HEX = /^[0-9a-fA-F]{1,12}$/;

/**
 * A malformed answer, or one past the limits; named with a code in the
 * style of node's own parser errors (`HPE_...`), as it is the cause of the
 * request's failure in the same place.
 */
export class HttpParseError extends Error {
  constructor(
    readonly code: 'HPE_INVALID_ANSWER' | 'HPE_HEADER_OVERFLOW',
    message: string,
  ) {
    super(message);
    this.name = 'HttpParseError';
  }
}

/** What node's client raises for a connection that ends before its answer does. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** The sockets of one client: all of them, and those waiting for a request. */
interface Sockets {
  readonly all: Set<Connection>;
  readonly idle: Connection[];
}

/**
 * A small HTTP/1.1 client for one origin on `node:net`, for the transport's
 * requests to `http:` servers: per request it writes the head and the body
 * in one write and parses the answer with no `http.ClientRequest`,
 * `IncomingMessage` or stream in between, which takes ~0.1 ms per call off
 * a gateway's hop.
 *
 * Keep-alive sockets are pooled: one request per socket at a time (an SSE
 * answer may stream for long, so nothing is pipelined behind it), an idle
 * socket is reused, a new one is opened when none is idle. A socket the
 * server closes while idle leaves the pool silently.
 */
export class Http1Client {
  private readonly sockets: Sockets = { all: new Set(), idle: [] };

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sockets open now, busy or idle. */
  get socketCount(): number {
    return this.sockets.all.size;
  }

  /**
   * Sends one request, `head` (ASCII, ending with the blank line) and
   * `body` in one write; resolves with the answer once its head has arrived,
   * rejects with the system error when the request could not be sent or
   * the connection ended before the answer's head. With `timeoutMs`, a
   * socket silent that long fails the request.
   */
  request(head: string, body: string | undefined, timeoutMs = 0): Promise<HttpAnswer> {
    const sockets = this.sockets;
    let conn = sockets.idle.pop();
    if (conn === undefined) {
      conn = new Connection(sockets, this.host, this.port);
      sockets.all.add(conn);
    } else conn.socket.ref();
    const ready = conn;
    return new Promise((resolve, reject) => {
      ready.start(new Http1Answer(ready, resolve, reject), timeoutMs);
      ready.socket.write(body === undefined ? head : head + body);
    });
  }

  /** Destroys every socket, failing the requests on them with `reason`; the client stays usable. */
  destroy(reason: Error = new Error('The HTTP client was closed.')): void {
    for (const conn of [...this.sockets.all]) conn.fail(reason, undefined);
  }
}

/** One keep-alive socket and the parser of the answer in flight on it. */
class Connection {
  readonly socket: net.Socket;
  /** The answer being read, undefined while idle. */
  private answer: Http1Answer | undefined;
  private state = IDLE;
  /** The start of a head that has not fully arrived. */
  private partial: Buffer | undefined;
  /** The start of a chunk-size or trailer line that has not fully arrived. */
  private line = '';
  /** The line `takeLine` completed, or undefined when it needs more bytes. */
  private taken: string | undefined;
  private trailerBytes = 0;
  /** Body bytes still due (content-length), or of the current chunk. */
  private remaining = 0;
  private reuse = true;
  private timed = false;
  private dead = false;
  private failure: Error | undefined;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly sockets: Sockets,
    host: string,
    port: number,
  ) {
    const socket = net.connect({ host, port, noDelay: true });
    socket.setKeepAlive(true, 1_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error) => {
      this.failure = error;
    });
    socket.on('close', () => this.fail(this.failure ?? hangUp(), undefined));
    socket.on('timeout', () => {
      this.fail(
        Object.assign(new Error('The server did not answer in time.'), { code: 'ETIMEDOUT' }),
        undefined,
      );
    });
    this.socket = socket;
  }

  start(answer: Http1Answer, timeoutMs: number): void {
    this.answer = answer;
    this.state = HEAD;
    this.reuse = true;
    if (timeoutMs > 0) {
      this.timed = true;
      this.socket.setTimeout(timeoutMs);
    }
  }

  /**
   * Ends the socket and the answer on it (when `only` is given, only if
   * that answer is still the one in flight). Safe to call twice.
   */
  fail(error: Error, only: Http1Answer | undefined): void {
    if (this.dead || (only !== undefined && this.answer !== only)) return;
    this.dead = true;
    this.forget();
    this.socket.destroy();
    const answer = this.answer;
    this.answer = undefined;
    this.state = IDLE;
    answer?.fail(error);
  }

  private forget(): void {
    this.sockets.all.delete(this);
    const idle = this.sockets.idle;
    const at = idle.indexOf(this);
    if (at !== -1) idle.splice(at, 1);
  }

  private malformed(message: string): void {
    this.fail(
      new HttpParseError('HPE_INVALID_ANSWER', `Malformed HTTP answer: ${message}.`),
      undefined,
    );
  }

  private onEnd(): void {
    // A body that runs to the connection's end is whole at its FIN.
    if (this.state === UNTIL_CLOSE) this.finish(true);
    else this.fail(hangUp(), undefined);
  }

  private onData(chunk: Buffer): void {
    const answer = this.answer;
    if (answer === undefined) {
      // Bytes nobody asked for: the connection cannot be trusted with the next answer.
      this.malformed('bytes arrived while no request was waiting');
      return;
    }
    let pos = 0;
    // Each step may end the answer (or a body reader may close the client): stop then.
    while (pos < chunk.length && this.answer === answer) {
      switch (this.state) {
        case HEAD:
          pos = this.readHead(chunk, pos, answer);
          break;
        case LENGTH:
        case CHUNK_DATA:
        case UNTIL_CLOSE: {
          const end =
            this.state === UNTIL_CLOSE
              ? chunk.length
              : Math.min(chunk.length, pos + this.remaining);
          this.remaining -= end - pos;
          if (answer.wantsText) {
            answer.push(
              this.decoder.write(
                pos === 0 && end === chunk.length ? chunk : chunk.subarray(pos, end),
              ),
            );
          }
          pos = end;
          if (this.answer !== answer || this.state === UNTIL_CLOSE || this.remaining > 0) break;
          if (this.state === LENGTH) this.finish(pos === chunk.length);
          else this.state = CHUNK_END;
          break;
        }
        case CHUNK_SIZE:
        case CHUNK_END:
        case TRAILERS:
          pos = this.takeLine(chunk, pos);
          if (this.taken !== undefined) this.onLine(this.taken, pos === chunk.length);
          break;
      }
    }
  }

  private readHead(chunk: Buffer, pos: number, answer: Http1Answer): number {
    const partial = this.partial;
    const bytes = partial === undefined ? chunk : Buffer.concat([partial, chunk.subarray(pos)]);
    const from = partial === undefined ? pos : 0;
    // A terminator cut across chunks is found again from a little before the cut.
    const end = bytes.indexOf(
      HEAD_END,
      partial === undefined ? pos : Math.max(0, partial.length - 3),
    );
    if (end === -1 || end - from > MAX_HEAD_BYTES) {
      if (bytes.length - from > MAX_HEAD_BYTES) {
        this.fail(
          new HttpParseError(
            'HPE_HEADER_OVERFLOW',
            `The server's answer has a head over ${MAX_HEAD_BYTES / 1024} KiB.`,
          ),
          undefined,
        );
        return chunk.length;
      }
      this.partial = from === 0 ? bytes : bytes.subarray(from);
      return chunk.length;
    }
    this.partial = undefined;
    const next = partial === undefined ? end + 4 : pos + end + 4 - partial.length;
    if (!this.parseHead(bytes.toString('latin1', from, end), answer)) return chunk.length;
    if (this.state === IDLE) this.finish(next === chunk.length);
    return next;
  }

  /** Reads the head into `answer`; false when it is malformed (the connection is then failed). */
  private parseHead(text: string, answer: Http1Answer): boolean {
    if (BAD_HEAD.test(text)) {
      this.malformed('a control character or a bare CR or LF in its head');
      return false;
    }
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0] as string);
    if (status === null) {
      this.malformed(`a bad status line "${(lines[0] as string).slice(0, 100)}"`);
      return false;
    }
    const code = Number(status[2]);
    const headers: Record<string, string | undefined> = Object.create(null);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      const name = colon === -1 ? '' : line.slice(0, colon);
      if (!TOKEN.test(name)) {
        this.malformed(`a bad header line "${line.slice(0, 100)}"`);
        return false;
      }
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      const before = headers[key];
      headers[key] = before === undefined ? value : `${before}, ${value}`;
    }
    if (code >= 100 && code < 200) {
      if (code === 101) {
        this.malformed('101 Switching Protocols, which was not asked for');
        return false;
      }
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      return true;
    }
    this.reuse =
      status[1] === '1'
        ? !hasToken(headers.connection, 'close')
        : hasToken(headers.connection, 'keep-alive');
    const coding = headers['transfer-encoding'];
    const length = headers['content-length'];
    if (code === 204 || code === 304) {
      this.state = IDLE;
    } else if (coding !== undefined) {
      // A length beside a coding is a smuggling pattern: read the coding, keep not the socket.
      if (length !== undefined) this.reuse = false;
      if (CHUNKED_LAST.test(coding)) this.state = CHUNK_SIZE;
      else {
        this.state = UNTIL_CLOSE;
        this.reuse = false;
      }
    } else if (length !== undefined) {
      const n = contentLength(length);
      if (n === undefined) {
        this.malformed(`a bad content-length "${length.slice(0, 100)}"`);
        return false;
      }
      this.remaining = n;
      this.state = n === 0 ? IDLE : LENGTH;
    } else {
      this.state = UNTIL_CLOSE;
      this.reuse = false;
    }
    if (this.state === CHUNK_SIZE) this.trailerBytes = 0;
    answer.open(code, status[3] ?? '', headers);
    return true;
  }

  /** Takes bytes up to the next LF into `taken` (without its CRLF), or keeps them for later. */
  private takeLine(chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(10, pos);
    if (lf === -1) {
      this.line += chunk.toString('latin1', pos, chunk.length);
      this.taken = undefined;
      if (this.line.length > MAX_HEAD_BYTES) {
        this.fail(
          new HttpParseError(
            'HPE_HEADER_OVERFLOW',
            'A chunk line or the trailers are over 64 KiB.',
          ),
          undefined,
        );
      }
      return chunk.length;
    }
    const line =
      this.line === ''
        ? chunk.toString('latin1', pos, lf)
        : this.line + chunk.toString('latin1', pos, lf);
    this.line = '';
    if (line.charCodeAt(line.length - 1) !== 13) {
      this.taken = undefined;
      this.malformed('a chunk line not ending with CRLF');
      return chunk.length;
    }
    this.taken = line.slice(0, -1);
    return lf + 1;
  }

  private onLine(line: string, atEnd: boolean): void {
    if (this.state === CHUNK_SIZE) {
      const semicolon = line.indexOf(';');
      // Chunk extensions (after `;`) carry nothing mcpool reads.
      const hex = (semicolon === -1 ? line : line.slice(0, semicolon)).trim();
      if (!HEX.test(hex)) {
        this.malformed(`a bad chunk size "${line.slice(0, 100)}"`);
        return;
      }
      this.remaining = Number.parseInt(hex, 16);
      this.state = this.remaining === 0 ? TRAILERS : CHUNK_DATA;
    } else if (this.state === CHUNK_END) {
      if (line !== '') this.malformed('a chunk longer than its size');
      else this.state = CHUNK_SIZE;
    } else if (line === '') {
      this.finish(atEnd);
    } else {
      // Trailers are tolerated and dropped, within the head's limit.
      this.trailerBytes += line.length + 2;
      if (this.trailerBytes > MAX_HEAD_BYTES) {
        this.fail(
          new HttpParseError('HPE_HEADER_OVERFLOW', 'The trailers are over 64 KiB.'),
          undefined,
        );
      }
    }
  }

  /** The answer is whole: the socket serves again when the answer allows and nothing followed it. */
  private finish(atEnd: boolean): void {
    const answer = this.answer as Http1Answer;
    this.answer = undefined;
    this.state = IDLE;
    if (this.timed) {
      this.timed = false;
      this.socket.setTimeout(0);
    }
    const rest = this.decoder.end();
    if (this.reuse && atEnd && !this.dead && !this.socket.readableEnded) {
      // Back in the pool before the answer's reader hears of its end, so that
      // a request it sends at once reuses this socket.
      this.socket.unref();
      this.sockets.idle.push(this);
    } else {
      this.dead = true;
      this.forget();
      this.socket.destroy();
    }
    answer.finish(rest);
  }
}

function hasToken(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  for (const part of header.split(',')) {
    if (part.trim().toLowerCase() === token) return true;
  }
  return false;
}

/** A content-length's value; a list of equal values (a repeated header) counts as one. */
function contentLength(value: string): number | undefined {
  let n: number | undefined;
  for (const part of value.split(',')) {
    const digits = part.trim();
    if (!/^\d{1,15}$/.test(digits)) return undefined;
    const next = Number(digits);
    if (n !== undefined && n !== next) return undefined;
    n = next;
  }
  return n;
}

/** An answer of {@link Http1Client}: its head, then its body as the parser delivers it. */
class Http1Answer implements HttpAnswer {
  statusCode = 0;
  statusMessage = '';
  headers: Record<string, string | undefined> = {};
  complete = false;
  /** False once the body is discarded: the parser need not decode it. */
  wantsText = true;
  private sink: BodySink | undefined;
  /** Body text that arrived before `read` (in the head's chunk, say). */
  private early = '';
  private opened = false;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  read(sink: BodySink): void {
    if (this.sink !== undefined || !this.wantsText) {
      throw new Error('An HTTP answer is read once.');
    }
    this.sink = sink;
    if (this.early !== '') {
      const text = this.early;
      this.early = '';
      sink.data(text);
    }
    if (this.ended) sink.end(this.failure);
  }

  discard(): void {
    this.wantsText = false;
    this.early = '';
  }

  destroy(): void {
    if (!this.ended) this.conn.fail(new Error('The answer was dropped before its end.'), this);
  }

  open(status: number, message: string, headers: Record<string, string | undefined>): void {
    this.statusCode = status;
    this.statusMessage = message;
    this.headers = headers;
    this.opened = true;
    this.resolve(this);
  }

  push(text: string): void {
    if (text === '') return;
    if (this.sink !== undefined) this.sink.data(text);
    else if (this.wantsText) this.early += text;
  }

  finish(rest: string): void {
    if (this.wantsText) this.push(rest);
    this.complete = true;
    this.ended = true;
    this.sink?.end(undefined);
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.opened) this.reject(error);
    else {
      this.failure = error;
      this.sink?.end(error);
    }
  }
}
