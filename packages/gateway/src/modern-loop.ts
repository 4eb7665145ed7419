import type {
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type JSONRPCMessage,
  type JSONRPCNotification,
  LATEST_PROTOCOL_VERSION,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from './version.js';

/** What the in-process session answered: a result or a JSON-RPC error. */
export type LoopAnswer =
  | { result: Record<string, unknown>; error?: undefined }
  | { result?: undefined; error: { code: number; message: string; data?: unknown } };

interface Pending {
  resolve(answer: LoopAnswer): void;
  onNotification: ((notification: JSONRPCNotification) => void) | undefined;
}

/**
 * The transport of the gateway's in-process session that serves modern
 * (2026-07-28) requests: each modern request is handed to the session's SDK
 * `Server` as one JSON-RPC message and its answer comes back here, with no
 * serialization on the way. Notifications tied to a request (progress) go to
 * that request's listener; the others (list changes, resource updates) to
 * `unsolicited`.
 */
export class LoopTransport implements Transport {
  sessionId: string | undefined;
  onclose: (() => void) | undefined;
  onerror: ((error: Error) => void) | undefined;
  onmessage: ((message: JSONRPCMessage) => void) | undefined;
  private readonly pending = new Map<RequestId, Pending>();
  private next = 0;
  private closed = false;

  constructor(private readonly unsolicited: (notification: JSONRPCNotification) => void) {}

  async start(): Promise<void> {}

  /** Initializes the session as a client without capabilities (a modern client has no session to ask back on). */
  async initialize(): Promise<void> {
    const answer = await this.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mcpool-modern-front', version: VERSION },
    });
    if (answer.error) throw new Error(answer.error.message);
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  /**
   * Sends one request to the session; an abort of `signal` sends
   * `notifications/cancelled` and settles with a cancellation error.
   */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: {
      signal?: AbortSignal | undefined;
      onNotification?: ((notification: JSONRPCNotification) => void) | undefined;
    } = {},
  ): Promise<LoopAnswer> {
    if (this.closed) {
      return Promise.resolve({ error: { code: -32000, message: 'The gateway is closing.' } });
    }
    const id = `modern-${++this.next}`;
    const { signal } = options;
    return new Promise<LoopAnswer>((resolve) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.onmessage?.({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: 'The client cancelled the request.' },
        });
        resolve({ error: { code: -32800, message: 'Request cancelled' } });
      };
      this.pending.set(id, {
        resolve: (answer) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(answer);
        },
        onNotification: options.onNotification,
      });
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        method,
        ...(params === undefined ? {} : { params }),
      });
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    // Built by the session's own `Protocol`: its keys tell its kind, with no zod parse of each answer.
    if ('result' in message || 'error' in message) {
      const id = message.id as RequestId;
      const pending = this.pending.get(id);
      if (!pending) return;
      this.pending.delete(id);
      pending.resolve(
        'result' in message
          ? { result: message.result as Record<string, unknown> }
          : { error: message.error },
      );
      return;
    }
    if ('id' in message) {
      // No capability was declared, so the session asks nothing of this client; answer just in case.
      this.onmessage?.({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32601, message: 'A modern client cannot be asked requests.' },
      });
      return;
    }
    const related = options?.relatedRequestId;
    const pending = related === undefined ? undefined : this.pending.get(related);
    if (pending) pending.onNotification?.(message);
    else if (related === undefined) this.unsolicited(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.pending.values()) {
      pending.resolve({ error: { code: -32000, message: 'The gateway is closing.' } });
    }
    this.pending.clear();
    this.onclose?.();
  }
}
