import { getEventListeners } from 'node:events';

/** Abort listeners attached to AbortSignals that are still alive. */
export interface SignalCensus {
  /** Live signals that ever had an abort listener. */
  signals: number;
  /** Abort listeners attached to them now. */
  listeners: number;
  /** Most listeners on one signal. */
  maxOnOne: number;
}

export interface SignalTracker {
  census(): SignalCensus;
  /** Signals that got their first abort listener since the tracker was installed. */
  created(): number;
  uninstall(): void;
}

/**
 * Watches every `addEventListener('abort', ...)` on an AbortSignal (by
 * patching EventTarget.prototype), keeping a weak reference to the signal, so
 * that the listeners still attached to live signals can be counted at any
 * time. Costs about a microsecond per new signal: install it only around a
 * leak measurement.
 */
export function trackAbortSignals(): SignalTracker {
  const proto = EventTarget.prototype;
  const original = proto.addEventListener;
  // A mark on the signal itself rather than a WeakSet: a WeakSet's table keeps the
  // capacity it grew to, which would show up as heap growth in the measurement.
  const seen = Symbol('mcpool-bench-seen');
  let refs = new Set<WeakRef<AbortSignal>>();
  let pruneAt = 10_000;
  let created = 0;
  proto.addEventListener = function patched(
    this: EventTarget,
    type: string,
    ...rest: unknown[]
  ): void {
    if (type === 'abort' && this instanceof AbortSignal && !(seen in this)) {
      Object.defineProperty(this, seen, { value: true });
      created++;
      refs.add(new WeakRef(this));
      if (refs.size >= pruneAt) {
        const alive = new Set<WeakRef<AbortSignal>>();
        for (const ref of refs) if (ref.deref() !== undefined) alive.add(ref);
        refs = alive;
        pruneAt = Math.max(10_000, refs.size * 2);
      }
    }
    (original as (...args: unknown[]) => void).call(this, type, ...rest);
  };
  return {
    census: () => {
      let signals = 0;
      let listeners = 0;
      let maxOnOne = 0;
      const alive = new Set<WeakRef<AbortSignal>>();
      for (const ref of refs) {
        const signal = ref.deref();
        if (!signal) continue;
        alive.add(ref);
        signals++;
        const n = getEventListeners(signal, 'abort').length;
        listeners += n;
        if (n > maxOnOne) maxOnOne = n;
      }
      refs = alive;
      return { signals, listeners, maxOnOne };
    },
    created: () => created,
    uninstall: () => {
      proto.addEventListener = original;
    },
  };
}

/** Active libuv handles and requests by type (`process.getActiveResourcesInfo()`). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

export function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if ((a[k] ?? 0) !== (b[k] ?? 0)) return false;
  return true;
}
