import { rename, writeFile } from 'node:fs/promises';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { fileSource } from './file-source.js';
import { type Replica, sourceContract, watchSource } from './test-contract.js';

const cleanup = useCleanup();
const tmp = useTempDir('mcpool-file-source-');
let files = 0;
/** A new file's path in the test folder. */
const newPath = () => tmp.path(`servers-${++files}.json`);

function document(replicas: readonly Replica[]): string {
  return JSON.stringify({
    mcpServers: Object.fromEntries(
      replicas.map((r) => [r.name, { url: `http://${r.host}:${r.port}/mcp` }]),
    ),
  });
}

/** Writes like an editor: a new file renamed over the old one. */
async function replace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

sourceContract('fileSource', async (replicas) => {
  const path = newPath();
  let current = replicas;
  await writeFile(path, document(replicas));
  return {
    source: fileSource(path),
    publish: async (next) => {
      current = next;
      await replace(path, document(next));
    },
    breakSource: () => replace(path, '{ "mcpServers": { "r1": '),
    repair: () => replace(path, document(current)),
    close: async () => {},
  };
});

/** A pool that discovery fills from the file at `path`, ready, with the errors it reported. */
const watch = (path: string) => watchSource(fileSource(path), cleanup);

describe('fileSource', () => {
  it('keeps the last good set on a broken edit and names the file', async () => {
    const path = newPath();
    await writeFile(path, document([{ name: 'a', host: '127.0.0.2', port: 1 }]));
    const { pool, errors } = await watch(path);
    await writeFile(path, '{ "mcpServers": ');
    await waitFor(() => errors.length > 0, { timeoutMs: 5_000 });
    expect(errors[0]?.message).toContain(path);
    expect(errors[0]?.message).toMatch(/not valid JSON/);
    expect(pool.servers().map((s) => s.id)).toEqual(['a']);
  });

  it('skips a bad entry, names it, and uses the others', async () => {
    const path = newPath();
    await writeFile(
      path,
      JSON.stringify({
        mcpServers: { good: { url: 'http://127.0.0.2:1/mcp' }, bad: { url: 'not a url' } },
      }),
    );
    const { pool, errors } = await watch(path);
    expect(pool.servers().map((s) => s.id)).toEqual(['good']);
    expect(errors.map((e) => e.message).join()).toContain(`${path}#mcpServers.bad`);
    expect((errors[0] as { code?: string }).code).toBe('DISCOVERY_INVALID_ENTRY');
  });

  it('reports a missing file with its path', async () => {
    await expect(fileSource('/nonexistent/mcp.json').resolve()).rejects.toThrow(
      /cannot read \/nonexistent\/mcp\.json/,
    );
  });
});
