import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/*
 * Requests sent with a signal shared by many calls (see call/call.ts for
 * why calls share signals). The SDK is not given a shared signal: it would
 * add an abort listener per request and never take it off. Instead the
 * request waits in the shared signal's own list while pending.
 */

/** One pending request: `cancel` rejects it and tells its server. */
export interface Cancellable {
  cancel(reason: unknown): void;
}

/** Shared signals, each with its requests still pending. */
const shared = new WeakMap<AbortSignal, Set<Cancellable>>();

export function markShared(signal: AbortSignal): void {
  const pending = new Set<Cancellable>();
  shared.set(signal, pending);
  signal.addEventListener(
    'abort',
    () => {
      for (const request of pending) request.cancel(signal.reason);
      pending.clear();
    },
    { once: true },
  );
}

/** The requests pending on `signal` when it is a shared one (see `markShared`), else undefined. */
export function sharedCancels(signal: AbortSignal): Set<Cancellable> | undefined {
  return shared.get(signal);
}

/** The id of the request a recorded transport sent last, read right after sending. */
let lastRequestId: RequestId | undefined;

/**
 * The JSON-RPC id of the request `sendCancellable` just sent, read in the same
 * tick as the send; undefined when nothing was sent (an aborted signal).
 */
export function sentRequestId(): RequestId | undefined {
  return lastRequestId;
}

/**
 * Notes the id of every request `transport` sends, for `sendCancellable`. The
 * SDK sends a request synchronously inside `request()`, so the id is there to
 * read as soon as the SDK call returns its promise.
 */
export function recordRequestIds(transport: Transport): void {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if ('method' in message && 'id' in message) lastRequestId = message.id;
    return send(message, options);
  };
}

/**
 * Sends one SDK request with a signal of its own that follows the caller's.
 * The SDK adds an abort listener to the signal it is given and never takes it
 * off; on a caller's signal that outlives the request (a controller reused
 * for the next call, see `CallOptions.controller`) those would pile up, and
 * a later abort would cancel requests long answered. The follower comes off
 * when the request settles.
 */
function sendFollowing<T>(
  signal: AbortSignal,
  send: (signal: AbortSignal | undefined) => Promise<T>,
  record: { requestId?: RequestId | undefined } | undefined,
): Promise<T> {
  const own = new AbortController();
  const follow = () => own.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  const sent = send(own.signal);
  if (record) record.requestId = lastRequestId;
  return sent.finally(() => signal.removeEventListener('abort', follow));
}

/**
 * Sends one SDK request with `signal`. A shared signal is not handed to the
 * SDK (see above): the request waits in the signal's list, and when the signal
 * aborts it is rejected with the signal's reason and `tell` sends the server
 * `notifications/cancelled` for it. A request that has settled is off the
 * list, so its server never hears of a cancel for it.
 */
export function sendCancellable<T>(
  signal: AbortSignal | undefined,
  send: (signal: AbortSignal | undefined) => Promise<T>,
  tell: (requestId: RequestId, reason: unknown) => void,
  /** Where to write the JSON-RPC id of what was sent (what `sentRequestId` reads after). */
  record?: { requestId?: RequestId | undefined },
): Promise<T> {
  lastRequestId = undefined;
  if (signal === undefined) {
    const direct = send(undefined);
    if (record) record.requestId = lastRequestId;
    return direct;
  }
  const pending = shared.get(signal);
  if (!pending) return sendFollowing(signal, send, record);
  if ((signal as AbortSignal).aborted) {
    if (record) record.requestId = undefined;
    return Promise.reject((signal as AbortSignal).reason);
  }
  const sent = send(undefined);
  const id = lastRequestId;
  if (record) record.requestId = id;
  return new Promise<T>((resolve, reject) => {
    const cancel: Cancellable = {
      cancel(reason) {
        if (id !== undefined) tell(id, reason);
        reject(reason);
      },
    };
    pending.add(cancel);
    sent.then(
      (value) => {
        pending.delete(cancel);
        resolve(value);
      },
      (error: unknown) => {
        pending.delete(cancel);
        reject(error);
      },
    );
  });
}
