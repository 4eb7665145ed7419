import type { MultiServerClient } from '@mcpool/core';
import type CircuitBreaker from 'opossum';
import { Circuit, type CircuitSnapshot } from './circuit.js';
import { BreakerEmitter, type ClientBreakerEvents } from './events.js';
import { type CircuitOptions, resolveCircuitOptions } from './options.js';
import { callVerdict } from './verdict.js';

/**
 * A circuit breaker around a whole client (the seed's
 * `ResilientMultiServerClient`): when most calls fail because the servers are
 * down, further calls fail fast with `CircuitOpenError` instead of waiting
 * for timeouts and retries, until a probe call succeeds.
 */
export class ClientBreaker extends BreakerEmitter<ClientBreakerEvents> implements Disposable {
  /** The opossum breaker, for opossum's own tooling. Do not fire it yourself. */
  readonly breaker: CircuitBreaker;
  private readonly circuit: Circuit;
  private readonly remove: () => void;
  private readonly ticker: NodeJS.Timeout;
  private disposed = false;

  constructor(client: MultiServerClient, options: CircuitOptions = {}) {
    super('client breaker');
    const settings = resolveCircuitOptions(options, 'client breaker options');
    this.reportTo = client.pool;
    this.circuit = new Circuit(undefined, settings, {
      open: (reason, retryAfterMs) => this.emit('open', { reason, retryAfterMs }),
      halfOpen: () => this.emit('halfOpen'),
      probe: () => {},
      close: (reason) => this.emit('close', { reason }),
      error: (error) => client.pool.emit('pool:error', { source: 'client breaker', error }),
    });
    this.breaker = this.circuit.breaker as unknown as CircuitBreaker;
    this.ticker = setInterval(
      () => this.circuit.rotate(),
      settings.rollingCountTimeout / settings.rollingCountBuckets,
    );
    this.ticker.unref();
    this.remove = client.use((context, next) =>
      this.circuit.fire(() => next(context), callVerdict, context.signal),
    );
  }

  /** The circuit's state and rolling figures. */
  getState(): CircuitSnapshot {
    return this.circuit.snapshot();
  }

  /** Takes the breaker off the client and stops its timers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.remove();
    clearInterval(this.ticker);
    this.circuit.shutdown();
    this.reportTo = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Puts a circuit breaker around every call of `client` (through its call
 * middleware) and returns it; `dispose()` takes it off again.
 */
export function withClientBreaker(
  client: MultiServerClient,
  options: CircuitOptions = {},
): ClientBreaker {
  return new ClientBreaker(client, options);
}
