import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import {
  abortError,
  checkMessage,
  mediaType,
  REDIRECT_STATUSES,
  readText,
  redirectPath,
  requestIds,
} from './http-answer.js';
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
 * message before the client parses it again. Here a request is one
 * `http.request` on a keep-alive agent of the transport's own (no Nagle
 * delay), a JSON answer is read into one string and parsed once, and an SSE
 * answer goes through a small line parser on the decoded text.
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

  private readonly target: http.RequestOptions;
  private readonly client: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private session: string | undefined;
  private protocolVersion: string | undefined;
  private started = false;
  private closed = false;
  /** Requests whose answer may still be read; destroyed by `close()`. */
  private readonly open = new Set<http.ClientRequest>();
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
    const secure = url.protocol === 'https:';
    this.client = secure ? https : http;
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, noDelay: true });
    this.target = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      agent: this.agent,
    };
    if (url.username !== '' || url.password !== '') {
      this.target.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    }
    this.headers = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      this.headers[name.toLowerCase()] = value;
    }
  }

  get sessionId(): string | undefined {
    return this.session;
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
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
      const headers = this.headersFor('application/json, text/event-stream');
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
      const res = await this.request('POST', headers, body);
      const session = res.headers['mcp-session-id'];
      if (typeof session === 'string' && session !== '') this.session = session;
      const status = res.statusCode ?? 0;
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
        res.resume();
        if (!Array.isArray(message) && 'method' in message) {
          if (message.method === 'notifications/initialized') this.listen();
        }
        return;
      }
      const ids = requestIds(message);
      if (ids === undefined) {
        res.resume();
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
        res.resume();
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
    if (this.session !== undefined) await this.terminate().catch(() => {});
    this.agent.destroy();
    this.onclose?.();
  }

  private async terminate(): Promise<void> {
    const res = await this.request('DELETE', this.headersFor(undefined), undefined);
    const timer = setTimeout(() => res.destroy(), TERMINATE_TIMEOUT_MS);
    try {
      await readText(res);
    } finally {
      clearTimeout(timer);
    }
    this.session = undefined;
  }

  private headersFor(accept: string | undefined): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    if (this.session !== undefined) headers['mcp-session-id'] = this.session;
    if (this.protocolVersion !== undefined) {
      headers['mcp-protocol-version'] = this.protocolVersion;
    }
    for (const name in this.headers) headers[name] = this.headers[name];
    if (accept !== undefined) headers.accept = accept;
    return headers;
  }

  /**
   * Sends one request; resolves with the answer's head, after following
   * redirects that stay within the server's origin (as the SDK's transport
   * does: 307 and 308 for any method, the others for GET only).
   */
  private async request(
    method: 'POST' | 'GET' | 'DELETE',
    headers: OutgoingHttpHeaders,
    body: string | undefined,
  ): Promise<IncomingMessage> {
    let path = this.target.path as string;
    for (let hops = 0; ; hops++) {
      const res = await this.requestOnce(method, headers, body, path);
      const next = hops < MAX_REDIRECTS ? redirectPath(res, method, this.url, path) : undefined;
      if (next === undefined) return res;
      res.resume();
      path = next;
    }
  }

  /** One HTTP exchange. A DELETE gives up after 1 s. */
  private requestOnce(
    method: 'POST' | 'GET' | 'DELETE',
    headers: OutgoingHttpHeaders,
    body: string | undefined,
    path: string,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.client.request({ ...this.target, path, method, headers }, resolve);
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
    const res = await this.request('GET', this.headersFor('text/event-stream'), undefined);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status <= 299) {
      this.readEvents(res, undefined);
      return;
    }
    res.resume();
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
  private readEvents(res: IncomingMessage, pending: Set<RequestId> | undefined): void {
    res.setEncoding('utf8');
    const parser = new SseParser({
      onEvent: (event) => this.onEvent(event, pending),
      onRetry: (ms) => {
        this.retryMs = ms;
      },
    });
    res.on('data', (chunk: string) => parser.push(chunk));
    let failure: Error | undefined;
    res.on('error', (error) => {
      failure = error;
    });
    res.once('close', () => {
      parser.end();
      if (this.closed) return;
      if (!res.complete) {
        this.onerror?.(new Error(`SSE stream disconnected: ${failure ?? 'the connection closed'}`));
      }
      if (pending === undefined) this.reconnect(0);
      else this.abandon(pending);
    });
  }

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
