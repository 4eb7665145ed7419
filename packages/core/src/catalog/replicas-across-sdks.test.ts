import { resultText, startHttpServer, startV2HttpServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { ServerPool } from '../pool/server-pool.js';
import { useCleanup } from '../testing/index.js';
import { CatalogIndex } from './catalog-index.js';

const cleanup = useCleanup();

describe('replicas across SDK versions', () => {
  it('routes a tool offered by a v1 and a v2 server to both, though their schemas name different dialects', async () => {
    const v1 = cleanup(await startHttpServer({ id: 'one', toolNames: ['add'] }));
    const v2 = cleanup(await startV2HttpServer({ id: 'two', toolNames: ['add'] }));
    const pool = cleanup(new ServerPool());
    pool.addServer({ id: 'one', transport: v1.transport });
    pool.addServer({ id: 'two', transport: v2.transport });
    await pool.start({ strict: true });
    const client = cleanup(new MultiServerClient(pool));

    const dialects = ['one', 'two'].map(
      (id) => pool.catalog.get(id)?.tools.find((t) => t.name === 'add')?.inputSchema.$schema,
    );
    // The premise: the SDKs write different dialects for the same zod shape.
    expect(dialects[0]).toMatch(/draft-07/);
    expect(dialects[1]).toMatch(/2020-12/);

    const tools = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['add']);
    expect(pool.catalog.listConflicts()).toEqual([]);
    for (let i = 0; i < 4; i++) {
      expect(resultText(await client.callTool({ name: 'add', arguments: { a: 2, b: i } }))).toBe(
        String(2 + i),
      );
    }
    expect(v1.state.calls.add).toBeGreaterThan(0);
    expect(v2.state.calls.add).toBeGreaterThan(0);
  });

  it('still tells tools apart whose schemas differ beyond the dialect', () => {
    const index = new CatalogIndex();
    const schema = (props: Record<string, object>, dialect: string) => ({
      type: 'object' as const,
      properties: props,
      $schema: dialect,
    });
    const catalog = (props: Record<string, object>, dialect: string) => ({
      tools: [{ name: 'add', inputSchema: schema(props, dialect) }],
      resources: [],
      resourceTemplates: [],
      prompts: [],
      fetchedAt: 1,
    });
    const draft7 = 'http://json-schema.org/draft-07/schema#';
    const draft2020 = 'https://json-schema.org/draft/2020-12/schema';
    index.set('a', catalog({ a: { type: 'number' } }, draft7));
    index.set('b', catalog({ a: { type: 'number' } }, draft2020));
    expect(index.routeTool('add', () => true).servers).toEqual(['a', 'b']);
    const conflicts = index.set('b', catalog({ a: { type: 'string' } }, draft2020));
    expect(conflicts).toEqual([{ kind: 'tool', name: 'add', servers: ['a', 'b'] }]);
  });
});
