import { SafeEmitter } from '@mcpool/core/internal';

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
export class BreakerEmitter<Events extends object> extends SafeEmitter<Events> {
  protected reportTo: SafeEmitter | undefined;
  protected readonly source: string;

  constructor(source: string) {
    super();
    this.source = source;
  }

  protected override listenerFailed(event: string, error: unknown): void {
    this.reportTo?.emit('pool:error', { source: `listener of ${this.source} ${event}`, error });
  }
}
