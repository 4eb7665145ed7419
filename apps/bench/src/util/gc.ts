import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let cached: (() => void) | undefined;

/**
 * `global.gc`, also when node was started without `--expose-gc` (the flag is
 * set at run time and the function taken from a fresh context).
 */
export function gcFunction(): () => void {
  if (cached) return cached;
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') {
    cached = global.gc;
    return cached;
  }
  setFlagsFromString('--expose-gc');
  cached = runInNewContext('gc') as () => void;
  return cached;
}

/** Full collections until the heap stops shrinking (weak references and finalizers settle). */
export async function settleHeap(): Promise<number> {
  const gc = gcFunction();
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 16 * 1024) return used;
    last = used;
  }
  return process.memoryUsage().heapUsed;
}
