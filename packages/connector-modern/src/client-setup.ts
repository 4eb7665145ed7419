import type { ConnectOptions } from '@mcpool/core';
import type {
  Client,
  ClientCapabilities,
  DiscoverResult,
  PriorDiscovery,
} from '@modelcontextprotocol/client';

/*
 * What a connect hands the v2 client: the kept verdict as its prior, the capabilities the
 * pool's handlers allow, the handlers themselves; and a signal per request.
 */

export function priorFor(options: ConnectOptions): PriorDiscovery | undefined {
  const prior = options.prior;
  if (prior === undefined) return undefined;
  if (prior.kind === 'modern') {
    return { kind: 'modern', discover: prior.discover as unknown as DiscoverResult };
  }
  // A pinned server must fail loudly on a legacy server, never adopt a legacy verdict.
  return options.protocol === '2026-07-28' ? undefined : { kind: 'legacy' };
}

export function capabilitiesFor(options: ConnectOptions): ClientCapabilities {
  const capabilities: ClientCapabilities = {};
  if (options.handlers.sampling) capabilities.sampling = {};
  if (options.handlers.elicitation) capabilities.elicitation = {};
  if (options.handlers.roots) capabilities.roots = { listChanged: true };
  return capabilities;
}

/** Answers sampling, elicitation and roots requests of a legacy-era server with the pool's handlers. */
export function installHandlers(client: Client, options: ConnectOptions): void {
  const { handlers, serverId } = options;
  const context = (signal: AbortSignal) => ({ serverId, signal });
  // biome-ignore lint/suspicious/noExplicitAny: the v1 and v2 SDKs' request shapes are the same JSON
  type Any = any;
  if (handlers.sampling) {
    const handler = handlers.sampling;
    client.setRequestHandler('sampling/createMessage', (request: Any, ctx: Any) =>
      handler(request.params, context(ctx.mcpReq.signal)),
    );
  }
  if (handlers.elicitation) {
    const handler = handlers.elicitation;
    client.setRequestHandler('elicitation/create', (request: Any, ctx: Any) =>
      handler(request.params, context(ctx.mcpReq.signal)),
    );
  }
  if (handlers.roots) {
    const handler = handlers.roots;
    client.setRequestHandler('roots/list', (_request: Any, ctx: Any) =>
      handler(context(ctx.mcpReq.signal)),
    );
  }
}

/** A request signal of its own, following the caller's, so the SDK never holds a shared one. */
export function ownSignal(parent: AbortSignal | undefined): {
  signal: AbortSignal;
  release: () => void;
} {
  const controller = new AbortController();
  if (parent === undefined) return { signal: controller.signal, release: () => {} };
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    release: () => parent.removeEventListener('abort', onAbort),
  };
}
