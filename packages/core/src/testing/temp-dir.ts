import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A temporary folder for a test file's config and data files. */
export interface TempDir {
  /** The folder (set once the file's tests start). */
  readonly dir: string;
  /** A path inside the folder (`path('logs', 'a.log')`). */
  path(...names: string[]): string;
  /** Writes `content` (as JSON unless a string) to `name` in the folder; returns its path. */
  write(name: string, content: unknown): Promise<string>;
}

/**
 * One temporary folder for a test file, made before its tests and removed
 * with everything in it after them. Call it once at the top of the file.
 */
export function useTempDir(prefix = 'mcpool-test-'): TempDir {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const temp: TempDir = {
    get dir() {
      if (!dir) throw new Error('useTempDir: the folder exists only while the tests run');
      return dir;
    },
    path: (...names) => join(temp.dir, ...names),
    async write(name, content) {
      const file = temp.path(name);
      await writeFile(
        file,
        typeof content === 'string' ? content : JSON.stringify(content, null, 2),
      );
      return file;
    },
  };
  return temp;
}
