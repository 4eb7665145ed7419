import type {
  AttemptContext,
  AttemptMiddleware,
  Detach,
  PoolPlugin,
  ServerPool,
} from '@mcpool/core';
import { InvalidConfigError } from '@mcpool/core';
import type CircuitBreaker from 'opossum';
import { Circuit, type CircuitSnapshot, NO_ARGS } from './circuit.js';
import { BreakerEmitter, type CircuitBreakersEvents } from './events.js';
import {
  type CircuitBreakersOptions,
  type CircuitSettings,
  resolveCircuitOptions,
} from './options.js';
import { attemptVerdict } from './verdict.js';

/** The circuit of one server. */
export interface ServerCircuitState extends CircuitSnapshot {
  readonly serverId: string;
}

const CLOSED_STATS = {
  fires: 0,
  successes: 0,
  failures: 0,
  rejects: 0,
  errorPercentage: 0,
} as const;

/**
 * One circuit breaker per server of a pool, built on opossum. Every attempt on
 * a server runs through that server's breaker. When too many of its recent
 * attempts fail with server faults, its circuit opens: the server leaves
 * selection (source `breaker`) and attempts that still reach it fail fast with
 * `CircuitOpenError` before anything is sent, so the client tries another
 * server. After `resetTimeout` the circuit half-opens: the server is back in
 * selection and the next attempt is the probe (others fail fast meanwhile);
 * the probe's success closes the circuit, its failure opens it again.
 *
 * Only server faults count (transport errors, internal errors, timeouts): an
 * `isError` tool result and a rejected request are answers.
 *
 * Install it as a plugin: `pool.use(new CircuitBreakers(options))`.
 */
export class CircuitBreakers extends BreakerEmitter<CircuitBreakersEvents> implements PoolPlugin {
  readonly name = 'circuit-breaker';
  readonly attempt: AttemptMiddleware;
  private readonly settings: CircuitSettings;
  private readonly exclude: boolean;
  private readonly circuits = new Map<string, Circuit>();
  /**
   * Servers of a circuit that have left the pool and drain (`server:removing`
   * until `server:removed`, or until the id is added again): their attempts
   * run unguarded. Known from the pool's notices, so an attempt asks nothing.
   */
  private readonly leaving = new Set<string>();
  private pool: ServerPool | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: CircuitBreakersOptions = {}) {
    super('circuit breaker');
    this.settings = resolveCircuitOptions(options, 'circuit breaker options');
    this.exclude = options.exclude ?? true;
    this.attempt = (context, next) => this.run(context, next);
  }

  /** Called by `pool.use()`. */
  attach(pool: ServerPool): Detach {
    if (this.pool) {
      throw new InvalidConfigError('circuit breakers', [
        {
          path: '',
          message: 'are already attached to a pool; create one CircuitBreakers per pool',
        },
      ]);
    }
    this.pool = pool;
    this.reportTo = pool;
    const onRemoving = ({ serverId }: { serverId: string }) => {
      if (this.circuits.has(serverId)) this.leaving.add(serverId);
    };
    const onAdded = ({ server }: { server: { id: string } }) => this.leaving.delete(server.id);
    const onRemoved = ({ serverId }: { serverId: string }) => this.drop(serverId);
    pool.on('server:removing', onRemoving);
    pool.on('server:added', onAdded);
    pool.on('server:removed', onRemoved);
    this.unsubscribe = () => {
      pool.off('server:removing', onRemoving);
      pool.off('server:added', onAdded);
      pool.off('server:removed', onRemoved);
    };
    // One timer moves every circuit's rolling window, instead of opossum's two per breaker.
    const bucketMs = this.settings.rollingCountTimeout / this.settings.rollingCountBuckets;
    this.ticker = setInterval(() => {
      for (const c of this.circuits.values()) c.rotate();
    }, bucketMs);
    this.ticker.unref();
    return () => this.detach();
  }

  /** The circuit of a server of the pool; undefined for a server the pool does not have. */
  getState(serverId: string): ServerCircuitState | undefined {
    const circuit = this.circuits.get(serverId);
    if (circuit) return { serverId, ...circuit.snapshot() };
    if (!this.pool?.server(serverId)) return undefined;
    return {
      serverId,
      state: 'closed',
      reason: undefined,
      openedAt: undefined,
      retryAfterMs: undefined,
      opens: 0,
      stats: CLOSED_STATS,
    };
  }

  /** The circuits of every server of the pool. */
  getStates(): ServerCircuitState[] {
    return (this.pool?.servers() ?? [])
      .map((s) => this.getState(s.id))
      .filter((s) => s !== undefined);
  }

  /**
   * The opossum breaker of a server (created on its first attempt), for
   * opossum's own tooling such as metrics exporters. Do not fire it yourself.
   */
  breaker(serverId: string): CircuitBreaker | undefined {
    return this.circuits.get(serverId)?.breaker as CircuitBreaker | undefined;
  }

  private run(context: AttemptContext, next: () => Promise<unknown>): Promise<unknown> {
    const id = context.server.id;
    let circuit = this.circuits.get(id);
    if (circuit !== undefined && !this.leaving.has(id)) {
      // A closed circuit (nearly every attempt) hands the attempt to opossum from here.
      const b = circuit.breaker;
      if (b.closed) return b.fire(next, undefined, NO_ARGS, attemptVerdict, context.signal);
      return circuit.fire(next, attemptVerdict, context.signal);
    }
    const pool = this.pool;
    // Not attached, or a server on its way out: run unguarded rather than build a breaker for it.
    if (!pool) return next();
    if (!pool.server(id)) return next();
    if (!circuit) {
      circuit = this.create(pool, id);
      this.circuits.set(id, circuit);
    }
    return circuit.fire(next, attemptVerdict, context.signal);
  }

  private create(pool: ServerPool, serverId: string): Circuit {
    const { resetTimeout } = this.settings;
    const present = () => this.pool === pool && pool.server(serverId) !== undefined;
    return new Circuit(serverId, this.settings, {
      open: (reason, retryAfterMs) => {
        if (this.exclude && present()) {
          pool.exclude(
            serverId,
            'breaker',
            `circuit open: ${reason}; probing again in ${resetTimeout} ms`,
          );
        }
        this.emit('open', { serverId, reason, retryAfterMs });
      },
      halfOpen: () => {
        if (this.exclude && present()) pool.include(serverId, 'breaker');
        this.emit('halfOpen', { serverId });
      },
      probe: () => {
        // Keep the balancer off the server while its one probe runs: others would only fail fast.
        if (this.exclude && present()) {
          pool.exclude(serverId, 'breaker', 'circuit half-open: its one probe is in flight');
        }
      },
      close: (reason) => {
        if (this.exclude && present()) pool.include(serverId, 'breaker');
        this.emit('close', { serverId, reason });
      },
      error: (error) => pool.emit('pool:error', { source: 'circuit breaker', serverId, error }),
    });
  }

  private drop(serverId: string): void {
    this.leaving.delete(serverId);
    this.circuits.get(serverId)?.shutdown();
    this.circuits.delete(serverId);
  }

  private detach(): void {
    const pool = this.pool;
    if (!pool) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const [serverId, circuit] of this.circuits) {
      circuit.shutdown();
      if (this.exclude && !pool.isClosed && pool.server(serverId))
        pool.include(serverId, 'breaker');
    }
    this.circuits.clear();
    this.leaving.clear();
    this.pool = undefined;
    this.reportTo = undefined;
  }
}
