import {
  type CallToolResult,
  ErrorCode,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/*
 * The most common request of an HTTP session, a plain `tools/call`, answered
 * without the SDK server's request path: no zod classification of the
 * message, no handler wrapper parsing it again, no per-request `extra` with
 * its closures. It is the gateway's hop at concurrency 1, and every
 * microsecond here is added to every call of every client. "Plain" means a
 * tool name, maybe arguments, and nothing else: a `_meta` (progress token,
 * trace context, related task) or a task request goes the SDK's way, as does
 * any call when the session is traced.
 */

/** The params of a plain call. */
export interface PlainCallParams {
  name: string;
  arguments?: Record<string, unknown>;
}

/**
 * Runs one plain call for a session; undefined when the session leaves it to
 * the SDK server. The controller serves that call alone (the pool may abort
 * it at the call's deadline).
 */
export type DirectCall = (
  params: PlainCallParams,
  requestId: RequestId,
  controller: AbortController,
) => Promise<CallToolResult> | undefined;

/** A plain call: the request and its params. */
export interface PlainCall {
  readonly request: JSONRPCRequest;
  readonly params: PlainCallParams;
}

/**
 * `message` as a plain call when it is one, else undefined. Exactly what the
 * SDK's schemas accept as a `tools/call` request (a string or integer id, a
 * string name, an object of arguments, no other keys) with no `_meta`:
 * anything else goes to the SDK server, to be refused or handled as before.
 */
export function plainCall(message: JSONRPCMessage): PlainCall | undefined {
  const m = message as Record<string, unknown>;
  if (m.method !== 'tools/call' || m.jsonrpc !== '2.0') return undefined;
  const id = m.id;
  if (typeof id !== 'string' && !Number.isInteger(id)) return undefined;
  if (keyCount(m) !== (m.params === undefined ? 3 : 4)) return undefined;
  const params = m.params as Record<string, unknown> | undefined;
  if (typeof params !== 'object' || params === null || typeof params.name !== 'string') {
    return undefined;
  }
  const args = params.arguments;
  const keys = keyCount(params);
  const request = message as JSONRPCRequest;
  if (args === undefined)
    return keys === 1 ? { request, params: { name: params.name } } : undefined;
  if (keys !== 2 || typeof args !== 'object' || args === null || Array.isArray(args)) {
    return undefined;
  }
  return { request, params: { name: params.name, arguments: args as Record<string, unknown> } };
}

function keyCount(object: object): number {
  let keys = 0;
  for (const _ in object) keys++;
  return keys;
}

/** How many unused controllers a session keeps for its next calls. */
const SPARE_CONTROLLERS = 16;

/**
 * The plain calls of one session in flight, each cancellable by its client.
 * A call's controller goes back to a small stock when the call ends without
 * an abort: making an `AbortController` costs Node 20 a few microseconds
 * and a good deal of garbage, on every call. Reuse is safe because nothing
 * keeps the controller after the call: the pool takes its listeners and
 * timer off when the call settles (see `CallOptions.controller`).
 */
export class DirectCalls {
  private readonly live = new Map<RequestId, AbortController>();
  private readonly spare: AbortController[] = [];

  constructor(
    private readonly call: DirectCall,
    /** Delivers the answer of a call, as the SDK server would have sent it. */
    private readonly answer: (message: JSONRPCMessage) => void,
  ) {}

  /** Starts a plain call; false when the session leaves it to the SDK server. */
  start({ request, params }: PlainCall): boolean {
    const id = request.id;
    const controller = this.spare.pop() ?? new AbortController();
    const running = this.call(params, id, controller);
    if (!running) {
      this.spare.push(controller);
      return false;
    }
    this.live.set(id, controller);
    running.then(
      (result) => this.settle(id, controller, { jsonrpc: '2.0', id, result }),
      (error: unknown) => this.settle(id, controller, errorAnswer(id, error)),
    );
    return true;
  }

  /**
   * A `notifications/cancelled` for one of these calls aborts it, and, as the
   * spec asks and the SDK server does, it is never answered.
   */
  cancelled(message: JSONRPCMessage): void {
    if (!('method' in message) || message.method !== 'notifications/cancelled') return;
    const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    if (requestId === undefined) return;
    const controller = this.live.get(requestId);
    if (!controller) return;
    this.live.delete(requestId);
    controller.abort((message.params as { reason?: unknown }).reason);
  }

  /** The session closed: every call stops (its POST is answered by the transport). */
  abortAll(): void {
    const controllers = [...this.live.values()];
    this.live.clear();
    for (const controller of controllers) controller.abort();
  }

  private settle(
    id: RequestId,
    controller: AbortController,
    message: JSONRPCResultResponse | JSONRPCErrorResponse,
  ): void {
    if (this.live.get(id) !== controller) return;
    this.live.delete(id);
    if (!controller.signal.aborted && this.spare.length < SPARE_CONTROLLERS) {
      this.spare.push(controller);
    }
    this.answer(message);
  }
}

/** The error answer the SDK server sends for what a handler threw. */
function errorAnswer(id: RequestId, error: unknown): JSONRPCErrorResponse {
  const { code, message, data } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    data?: unknown;
  };
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: Number.isSafeInteger(code) ? (code as number) : ErrorCode.InternalError,
      message: typeof message === 'string' ? message : 'Internal error',
      ...(data !== undefined ? { data } : {}),
    },
  };
}
