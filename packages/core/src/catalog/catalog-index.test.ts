import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ServerCatalog } from '../spec/catalog.js';
import { AmbiguousNameError, UnknownCapabilityError } from '../spec/errors.js';
import { CatalogIndex } from './catalog-index.js';

function tool(name: string, props: Record<string, object> = { a: { type: 'number' } }): Tool {
  return { name, inputSchema: { type: 'object', properties: props } };
}

function catalog(tools: Tool[]): ServerCatalog {
  return { tools, resources: [], resourceTemplates: [], prompts: [], fetchedAt: 1 };
}

const all = () => true;

describe('CatalogIndex', () => {
  it('lists a tool offered identically by replicas once and routes to all of them', () => {
    const index = new CatalogIndex();
    index.set('a', catalog([tool('add')]));
    index.set('b', catalog([tool('add')]));
    expect(index.listTools(all).map((t) => t.name)).toEqual(['add']);
    expect(index.routeTool('add', all)).toEqual({ servers: ['a', 'b'], upstreamName: 'add' });
  });

  it('prefixes on conflict, never picks a winner silently, and reports the new conflict', () => {
    const index = new CatalogIndex();
    index.set('a', catalog([tool('search', { q: { type: 'string' } })]));
    const conflicts = index.set('b', catalog([tool('search', { query: { type: 'string' } })]));
    expect(conflicts).toEqual([{ kind: 'tool', name: 'search', servers: ['a', 'b'] }]);
    expect(
      index
        .listTools(all)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['a__search', 'b__search']);
    expect(() => index.routeTool('search', all)).toThrow(AmbiguousNameError);
    expect(() => index.routeTool('search', all)).toThrow(/"a__search", "b__search"/);
    expect(index.routeTool('b__search', all)).toEqual({ servers: ['b'], upstreamName: 'search' });
  });

  it('reports a conflict only once, when it appears', () => {
    const index = new CatalogIndex();
    index.set('a', catalog([tool('x', { p: {} })]));
    expect(index.set('b', catalog([tool('x', { q: {} })]))).toHaveLength(1);
    expect(index.set('b', catalog([tool('x', { q: {} }), tool('y')]))).toHaveLength(0);
  });

  it('reports a conflict again after it went away and came back, and forgets removed servers', () => {
    const index = new CatalogIndex();
    index.set('a', catalog([tool('x', { p: {} })]));
    expect(index.set('b', catalog([tool('x', { q: {} })]))).toHaveLength(1);
    expect(index.set('b', catalog([tool('x', { p: {} })]))).toHaveLength(0);
    expect(index.listConflicts()).toEqual([]);
    expect(index.set('b', catalog([tool('x', { q: {} })]))).toEqual([
      { kind: 'tool', name: 'x', servers: ['a', 'b'] },
    ]);
    index.delete('b');
    expect(index.listConflicts()).toEqual([]);
    expect(index.set('c', catalog([tool('x', { r: {} })]))).toEqual([
      { kind: 'tool', name: 'x', servers: ['a', 'c'] },
    ]);
  });

  it('always prefixes under the `always` policy, with a custom separator', () => {
    const index = new CatalogIndex({ policy: 'always', separator: '.' });
    index.set('a', catalog([tool('add')]));
    index.set('b', catalog([tool('add')]));
    expect(index.listTools(all).map((t) => t.name)).toEqual(['a.add', 'b.add']);
    expect(index.routeTool('a.add', all)).toEqual({ servers: ['a'], upstreamName: 'add' });
  });

  it('leaves conflicting names out under the `reject` policy', () => {
    const index = new CatalogIndex({ policy: 'reject' });
    index.set('a', catalog([tool('x', { p: {} }), tool('ok')]));
    index.set('b', catalog([tool('x', { q: {} })]));
    expect(index.listTools(all).map((t) => t.name)).toEqual(['ok']);
    expect(() => index.routeTool('x', all)).toThrow(AmbiguousNameError);
  });

  it('keeps prefixed names within 128 characters and unique', () => {
    const index = new CatalogIndex();
    const long = 'n'.repeat(127);
    index.set('server-one', catalog([tool(long, { p: {} })]));
    index.set('server-two', catalog([tool(long, { q: {} })]));
    const names = index.listTools(all).map((t) => t.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(128);
      expect(n).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(index.routeTool(n, all).upstreamName).toBe(long);
    }
  });

  it('only lists tools of the servers included', () => {
    const index = new CatalogIndex();
    index.set('a', catalog([tool('onlyA')]));
    index.set('b', catalog([tool('onlyB')]));
    expect(index.listTools((id) => id === 'b').map((t) => t.name)).toEqual(['onlyB']);
  });

  it('names what is offered for an unknown tool', () => {
    const index = new CatalogIndex();
    index.set('a', catalog([tool('add'), tool('echo')]));
    expect(() => index.routeTool('nope', all)).toThrow(UnknownCapabilityError);
    expect(() => index.routeTool('nope', all)).toThrow(/Offered: add, echo/);
  });

  it('routes resources by listed URI, then by template', () => {
    const index = new CatalogIndex();
    index.set('a', {
      ...catalog([]),
      resources: [{ uri: 'file:///a.txt', name: 'a' }],
      resourceTemplates: [{ uriTemplate: 'items://{id}', name: 'items' }],
    });
    index.set('b', { ...catalog([]), resources: [{ uri: 'file:///b.txt', name: 'b' }] });
    expect(index.routeResource('file:///b.txt')).toEqual(['b']);
    expect(index.routeResource('items://42')).toEqual(['a']);
    expect(index.routeResource('other://x')).toBeUndefined();
    expect(index.listResources(all).map((r) => r.uri)).toEqual(['file:///a.txt', 'file:///b.txt']);
  });
});
