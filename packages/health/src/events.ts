import type { ServerPool } from '@mcpool/core';
import { EventEmitter } from 'eventemitter3';

/** Where an exclusion made by the health checker comes from (its `pool.exclude` source). */
export type HealthSource = 'health' | 'outlier';

/** Every event a `HealthChecker` emits, with its payload. */
export interface HealthEvents {
  /** An active check ended. */
  check: [{ serverId: string; ok: boolean; latencyMs: number; error?: unknown }];
  /** The checker took a server out of selection (`health`: failed checks; `outlier`: ejected). */
  unhealthy: [
    { serverId: string; source: HealthSource; reason: string; until?: number | undefined },
  ];
  /** The checker put a server back into selection. */
  healthy: [{ serverId: string; source: HealthSource; reason: string }];
  /** An outlier stayed in because `maxEjectionPercent` of the pool is ejected already. */
  'ejection:skipped': [{ serverId: string; reason: string; ejected: number; max: number }];
}

/**
 * An emitter whose listeners cannot break the checker: a listener that throws
 * is reported as the pool's `pool:error` and the other listeners still run.
 */
export class HealthEmitter extends EventEmitter<HealthEvents> {
  protected reportTo: ServerPool | undefined;

  override emit<K extends keyof HealthEvents>(event: K, ...args: HealthEvents[K]): boolean {
    const listeners = this.listeners(event);
    if (listeners.length === 0) return false;
    for (const listener of listeners) {
      try {
        (listener as (...a: HealthEvents[K]) => void)(...args);
      } catch (error) {
        this.reportTo?.emit('pool:error', { source: `listener of health ${String(event)}`, error });
      }
    }
    return true;
  }
}
