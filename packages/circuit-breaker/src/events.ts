import type { SafeEmitter } from '@mcpool/core';
import { EventEmitter } from 'eventemitter3';

/** Events of the per-server breakers (`CircuitBreakers`). */
export interface CircuitBreakersEvents {
  /** A server's circuit opened: calls to it fail fast; it is out of selection. */
  open: [{ serverId: string; reason: string; retryAfterMs: number }];
  /** A server's circuit lets one probe through; it is back in selection. */
  halfOpen: [{ serverId: string }];
  /** A server's circuit closed again. */
  close: [{ serverId: string; reason: string }];
}

/** Events of the client-wide breaker (`withClientBreaker`). */
export interface ClientBreakerEvents {
  open: [{ reason: string; retryAfterMs: number }];
  halfOpen: [];
  close: [{ reason: string }];
}

/**
 * An emitter whose listeners cannot break the breaker: a listener that throws
 * is reported as the pool's `pool:error` and the other listeners still run.
 */
export class BreakerEmitter<Events extends object> extends EventEmitter<Events> {
  protected reportTo: SafeEmitter | undefined;
  protected readonly source: string;

  constructor(source: string) {
    super();
    this.source = source;
  }

  override emit<K extends EventEmitter.EventNames<Events>>(
    event: K,
    ...args: EventEmitter.EventArgs<Events, K>
  ): boolean {
    const listeners = this.listeners(event);
    if (listeners.length === 0) return false;
    for (const listener of listeners) {
      try {
        (listener as (...a: EventEmitter.EventArgs<Events, K>) => void)(...args);
      } catch (error) {
        this.reportTo?.emit('pool:error', {
          source: `listener of ${this.source} ${String(event)}`,
          error,
        });
      }
    }
    return true;
  }
}
