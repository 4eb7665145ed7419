import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * A fetch for the SDK's Streamable HTTP transport that gives every request an
 * AbortSignal of its own, linked to the transport's.
 *
 * The transport passes one long-lived signal (aborted by `close()`) to all of
 * a session's requests. Node's fetch (undici) adds an abort listener to it per
 * request, drops that listener only when the request is garbage collected, and
 * before each request lists the listeners already there. On a busy session
 * thousands pile up: every request pays for listing them, and Node prints a
 * MaxListenersExceededWarning for each one past 1,500. Here the transport's
 * signal carries one listener, whatever the traffic; aborting it still aborts
 * every request and every response stream still being read.
 */
export function ownSignalFetch(base: FetchLike = fetch): FetchLike {
  /** Per transport signal: the controllers of its requests whose responses may still be read. */
  const links = new WeakMap<AbortSignal, Set<AbortController>>();
  // A response body that nobody reads any more cannot need aborting.
  const done = new FinalizationRegistry<{
    open: Set<AbortController>;
    controller: AbortController;
  }>(({ open, controller }) => open.delete(controller));
  return async (url, init) => {
    const shared = init?.signal;
    if (!shared || shared.aborted) return base(url, init);
    let open = links.get(shared);
    if (!open) {
      const controllers = new Set<AbortController>();
      open = controllers;
      links.set(shared, controllers);
      shared.addEventListener(
        'abort',
        () => {
          for (const c of controllers) c.abort(shared.reason);
          controllers.clear();
        },
        { once: true },
      );
    }
    const controller = new AbortController();
    open.add(controller);
    let response: Response;
    try {
      response = await base(url, { ...init, signal: controller.signal });
    } catch (error) {
      open.delete(controller);
      throw error;
    }
    if (response.body) done.register(response.body, { open, controller });
    else open.delete(controller);
    return response;
  };
}
