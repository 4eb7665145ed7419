import { EventEmitter } from 'eventemitter3';
import type { PoolEvents } from '../spec/events.js';

interface Registration {
  fn: (...args: unknown[]) => void;
  context: unknown;
  once: boolean;
}

/**
 * An EventEmitter whose listeners cannot break the emitter: a listener that
 * throws is reported (by default as the emitter's own `pool:error`) and the
 * other listeners still run. `once` and listener contexts work as in
 * eventemitter3. The pool, the health checker, the breakers and the alert
 * monitor all emit through it; the last three report to their pool.
 */
export class SafeEmitter<Events extends object = PoolEvents> extends EventEmitter<Events> {
  override emit<K extends EventEmitter.EventNames<Events>>(
    event: K,
    ...args: EventEmitter.EventArgs<Events, K>
  ): boolean {
    // eventemitter3 keeps one registration or an array of them under the
    // (optionally prefixed) event name; walk a copy so removals are safe.
    const key = EventEmitter.prefixed ? `${EventEmitter.prefixed}${String(event)}` : event;
    const entry = (this as unknown as { _events: Record<string, Registration | Registration[]> })
      ._events[key as string];
    if (!entry) return false;
    if (!Array.isArray(entry)) {
      this.call(event, entry, args);
      return true;
    }
    for (const r of [...entry]) this.call(event, r, args);
    return true;
  }

  /**
   * Told of a listener that threw. The default reports it as this emitter's
   * own `pool:error` (never for `pool:error` itself, which would loop).
   */
  protected listenerFailed(event: string, error: unknown): void {
    if (event === 'pool:error') return;
    (this as unknown as EventEmitter<PoolEvents>).emit('pool:error', {
      source: `listener of ${event}`,
      error,
    });
  }

  private call(event: unknown, r: Registration, args: unknown[]): void {
    if (r.once) this.removeListener(event as never, r.fn as never, undefined, true);
    try {
      r.fn.apply(r.context, args);
    } catch (error) {
      this.listenerFailed(String(event), error);
    }
  }
}
