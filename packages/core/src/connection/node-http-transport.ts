// Over 350 lines: one transport's whole exchange with a server (requests,
// redirects, session, the notification stream and its reconnection, SSE
// answers) shares its state, and reads best in one place.
import type { OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import {
  abortError,
  type BodySink,
  checkMessage,
  type HttpAnswer,
  incomingAnswer,
  mediaType,
  REDIRECT_STATUSES,
  readText,
  redirectPath,
  requestIds,
} from './http-answer.js';
import { checkHeaders, isHeaderValue } from './http-headers.js';
import { Http1Client } from './http1-client.js';
import { type SseEvent, SseParser } from './sse-parser.js';

/** Options of {@link NodeHttpClientTransport}. */
export interface NodeHttpClientTransportOptions {
  /** Sent with every request (`Authorization`, say); they win over the transport's own. */
  headers?: Record<string, string> | undefined;
}

/** How the notification stream (GET) is reopened after it drops: as the SDK's transport does. */
const RECONNECT = { initialMs: 1_000, growFactor: 1.5, maxMs: 30_000, maxRetries: 2 };
/** How long `close()` waits for the server to acknowledge the session's end. */
const TERMINATE_TIMEOUT_MS = 1_000;
/** As many redirects as the SDK's transport follows for one request. */
const MAX_REDIRECTS = 5;

/**
 * An MCP Streamable HTTP client transport on `node:http`, a drop-in for the
 * SDK's `StreamableHTTPClientTransport` in mcpool's connections.
 *
 * The SDK's transport goes through `fetch`: per request a `Request`, a
 * `Headers`, web streams with a `TextDecoderStream` and an
 * `EventSourceParserStream` for an SSE answer, and a zod parse of every
 * message before the client parses it again. Here a request to an `http:`
 * server is one write on a keep-alive socket of the transport's own
 * {@link Http1Client} (no Nagle delay; `http.request` cost ~0.1 ms more per
 * call, which a gateway's hop feels), a JSON answer is read into one string
 * and parsed once, and an SSE answer goes through a small line parser on
 * the decoded text. `https:` requests go through `node:https` on a
 * keep-alive agent: TLS costs far more than the client, and node's TLS
 * handling is not worth redoing.
 *
 * It fails the way the SDK's transport fails, so that connections classify
 * its errors alike: a non-2xx answer is a `StreamableHTTPError` with the
 * status (404 renews the session), a request that could not be sent rejects
 * with fetch's shape (`TypeError: fetch failed` with the system error, such
 * as `ECONNREFUSED`, as its cause), and a notification stream that drops is
 * reopened twice before `Maximum reconnection attempts` is reported. One
 * thing is better: when the SSE answer to a request ends before carrying its
 * response, the request fails at once with `ConnectionClosed` (it may have
 * run) instead of waiting for its timeout. Resuming streams
 * (`Last-Event-ID`), OAuth and redirects to another origin are not supported.
 */
export class NodeHttpClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;

  /** The client of an `http:` server; undefined for `https:`, which goes through {@link target}. */
  private readonly http1: Http1Client | undefined;
  private readonly target: https.RequestOptions;
  private readonly agent: https.Agent | undefined;
  private readonly path: string;
  /** The configured headers, lower-cased, for `node:https`. */
  private readonly headers: Record<string, string>;
  /** The head's lines that never change: host and the configured headers, for {@link http1}. */
  private readonly fixedLines: string;
  /** The session and protocol-version lines, rebuilt when either changes. */
  private stateLines = '';
  private session: string | undefined;
  private protocolVersion: string | undefined;
  private started = false;
  private closed = false;
  /** `https:` requests whose answer may still be read; destroyed by `close()`. */
  private readonly open = new Set<ReturnType<typeof https.request>>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** The reconnection delay the server asked for with `retry:`. */
  private retryMs: number | undefined;

  constructor(
    private readonly url: URL,
    options: NodeHttpClientTransportOptions = {},
  ) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(
        `A Streamable HTTP server's url must start with http: or https:, not "${url.protocol}" (${url.href}).`,
      );
    }
    this.headers = checkHeaders(options.headers ?? {});
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.path = `${url.pathname}${url.search}`;
    this.target = { hostname, port: url.port === '' ? undefined : Number(url.port) };
    const auth =
      url.username !== '' || url.password !== ''
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined;
    if (url.protocol === 'https:') {
      this.agent = new https.Agent({ keepAlive: true, noDelay: true });
      this.target.agent = this.agent;
      if (auth !== undefined) this.target.auth = auth;
      this.fixedLines = '';
    } else {
      this.http1 = new Http1Client(hostname, url.port === '' ? 80 : Number(url.port));
      // As node:http does with a url's credentials, unless an Authorization is configured.
      if (auth !== undefined && this.headers.authorization === undefined) {
        this.headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
      }
      let lines = `host: ${this.headers.host ?? url.host}\r\n`;
      for (const name in this.headers) {
        if (name !== 'host') lines += `${name}: ${this.headers[name]}\r\n`;
      }
      this.fixedLines = lines;
    }
  }

  get sessionId(): string | undefined {
    return this.session;
  }

  setProtocolVersion(version: string): void {
    if (!isHeaderValue(version)) {
      throw new TypeError(
        `The protocol version ${JSON.stringify(version)} cannot be sent in a header: it holds a control or non-ASCII character.`,
      );
    }
    this.protocolVersion = version;
    this.updateStateLines();
  }

  async start(): Promise<void> {
    if (this.started) {
      throw new Error(
        'This NodeHttpClientTransport is already started: Client.connect() starts it, do not call start() as well.',
      );
    }
    this.started = true;
  }

  async send(message: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    try {
      if (this.closed) throw abortError();
      const body = JSON.stringify(message);
      const res = await this.request('POST', 'application/json, text/event-stream', body);
      const session = res.headers['mcp-session-id'];
      if (session !== undefined && session !== '' && session !== this.session) {
        this.setSession(session, res);
      }
      const status = res.statusCode;
      if (status < 200 || status > 299) {
        const text = await readText(res).catch(() => null);
        const location = REDIRECT_STATUSES.has(status) ? res.headers.location : undefined;
        throw new StreamableHTTPError(
          status,
          location === undefined
            ? `Error POSTing to endpoint: ${text}`
            : `Redirect to ${location} not followed: mcpool follows redirects within the server's origin only; configure the url it leads to.`,
        );
      }
      if (status === 202) {
        res.discard();
        if (!Array.isArray(message) && 'method' in message) {
          if (message.method === 'notifications/initialized') this.listen();
        }
        return;
      }
      const ids = requestIds(message);
      if (ids === undefined) {
        res.discard();
        return;
      }
      const type = mediaType(res.headers['content-type']);
      if (type === 'text/event-stream') {
        this.readEvents(res, ids);
      } else if (type === 'application/json') {
        const text = await readText(res);
        const data: unknown = JSON.parse(text);
        for (const item of Array.isArray(data) ? data : [data]) {
          this.onmessage?.(checkMessage(item));
        }
      } else {
        res.discard();
        throw new StreamableHTTPError(
          -1,
          `Unexpected content type: ${res.headers['content-type']}`,
        );
      }
    } catch (error) {
      this.onerror?.(error as Error);
      throw error;
    }
  }

  /** Ends the session (HTTP DELETE, waited for up to 1 s) and every open request. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const req of this.open) req.destroy();
    this.open.clear();
    this.http1?.destroy();
    if (this.session !== undefined) await this.terminate().catch(() => {});
    this.agent?.destroy();
    this.http1?.destroy();
    this.onclose?.();
  }

  private async terminate(): Promise<void> {
    const res = await this.request('DELETE', undefined, undefined);
    const timer = setTimeout(() => res.destroy(), TERMINATE_TIMEOUT_MS);
    try {
      await readText(res);
    } finally {
      clearTimeout(timer);
    }
    this.session = undefined;
  }

  /** Keeps a session id the server gave, refusing one that cannot go back in a header. */
  private setSession(session: string, res: HttpAnswer): void {
    if (!isHeaderValue(session)) {
      res.discard();
      throw new TypeError(
        `The server sent a session id that cannot be sent back in a header: it holds a control or non-ASCII character (${JSON.stringify(session.slice(0, 100))}).`,
      );
    }
    this.session = session;
    this.updateStateLines();
  }

  private updateStateLines(): void {
    let lines = '';
    // Configured headers win over the transport's own, as with node:https.
    if (this.session !== undefined && this.headers['mcp-session-id'] === undefined) {
      lines += `mcp-session-id: ${this.session}\r\n`;
    }
    if (this.protocolVersion !== undefined && this.headers['mcp-protocol-version'] === undefined) {
      lines += `mcp-protocol-version: ${this.protocolVersion}\r\n`;
    }
    this.stateLines = lines;
  }

  /** An HTTP/1.1 request head for {@link http1}, as one string. */
  private head(
    method: 'POST' | 'GET' | 'DELETE',
    path: string,
    accept: string | undefined,
    body: string | undefined,
  ): string {
    let head = `${method} ${path} HTTP/1.1\r\n${this.fixedLines}${this.stateLines}`;
    if (accept !== undefined) head += `accept: ${accept}\r\n`;
    if (body !== undefined) {
      head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    }
    return `${head}\r\n`;
  }

  private headersFor(accept: string | undefined, body: string | undefined): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    if (this.session !== undefined) headers['mcp-session-id'] = this.session;
    if (this.protocolVersion !== undefined) {
      headers['mcp-protocol-version'] = this.protocolVersion;
    }
    for (const name in this.headers) headers[name] = this.headers[name];
    if (accept !== undefined) headers.accept = accept;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return headers;
  }

  /**
   * Sends one request; resolves with the answer's head, after following
   * redirects that stay within the server's origin (as the SDK's transport
   * does: 307 and 308 for any method, the others for GET only).
   */
  private async request(
    method: 'POST' | 'GET' | 'DELETE',
    accept: string | undefined,
    body: string | undefined,
  ): Promise<HttpAnswer> {
    let path = this.path;
    for (let hops = 0; ; hops++) {
      let res: HttpAnswer;
      if (this.http1 === undefined) res = await this.requestHttps(method, accept, body, path);
      else {
        try {
          res = await this.http1.request(
            this.head(method, path, accept, body),
            body,
            method === 'DELETE' ? TERMINATE_TIMEOUT_MS : 0,
          );
        } catch (error) {
          // fetch's shape, which callers of the SDK's transport already read:
          // the system error (ECONNREFUSED: the request never left) as the cause.
          throw this.closed ? abortError() : new TypeError('fetch failed', { cause: error });
        }
      }
      const next = hops < MAX_REDIRECTS ? redirectPath(res, method, this.url, path) : undefined;
      if (next === undefined) return res;
      res.discard();
      path = next;
    }
  }

  /** One HTTPS exchange. A DELETE gives up after 1 s. */
  private requestHttps(
    method: 'POST' | 'GET' | 'DELETE',
    accept: string | undefined,
    body: string | undefined,
    path: string,
  ): Promise<HttpAnswer> {
    const headers = this.headersFor(accept, body);
    return new Promise((resolve, reject) => {
      const req = https.request({ ...this.target, path, method, headers }, (res) =>
        resolve(incomingAnswer(res)),
      );
      const open = this.open;
      if (method === 'DELETE') req.setTimeout(TERMINATE_TIMEOUT_MS, () => req.destroy());
      else open.add(req);
      req.once('close', () => open.delete(req));
      req.on('error', (error) => {
        // fetch's shape, which callers of the SDK's transport already read:
        // the system error (ECONNREFUSED: the request never left) as the cause.
        reject(this.closed ? abortError() : new TypeError('fetch failed', { cause: error }));
      });
      req.end(body);
    });
  }

  /** Opens the stream of the server's own messages (GET), if the server offers one. */
  private listen(attempt = 0): void {
    this.openStream().then(
      () => {},
      (error: unknown) => {
        this.onerror?.(error as Error);
        if (attempt === 0) return;
        const reason = error instanceof Error ? error.message : String(error);
        this.onerror?.(new Error(`Failed to reconnect SSE stream: ${reason}`));
        this.reconnect(attempt);
      },
    );
  }

  private async openStream(): Promise<void> {
    const res = await this.request('GET', 'text/event-stream', undefined);
    const status = res.statusCode;
    if (status >= 200 && status <= 299) {
      this.readEvents(res, undefined);
      return;
    }
    res.discard();
    // 405: the server has no such stream, which the spec allows.
    if (status === 405) return;
    throw new StreamableHTTPError(status, `Failed to open SSE stream: ${res.statusMessage}`);
  }

  private reconnect(attempt: number): void {
    if (this.closed) return;
    if (attempt >= RECONNECT.maxRetries) {
      this.onerror?.(
        new Error(`Maximum reconnection attempts (${RECONNECT.maxRetries}) exceeded.`),
      );
      return;
    }
    const delay =
      this.retryMs ??
      Math.min(RECONNECT.initialMs * RECONNECT.growFactor ** attempt, RECONNECT.maxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed) this.listen(attempt + 1);
    }, delay);
  }

  /**
   * Reads an SSE answer: to a POST carrying the requests `pending` (whose
   * responses are still due), or the notification stream when undefined.
   */
  private readEvents(res: HttpAnswer, pending: Set<RequestId> | undefined): void {
    res.read(new EventSink(this.streams, pending));
  }

  /** What the SSE answers' readers report to, made once per transport. */
  private readonly streams: StreamHandlers = {
    event: (event, pending) => this.onEvent(event, pending),
    retry: (ms) => {
      this.retryMs = ms;
    },
    end: (error, pending) => {
      if (this.closed) return;
      if (error !== undefined) this.onerror?.(new Error(`SSE stream disconnected: ${error}`));
      if (pending === undefined) this.reconnect(0);
      else this.abandon(pending);
    },
  };

  private onEvent(event: SseEvent, pending: Set<RequestId> | undefined): void {
    // Events without data keep a stream alive or carry only an id.
    if ((event.event !== undefined && event.event !== 'message') || event.data === '') return;
    try {
      const message = checkMessage(JSON.parse(event.data));
      if (pending !== undefined && !('method' in message) && message.id !== undefined) {
        pending.delete(message.id);
      }
      this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  /** The answer to these requests ended without their responses: they fail now, not at their timeout. */
  private abandon(pending: Set<RequestId>): void {
    for (const id of pending) {
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: {
          code: ErrorCode.ConnectionClosed,
          message:
            'Connection closed: the server ended its answer before responding; the request may have run.',
        },
      });
    }
  }
}

/** How a transport hears its SSE answers: the requests in `pending` (the notification stream when undefined). */
interface StreamHandlers {
  event(event: SseEvent, pending: Set<RequestId> | undefined): void;
  retry(ms: number): void;
  /** The answer ended: whole when `error` is undefined. */
  end(error: Error | undefined, pending: Set<RequestId> | undefined): void;
}

/** The body reader of an SSE answer: a class, not closures, as it serves every streamed call. */
class EventSink implements BodySink {
  private readonly parser: SseParser;

  constructor(
    private readonly handlers: StreamHandlers,
    private readonly pending: Set<RequestId> | undefined,
  ) {
    this.parser = new SseParser(this);
  }

  onEvent(event: SseEvent): void {
    this.handlers.event(event, this.pending);
  }

  onRetry(ms: number): void {
    this.handlers.retry(ms);
  }

  data(text: string): void {
    this.parser.push(text);
  }

  end(error: Error | undefined): void {
    this.parser.end();
    this.handlers.end(error, this.pending);
  }
}
