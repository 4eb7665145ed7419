// Over 350 lines: one session's downstream protocol. The POST exchanges (JSON,
// or SSE once something must travel first), the GET stream, the held subscribe
// streams, the replayed initialize and the close all work on one map of the
// requests in flight, and read best beside it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type ClientCapabilities,
  type Implementation,
  type InitializeRequest,
  isJSONRPCRequest,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCResultResponse,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { type DirectCall, DirectCalls, plainCall } from './http-direct-calls.js';

/**
 * One POST that carried requests: its response and the ids still unanswered.
 * It answers with JSON when every result is there before anything else was
 * sent for it, and turns into an SSE stream as soon as a notification or a
 * server request (progress, sampling, logging) must travel before the result.
 */
interface Exchange {
  readonly res: ServerResponse;
  readonly waiting: Set<RequestId>;
  readonly batch: boolean;
  readonly answers: JSONRPCMessage[];
  /** Ids of `resources/subscribe` requests in it. */
  readonly subscribes: Set<RequestId>;
  sse: boolean;
  done: boolean;
  /** Ends the POST's turn: answered (or held for updates), or the client went away. */
  settle: () => void;
}

/** What the transport asks its owner when the session's initialize is answered. */
export type SessionIdFor = (
  init: InitializeRequest['params'],
  result: { protocolVersion: string },
) => string;

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
} as const;

/** Options of an `HttpServerTransport`. */
export interface HttpServerTransportOptions {
  /**
   * Keep the stream of a `resources/subscribe` answer open for the updates
   * when this process does not hold the session's GET stream: with sealed
   * ids the GET stream may be on another replica, and only the replica that
   * took the subscription hears the upstream's updates. @default false
   */
  holdSubscribeStreams?: boolean | undefined;
}

/** A comment line on held streams, so that no client or proxy times them out. */
const KEEPALIVE_MS = 25_000;

/** The request id of the initialize replayed to rebuild a session; never seen by a client. */
const REPLAY_ID = 'mcpool:rebuild';

/**
 * The downstream side of Streamable HTTP on `node:http`, for one session:
 * POSTs are answered with JSON or SSE, one GET stream carries what is not
 * tied to a request. The SDK's own server transport goes through web
 * `Request`/`Response` objects and an SSE stream for every call; this one
 * writes straight to the socket, which is most of the gateway's hop.
 * Routing, guards and session lookup are the HTTP layer's; this class only
 * speaks the protocol of an already-accepted request.
 */
export class HttpServerTransport implements Transport {
  sessionId: string | undefined;
  onclose: (() => void) | undefined;
  onerror: ((error: Error) => void) | undefined;
  onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  private readonly byId = new Map<RequestId, Exchange>();
  private standalone: ServerResponse | undefined;
  /** Subscribe answers kept open for updates (see `holdSubscribeStreams`). */
  private readonly held = new Set<ServerResponse>();
  private keepalive: NodeJS.Timeout | undefined;
  private initParams: InitializeRequest['params'] | undefined;
  private replayed: (() => void) | undefined;
  private closed = false;
  /** Plain `tools/call`s answered without the SDK server (see http-direct-calls.ts). */
  private direct: DirectCalls | undefined;

  constructor(
    private readonly sessionIdFor: SessionIdFor,
    private readonly options: HttpServerTransportOptions = {},
  ) {}

  async start(): Promise<void> {}

  /** Hands plain `tools/call`s of this session to `call` instead of the SDK server. */
  answerCallsWith(call: DirectCall): void {
    this.direct = new DirectCalls(call, (message) => {
      void this.send(message);
    });
  }

  /** Whether a stream is open for server messages not tied to a request. */
  get hasStream(): boolean {
    return this.standalone !== undefined || this.held.size > 0;
  }

  /**
   * Answers a POST whose body is already parsed and validated as JSON-RPC
   * (one message or a batch). Resolves once the response is complete.
   */
  handlePost(
    req: IncomingMessage,
    res: ServerResponse,
    messages: JSONRPCMessage[],
    batch: boolean,
  ): Promise<void> {
    const direct = this.direct;
    // A plain call is a request by the SDK's rules: it needs no zod parse to tell.
    const call = direct && !batch ? plainCall(messages[0] as JSONRPCMessage) : undefined;
    const requests = call ? [call.request] : messages.filter(isJSONRPCRequest);
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    if (direct && !call) for (const message of messages) direct.cancelled(message);
    if (requests.length === 0) {
      res.writeHead(202).end();
      for (const message of messages) this.onmessage?.(message, extra);
      return Promise.resolve();
    }
    const exchange: Exchange = {
      res,
      waiting: new Set(requests.map((r) => r.id)),
      batch,
      answers: [],
      subscribes: new Set(),
      sse: false,
      done: false,
      settle: () => {},
    };
    for (const request of requests) {
      this.byId.set(request.id, exchange);
      if (request.method === 'resources/subscribe') exchange.subscribes.add(request.id);
      if (request.method === 'initialize') {
        this.initParams = request.params as InitializeRequest['params'];
      }
    }
    const finished = new Promise<void>((resolve) => {
      exchange.settle = resolve;
      res.once('close', () => {
        // The client went away: forget its ids so that late answers are dropped.
        for (const id of exchange.waiting) this.byId.delete(id);
        exchange.waiting.clear();
        exchange.done = true;
        resolve();
      });
    });
    if (call && direct?.start(call)) return finished;
    for (const message of messages) this.onmessage?.(message, extra);
    return finished;
  }

  /** Opens the stream for server messages not tied to a request (GET). */
  handleGet(res: ServerResponse): boolean {
    if (this.standalone) return false;
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    this.standalone = res;
    res.once('close', () => {
      if (this.standalone === res) this.standalone = undefined;
      this.pingWhileOpen();
    });
    this.pingWhileOpen();
    return true;
  }

  /**
   * Rebuilds the SDK server's state of a session opened elsewhere: the
   * initialize it once answered is played again (its answer is dropped),
   * then `notifications/initialized`.
   */
  replayInitialize(
    sessionId: string,
    init: {
      protocolVersion: string;
      capabilities: ClientCapabilities;
      clientInfo: Implementation;
    },
  ): Promise<void> {
    this.sessionId = sessionId;
    const answered = new Promise<void>((resolve) => {
      this.replayed = resolve;
    });
    this.onmessage?.({ jsonrpc: '2.0', id: REPLAY_ID, method: 'initialize', params: init });
    return answered.then(() => {
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/initialized' });
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    const isAnswer = isResult(message) || isError(message);
    if (isAnswer && message.id === REPLAY_ID) {
      this.replayed?.();
      this.replayed = undefined;
      return;
    }
    const id = isAnswer ? message.id : options?.relatedRequestId;
    const exchange = id === undefined ? undefined : this.byId.get(id);
    if (!exchange) {
      // Not tied to a live request: the GET stream, if the client keeps one here (else dropped, as the spec allows).
      if (isAnswer) return;
      if (this.standalone) writeEvent(this.standalone, message);
      else for (const res of this.held) writeEvent(res, message);
      return;
    }
    if (!isAnswer) {
      if (!exchange.sse) this.toSse(exchange);
      writeEvent(exchange.res, message);
      return;
    }
    if (isResult(message) && this.initParams && this.sessionId === undefined) {
      const result = message.result as { protocolVersion?: unknown };
      if (typeof result.protocolVersion === 'string') {
        this.sessionId = this.sessionIdFor(this.initParams, {
          protocolVersion: result.protocolVersion,
        });
      }
    }
    this.byId.delete(id as RequestId);
    exchange.waiting.delete(id as RequestId);
    if (
      exchange.subscribes.has(id as RequestId) &&
      this.options.holdSubscribeStreams === true &&
      !this.standalone &&
      !exchange.batch &&
      isResult(message)
    ) {
      this.hold(exchange);
    }
    if (exchange.sse) writeEvent(exchange.res, message);
    else exchange.answers.push(message);
    if (exchange.waiting.size === 0) this.finish(exchange);
  }

  private headers(contentType: Record<string, string>): Record<string, string> {
    return this.sessionId === undefined
      ? contentType
      : { ...contentType, 'mcp-session-id': this.sessionId };
  }

  private toSse(exchange: Exchange): void {
    exchange.sse = true;
    exchange.res.writeHead(200, this.headers(SSE_HEADERS));
    for (const answer of exchange.answers.splice(0)) writeEvent(exchange.res, answer);
  }

  /**
   * Answers the subscribe over SSE and keeps the stream for the updates.
   * The spec says a server SHOULD close it after the answer; clients read
   * on until it ends, and this is the one way the updates reach a client
   * whose GET stream is on another replica.
   */
  private hold(exchange: Exchange): void {
    if (!exchange.sse) this.toSse(exchange);
    const res = exchange.res;
    this.held.add(res);
    exchange.done = true;
    exchange.settle();
    res.once('close', () => {
      this.held.delete(res);
      this.pingWhileOpen();
    });
    this.pingWhileOpen();
  }

  /** Keeps a comment line going on open streams, so that no client or proxy times them out. */
  private pingWhileOpen(): void {
    if (!this.standalone && this.held.size === 0) {
      clearInterval(this.keepalive);
      this.keepalive = undefined;
      return;
    }
    this.keepalive ??= setInterval(() => {
      this.standalone?.write(': keepalive\n\n');
      for (const r of this.held) r.write(': keepalive\n\n');
    }, KEEPALIVE_MS).unref();
  }

  private finish(exchange: Exchange): void {
    if (exchange.done) return;
    exchange.done = true;
    exchange.settle();
    if (exchange.sse) {
      exchange.res.end();
      return;
    }
    const body = JSON.stringify(exchange.batch ? exchange.answers : exchange.answers[0]);
    // With its length known the answer goes out whole, headers and body in one write;
    // `writeHead` without it would make node:http frame the body as chunks. A flat
    // list of names and values costs node:http half of what an object does.
    const length = String(Buffer.byteLength(body));
    const sid = this.sessionId;
    exchange.res.writeHead(
      200,
      sid === undefined
        ? ['content-type', 'application/json', 'content-length', length]
        : ['content-type', 'application/json', 'content-length', length, 'mcp-session-id', sid],
    );
    exchange.res.end(body);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.direct?.abortAll();
    const open = new Set(this.byId.values());
    this.byId.clear();
    for (const exchange of open) {
      // Each unanswered request gets an error, so that no client waits for its timeout.
      const errors = [...exchange.waiting].map((id) => ({
        jsonrpc: '2.0' as const,
        id,
        error: {
          code: -32000,
          message: 'The session closed before the answer (gateway shutting down or session ended).',
        },
      }));
      exchange.done = true;
      exchange.settle();
      if (exchange.sse) {
        for (const error of errors) writeEvent(exchange.res, error);
        exchange.res.end();
      } else {
        exchange.res
          .writeHead(200, this.headers({ 'content-type': 'application/json' }))
          .end(JSON.stringify(exchange.batch ? [...exchange.answers, ...errors] : errors[0]));
      }
    }
    this.standalone?.end();
    this.standalone = undefined;
    for (const res of this.held) res.end();
    this.held.clear();
    clearInterval(this.keepalive);
    this.replayed?.();
    this.onclose?.();
  }
}

/*
 * What `send` gets was built by the SDK's own `Protocol` (answers, notifications,
 * server requests): its kind shows in its keys. The SDK's guards would parse
 * every answer, result and all, with zod on its way out.
 */
function isResult(message: JSONRPCMessage): message is JSONRPCResultResponse {
  return 'result' in message;
}

function isError(message: JSONRPCMessage): message is JSONRPCErrorResponse {
  return 'error' in message;
}

function writeEvent(res: ServerResponse, message: JSONRPCMessage): void {
  res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}
