import type { PoolEvents, ServerPool } from '@mcpool/core';
import { type Attributes, context, ROOT_CONTEXT, SpanKind, type Tracer } from '@opentelemetry/api';
import { ATTR } from './attributes.js';
import type { AttemptNote } from './call-trace.js';
import type { ResolvedTracingOptions } from './options.js';

/**
 * Follows a pool's events: retries and fallbacks become notes for the attempt
 * that follows each, and changes of server state and membership become short
 * spans of their own (they belong to no call, so they start their own trace).
 * Returns what stops following.
 */
export function followPoolEvents(
  pool: ServerPool,
  tracer: Tracer,
  options: ResolvedTracingOptions,
  note: (note: AttemptNote) => void,
): () => void {
  const offs: (() => void)[] = [];
  const on = <K extends keyof PoolEvents>(event: K, listener: (...args: PoolEvents[K]) => void) => {
    pool.on(event, listener as never);
    offs.push(() => pool.off(event, listener as never));
  };
  const mark = (name: string, attributes: Attributes, parent = ROOT_CONTEXT) => {
    tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent).end();
  };
  on('request:retry', (e) => note({ kind: 'retry', ...e, from: e.from, target: e.target }));
  on('request:fallback', (e) => note({ kind: 'fallback', ...e, from: e.from, target: e.target }));
  if (options.serverState) {
    on('server:unhealthy', (e) =>
      mark('mcpool server unhealthy', {
        [ATTR.serverId]: e.serverId,
        [ATTR.source]: e.source,
        [ATTR.reason]: e.reason,
      }),
    );
    on('server:healthy', (e) =>
      mark('mcpool server healthy', {
        [ATTR.serverId]: e.serverId,
        [ATTR.source]: e.source,
        [ATTR.reason]: e.reason,
      }),
    );
    on('server:connected', (e) =>
      mark('mcpool server connected', {
        [ATTR.serverId]: e.serverId,
        ...(e.sessionId ? { [ATTR.sessionId]: e.sessionId } : {}),
      }),
    );
    on('server:disconnected', (e) =>
      mark('mcpool server disconnected', { [ATTR.serverId]: e.serverId, [ATTR.reason]: e.reason }),
    );
    // Inside the call that panicked, when a context manager carries it there.
    on('pool:panic', (e) =>
      mark(
        'mcpool pool panic',
        { [ATTR.methodName]: e.method, 'mcpool.servers': [...e.servers] },
        context.active(),
      ),
    );
  }
  if (options.discovery) {
    on('server:added', (e) =>
      mark('mcpool server added', {
        [ATTR.serverId]: e.server.id,
        [ATTR.serverName]: e.server.name,
      }),
    );
    on('server:removed', (e) => mark('mcpool server removed', { [ATTR.serverId]: e.serverId }));
    on('catalog:changed', (e) => mark('mcpool catalog changed', { [ATTR.serverId]: e.serverId }));
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
