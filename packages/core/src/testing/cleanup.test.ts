import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useCleanup } from './cleanup.js';
import { useTempDir } from './temp-dir.js';

describe('useCleanup', () => {
  const closed: string[] = [];

  describe('after each test', () => {
    const cleanup = useCleanup();
    it('registers', () => {
      cleanup(() => closed.push('a'), { close: () => closed.push('b') });
      expect(closed).toEqual([]);
    });
    it('closed what the test before registered, last first', () => {
      expect(closed).toEqual(['b', 'a']);
      closed.length = 0;
    });
  });

  describe("after all tests ('all')", () => {
    const cleanup = useCleanup('all');
    it('registers in one test', () => {
      cleanup(() => closed.push('first'));
    });
    it('keeps it open for the next', () => {
      expect(closed).toEqual([]);
      cleanup(() => closed.push('second'));
    });
  });

  it('closes once after the last test of its describe, last first', () => {
    expect(closed).toEqual(['second', 'first']);
  });
});

describe('useTempDir', () => {
  let dir = '';
  afterAll(() => {
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  describe('in a file', () => {
    const tmp = useTempDir('mcpool-temp-dir-');
    it('writes JSON and text into one folder', async () => {
      dir = tmp.dir;
      expect(existsSync(dir)).toBe(true);
      expect(JSON.parse(await readFile(await tmp.write('a.json', { a: 1 }), 'utf8'))).toEqual({
        a: 1,
      });
      expect(await readFile(await tmp.write('b.txt', 'hi'), 'utf8')).toBe('hi');
      expect(tmp.path('logs', 'c.log')).toBe(join(dir, 'logs', 'c.log'));
    });
  });
});
