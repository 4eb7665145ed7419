import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RequestOptions } from '../spec/connector.js';
import { type Cancellable, sharedCancels } from './cancellable-requests.js';
import { type ClientInternals, checkToolResult, SCHEMAS, type Schema } from './result-checks.js';

/*
 * The requests of a call (`tools/call`, `resources/read`, `prompts/get`,
 * `completion/complete`) sent by the pool itself on a legacy session's
 * transport, without the SDK client's generic request path (a zod parse of
 * every message, a timer and an abort listener per request). Results are
 * checked as the SDK client checks them: its schema (for a plain tool result
 * a shape check that accepts exactly what the schema returns unchanged), and
 * a tool's `outputSchema`. The SDK client keeps everything else: initialize,
 * the lists (`tools/list` caches the output schemas), notifications, requests
 * from the server, and the requests this path leaves to it (with
 * `onprogress`, to a tool that requires tasks). A request with a signal of
 * the pool's shared ones waits in that signal's list; one with a signal of
 * its own (a gateway's downstream request, say) listens to it while pending
 * and takes its listener off when it settles. Its ids are strings (`mcpool-1`, ...), the
 * SDK's are numbers: they cannot collide. One timer per session serves every
 * deadline.
 */

const ID_PREFIX = 'mcpool-';

type Settle = (value: unknown) => void;

/** One request sent on the direct path and not answered yet. */
class Pending implements Cancellable {
  constructor(
    private readonly owner: DirectRequests,
    readonly id: string,
    /** The tool's name for `tools/call`, else the method. */
    readonly tool: string,
    /** The result's schema, but for `tools/call`. */
    readonly schema: Schema | undefined,
    readonly resolve: Settle,
    readonly reject: Settle,
    /** When it times out, as `performance.now()`. */
    readonly deadline: number,
    readonly timeout: number,
    readonly cancels: Set<Cancellable> | undefined,
    /** A signal of the caller's own, listened to while pending (this object is the listener). */
    readonly own: AbortSignal | undefined,
  ) {}

  /** Its shared signal aborted: reject with the signal's reason and tell the server. */
  cancel(reason: unknown): void {
    this.owner.cancel(this, reason, reason);
  }

  /** Its own signal aborted. */
  handleEvent(): void {
    this.cancel(this.own?.reason);
  }
}

/** The direct path of one SDK client and its transport. */
export class DirectRequests {
  private next = 0;
  private readonly pending = new Map<string, Pending>();
  /** The one timer: armed for the earliest deadline pending (or one that was). */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private ended = false;
  /** What this path needs of the SDK client; undefined when it cannot be used. */
  private internals: ClientInternals | undefined;

  constructor(
    private readonly client: Client,
    private readonly transport: Transport,
  ) {
    const inner = client as unknown as Partial<ClientInternals>;
    // An SDK without what `callTool` uses keeps every call on its own path.
    this.internals =
      typeof inner.isToolTaskRequired === 'function' &&
      typeof inner.getToolOutputValidator === 'function'
        ? (inner as ClientInternals)
        : undefined;
  }

  /**
   * Routes the answers to this path's requests here, and everything else to
   * the SDK client; call once `client.connect()` has set the transport's handlers.
   */
  install(): void {
    const transport = this.transport;
    // A transport whose handlers are accessors (one that wraps the handler it
    // is given, say) would hand back a wrapper that calls whatever is set
    // next: the routing below would call itself. Such a transport keeps every
    // request on the SDK client.
    if (!isDataProperty(transport, 'onmessage') || !isDataProperty(transport, 'onclose')) {
      this.internals = undefined;
      return;
    }
    const sdkMessage = transport.onmessage;
    const sdkClose = transport.onclose;
    transport.onmessage = (message, extra) => {
      const id = (message as { id?: unknown }).id;
      // Anything but an answer (junk with one of its ids, say) is the SDK's to report.
      if (typeof id === 'string' && isAnswer(message)) {
        const pending = this.pending.get(id);
        if (pending) this.answer(pending, message);
        // An answer after a cancel or timeout here is for nobody (the SDK's ids are numbers).
        if (pending || id.startsWith(ID_PREFIX)) return;
      }
      sdkMessage?.(message, extra);
    };
    transport.onclose = () => {
      sdkClose?.();
      this.end();
    };
  }

  /** How many requests wait for an answer on this path. */
  get size(): number {
    return this.pending.size;
  }

  /** Whether the deadline timer is armed. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Sends a request on the direct path and writes its id into `record`;
   * undefined when it is one this path leaves to the SDK client.
   */
  call(
    method: string,
    params: unknown,
    options: RequestOptions,
    record: RequestOptions,
  ): Promise<unknown> | undefined {
    if (options.onprogress || this.ended || !this.internals) return undefined;
    let tool: unknown = method;
    let schema: Schema | undefined;
    if (method === 'tools/call') {
      tool = (params as { name?: unknown } | undefined)?.name;
      if (typeof tool !== 'string' || this.internals.isToolTaskRequired(tool)) return undefined;
    } else {
      schema = SCHEMAS.get(method);
      if (!schema) return undefined;
    }
    const signal = options.signal;
    const cancels = signal ? sharedCancels(signal) : undefined;
    const own = cancels ? undefined : signal;
    if (signal?.aborted) {
      record.requestId = undefined;
      return Promise.reject(signal.reason);
    }
    const id = ID_PREFIX + ++this.next;
    record.requestId = id;
    // The SDK's default when none is given, and its floor of 1 ms.
    const timeout = Math.max(1, options.timeout ?? 60_000);
    return new Promise((resolve, reject) => {
      const pending = new Pending(
        this,
        id,
        tool as string,
        schema,
        resolve,
        reject,
        performance.now() + timeout,
        timeout,
        cancels,
        own,
      );
      this.pending.set(id, pending);
      if (this.pending.size === 1) this.timer?.ref();
      cancels?.add(pending);
      own?.addEventListener('abort', pending, { once: true });
      if (pending.deadline < this.timerAt) this.arm(pending.deadline);
      this.transport
        .send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage)
        .catch((error: unknown) => {
          if (this.pending.get(id) !== pending) return;
          this.drop(pending);
          reject(error);
        });
    });
  }

  /** Rejects a pending request with `error` and tells its server it is cancelled. */
  cancel(pending: Pending, error: unknown, reason: unknown): void {
    if (this.pending.get(pending.id) !== pending) return;
    this.drop(pending);
    this.client
      .notification({
        method: 'notifications/cancelled',
        params: { requestId: pending.id, reason: String(reason) },
      })
      .catch(() => {});
    pending.reject(error);
  }

  /** The session ended: every request pending fails as the SDK's would, and the timer goes. */
  end(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.pending.size === 0) return;
    const error = McpError.fromError(ErrorCode.ConnectionClosed, 'Connection closed');
    const left = [...this.pending.values()];
    for (const pending of left) this.drop(pending);
    for (const pending of left) pending.reject(error);
  }

  private drop(pending: Pending): void {
    this.pending.delete(pending.id);
    pending.cancels?.delete(pending);
    pending.own?.removeEventListener('abort', pending);
    if (this.pending.size === 0) this.timer?.unref();
  }

  private answer(pending: Pending, message: JSONRPCMessage): void {
    this.drop(pending);
    if ('error' in message) {
      const { code, message: text, data } = message.error;
      pending.reject(McpError.fromError(code, text, data));
      return;
    }
    const result = (message as { result?: unknown }).result;
    if (pending.schema) {
      const parsed = pending.schema.safeParse(result);
      if (parsed.success) pending.resolve(parsed.data);
      else pending.reject(parsed.error);
      return;
    }
    try {
      pending.resolve(checkToolResult(this.internals as ClientInternals, pending.tool, result));
    } catch (error) {
      pending.reject(error);
    }
  }

  private arm(deadline: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = deadline;
    const delay = Math.max(1, Math.ceil(deadline - performance.now()));
    this.timer = setTimeout(this.sweep, delay);
  }

  /** Times out what is due and arms the timer for the next deadline, if any. */
  private readonly sweep = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const pending of [...this.pending.values()]) {
      if (pending.deadline <= now + 1) {
        const error = McpError.fromError(ErrorCode.RequestTimeout, 'Request timed out', {
          timeout: pending.timeout,
        });
        this.cancel(pending, error, error);
      } else if (pending.deadline < next) next = pending.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY && !this.ended) this.arm(next);
  };
}

function isDataProperty(target: object, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  return descriptor !== undefined && 'value' in descriptor;
}

/** A JSON-RPC response: a result, or an error object. */
function isAnswer(message: JSONRPCMessage): boolean {
  if ('method' in message) return false;
  if ('result' in message) return true;
  const error = (message as { error?: unknown }).error;
  return typeof error === 'object' && error !== null;
}
