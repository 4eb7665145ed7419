import { afterAll, afterEach } from 'vitest';

/** Something a test opened: a pool, a client, a server, or a closing function. */
export type Closable = { close(): unknown } | (() => unknown);

/** Registers what a test opened, to be closed after it. */
export interface Cleanup {
  /** Closes `thing` (and `more`) after the current test, last registered first; returns `thing`. */
  <T extends Closable>(thing: T, ...more: Closable[]): T;
  /** Closes everything registered so far, now. */
  run(): Promise<void>;
}

/**
 * One cleanup list for a test file: everything registered is closed after
 * each test, last opened first, even when the test failed. Call it once at
 * the top of the file (it registers an `afterEach`), or in a `describe`
 * whose tests share what a `beforeAll` opened with `useCleanup('all')`
 * (closed once, after the last test).
 */
export function useCleanup(after: 'each' | 'all' = 'each'): Cleanup {
  const list: Closable[] = [];
  const cleanup = (<T extends Closable>(thing: T, ...more: Closable[]): T => {
    list.push(thing, ...more);
    return thing;
  }) as Cleanup;
  cleanup.run = async () => {
    for (const thing of list.splice(0).reverse()) {
      await (typeof thing === 'function' ? thing() : thing.close());
    }
  };
  (after === 'all' ? afterAll : afterEach)(cleanup.run);
  return cleanup;
}
