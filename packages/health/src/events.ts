import type { ServerPool } from '@mcpool/core';
import { SafeEmitter } from '@mcpool/core/internal';

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
export class HealthEmitter extends SafeEmitter<HealthEvents> {
  protected reportTo: ServerPool | undefined;

  protected override listenerFailed(event: string, error: unknown): void {
    this.reportTo?.emit('pool:error', { source: `listener of health ${event}`, error });
  }
}
