import { startInProcessServer } from '@mcpool/testkit';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { ServerPool } from '../pool/server-pool.js';
import { useCleanup } from '../testing/index.js';
import { Routes } from './routing.js';

const cleanup = useCleanup();

function catalogWith(annotations: Tool['annotations']) {
  const tool: Tool = { name: 'lookup', inputSchema: { type: 'object' }, annotations };
  return { tools: [tool], resources: [], resourceTemplates: [], prompts: [], fetchedAt: 1 };
}

describe('Routes.isSafeTool', () => {
  it('follows a change of annotations on any offering server, though answers are kept per route', async () => {
    const servers = ['a', 'b'].map((id) => cleanup(startInProcessServer({ id })));
    const pool = new ServerPool({
      servers: servers.map((s) => ({ id: s.state.id, transport: s.transport })),
    });
    cleanup(() => pool.close());
    const routes = new Routes(pool, new Set(), new Set());

    pool.catalog.set('a', catalogWith({ readOnlyHint: true }));
    pool.catalog.set('b', catalogWith({ idempotentHint: true }));
    expect(routes.isSafeTool('lookup')).toBe(true);
    expect(routes.isSafeTool('lookup')).toBe(true);

    // One replica stops saying so: a retry could land there, so the tool is no longer safe.
    pool.catalog.set('b', catalogWith({}));
    expect(routes.isSafeTool('lookup')).toBe(false);

    pool.catalog.set('b', catalogWith({ readOnlyHint: true }));
    expect(routes.isSafeTool('lookup')).toBe(true);

    // The operator's lists still come first.
    expect(new Routes(pool, new Set(), new Set(['lookup'])).isSafeTool('lookup')).toBe(false);
  });
});

describe('Routes.toolCall', () => {
  it('keeps a plan per tool name until a server’s catalog changes, then plans again', async () => {
    const servers = ['a', 'b'].map((id) => cleanup(startInProcessServer({ id })));
    const pool = new ServerPool({
      servers: servers.map((s) => ({ id: s.state.id, transport: s.transport })),
    });
    cleanup(() => pool.close());
    const routes = new Routes(pool, new Set(), new Set());

    pool.catalog.set('a', catalogWith({ readOnlyHint: true }));
    pool.catalog.set('b', catalogWith({ idempotentHint: true }));
    const first = routes.toolCall('lookup', undefined);
    expect(first).toMatchObject({ offering: ['a', 'b'], upstream: 'lookup', safe: true });
    expect(first.description).toBe('tools/call "lookup"');
    // Nothing changed: the same plan, no new object per call.
    expect(routes.toolCall('lookup', undefined)).toBe(first);

    // A replica stops calling it safe: the next call is planned again, and is not safe.
    pool.catalog.set('b', catalogWith({}));
    expect(routes.toolCall('lookup', undefined)).toMatchObject({ safe: false });

    // A replica leaves: the plan no longer offers it.
    pool.catalog.delete('b');
    expect(routes.toolCall('lookup', undefined)).toMatchObject({ offering: ['a'], safe: true });

    // A prefixed name reaches its server, and a pinned call its own.
    expect(routes.toolCall('a__lookup', undefined)).toMatchObject({
      offering: ['a'],
      upstream: 'lookup',
    });
    expect(routes.toolCall('lookup', 'a')).toMatchObject({ offering: ['a'], upstream: 'lookup' });
  });
});
