import { startInProcessServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import type { RequestInfo } from '../spec/server.js';
import { useCleanup } from '../testing/index.js';
import { ServerPool } from './server-pool.js';

const cleanup = useCleanup();

describe('attempt middleware', () => {
  it('sends the request of the context it hands to next(), and later middleware sees it', async () => {
    const server = startInProcessServer({ id: 'a' });
    const pool = new ServerPool({ servers: [{ id: 'a', transport: server.transport }] });
    cleanup(
      () => server.close(),
      () => pool.close(),
    );
    const seen: unknown[] = [];
    pool.use({
      name: 'stamp',
      attempt: (context, next) => {
        const params = context.request.params as { _meta?: Record<string, unknown> };
        const request: RequestInfo = {
          ...context.request,
          params: { ...params, _meta: { ...params._meta, traceparent: 'stamped' } },
        };
        return next({ ...context, request });
      },
    });
    pool.use({
      name: 'look',
      attempt: (context, next) => {
        seen.push((context.request.params as { _meta?: unknown })._meta);
        return next();
      },
    });
    await pool.start();
    const client = new MultiServerClient(pool);
    const params = { name: 'add', arguments: { a: 1, b: 2 } };
    await client.callTool(params);
    expect(server.state.metas.at(-1)).toEqual({ traceparent: 'stamped' });
    expect(seen).toEqual([{ traceparent: 'stamped' }]);
    // The caller's own params object is left as it was.
    expect(params).toEqual({ name: 'add', arguments: { a: 1, b: 2 } });
  });

  it('sends the original request when next() is called without a context', async () => {
    const server = startInProcessServer({ id: 'a' });
    const pool = new ServerPool({ servers: [{ id: 'a', transport: server.transport }] });
    cleanup(
      () => server.close(),
      () => pool.close(),
    );
    pool.use({ name: 'plain', attempt: (_context, next) => next() });
    await pool.start();
    const client = new MultiServerClient(pool);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 }, _meta: { mine: 1 } });
    expect(server.state.metas.at(-1)).toEqual({ mine: 1 });
  });
});
