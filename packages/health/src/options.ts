import type { ConfigIssue, RequestInfo, ServerView } from '@mcpool/core';
import { checkOptions, optionOf } from '@mcpool/core/internal';
import { z } from 'zod';
import { type HealthClock, systemClock } from './clock.js';

/**
 * Runs one request on the server being checked, through the pool (and its
 * plugins), within the check's time budget. Its attempt is known to be a
 * check, so passive outlier detection does not count it twice.
 */
export type Probe = (request: RequestInfo) => Promise<unknown>;

/**
 * A custom active check: resolve when the server is fine, reject when it is
 * not. Honour `signal` (it aborts when the check times out or the checker
 * stops); use `probe` to send MCP requests to the server.
 */
export type HealthCheck = (
  server: ServerView,
  signal: AbortSignal,
  probe: Probe,
) => Promise<unknown>;

/** Passive outlier detection from real traffic (Envoy's consecutive-5xx detector). */
export interface OutlierDetectionOptions {
  /** Consecutive server faults (server errors, timeouts) in real traffic that eject a server. @default 5 */
  consecutiveErrors?: number | undefined;
  /** Consecutive refused connections (ECONNREFUSED, host unreachable) that eject a server. @default 1 */
  consecutiveRefused?: number | undefined;
  /** Ejection time of a first ejection; the n-th ejection in a row lasts n times as long, ms. @default 30_000 */
  baseEjectionTime?: number | undefined;
  /** Longest ejection, ms. @default 300_000 */
  maxEjectionTime?: number | undefined;
  /**
   * Largest share of the pool's servers ejected at once, in percent (rounded
   * down, but at least one server may always be ejected; 0 ejects none).
   * @default 50
   */
  maxEjectionPercent?: number | undefined;
}

/** Options of a `HealthChecker`. Every one is optional. */
export interface HealthCheckerOptions {
  /** Time between active checks of a server with traffic, ms. @default 30_000 */
  interval?: number | undefined;
  /** Time budget of one check, ms. @default 10_000 */
  timeout?: number | undefined;
  /** Random extra delay before each check, as a fraction of its interval (0.1 = up to +10%). @default 0.1 */
  jitter?: number | undefined;
  /**
   * The active check: `'ping'`, the connection's own check (MCP `ping` in the
   * legacy era, `server/discover` in the modern one, which has no ping),
   * `tools/list` (`'listTools'`), your own function, or `false` for passive
   * detection only. @default 'ping'
   */
  check?: 'ping' | 'listTools' | HealthCheck | false | undefined;
  /** Consecutive failed checks that take a server out of selection. @default 3 */
  maxFailures?: number | undefined;
  /** Consecutive passed checks that put an unhealthy server back. @default 2 */
  healthyThreshold?: number | undefined;
  /** Time between checks of a server that failed its checks, ms. @default interval */
  recoveryTimeout?: number | undefined;
  /** A server without traffic (checks aside) for this long is checked this often instead of `interval`, ms. @default 60_000 */
  idleInterval?: number | undefined;
  /** Passive outlier detection; `false` turns it off. @default {} (on, with its defaults) */
  outlierDetection?: OutlierDetectionOptions | false | undefined;
  /** Time and timers. @default the system clock, timers unref'd */
  clock?: HealthClock | undefined;
}

/** Options with every default applied. */
export interface HealthSettings {
  readonly interval: number;
  readonly timeout: number;
  readonly jitter: number;
  readonly check: 'ping' | 'listTools' | HealthCheck | false;
  readonly maxFailures: number;
  readonly healthyThreshold: number;
  readonly recoveryTimeout: number;
  readonly idleInterval: number;
  readonly outlier:
    | {
        readonly consecutiveErrors: number;
        readonly consecutiveRefused: number;
        readonly baseEjectionTime: number;
        readonly maxEjectionTime: number;
        readonly maxEjectionPercent: number;
      }
    | false;
  readonly clock: HealthClock;
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const duration = optionOf<number>(
  (v) => isNumber(v) && Number.isFinite(v) && v > 0,
  'must be a positive number of ms',
);
const count = optionOf<number>(
  (v) => isNumber(v) && Number.isInteger(v) && v >= 1,
  'must be a whole number of at least 1',
);
const between = (low: number, high: number, what: string) =>
  optionOf<number>((v) => isNumber(v) && v >= low && v <= high, `must be ${what}`);

/** The outlier detection options, as zod checks them. */
const outlierDetectionSchema = z.object({
  baseEjectionTime: duration,
  maxEjectionTime: duration,
  maxEjectionPercent: between(0, 100, 'a percentage between 0 and 100'),
  consecutiveErrors: count,
  consecutiveRefused: count,
});

/**
 * The options of a `HealthChecker`, as zod checks them, in the order their
 * errors are listed (`outlierDetection: false` is taken out before).
 */
const healthCheckerOptionsSchema = z.object({
  interval: duration,
  timeout: duration,
  jitter: between(0, 1, 'a fraction between 0 and 1'),
  check: optionOf<HealthCheckerOptions['check']>(
    (v) => v === false || v === 'ping' || v === 'listTools' || typeof v === 'function',
    "must be 'ping', 'listTools', a function or false",
  ),
  maxFailures: count,
  healthyThreshold: count,
  recoveryTimeout: duration,
  idleInterval: duration,
  outlierDetection: outlierDetectionSchema.optional(),
});

/** Applies defaults and reports every invalid option with its path. */
export function resolveHealthOptions(options: HealthCheckerOptions): HealthSettings {
  const outlierOptions =
    options.outlierDetection === false ? false : (options.outlierDetection ?? {});
  const across: ConfigIssue[] = [];
  const base = outlierOptions ? (outlierOptions.baseEjectionTime ?? 30_000) : 0;
  const max = outlierOptions ? outlierOptions.maxEjectionTime : undefined;
  if (isNumber(base) && isNumber(max) && max > 0 && max < base) {
    across.push({
      path: 'outlierDetection.maxEjectionTime',
      message: `must not be shorter than baseEjectionTime (${base} ms)`,
    });
  }
  const checked = { ...options, outlierDetection: outlierOptions || undefined };
  checkOptions('health checker options', healthCheckerOptionsSchema, checked, across);
  const interval = options.interval ?? 30_000;
  return {
    interval,
    timeout: options.timeout ?? 10_000,
    jitter: options.jitter ?? 0.1,
    check: options.check ?? 'ping',
    maxFailures: options.maxFailures ?? 3,
    healthyThreshold: options.healthyThreshold ?? 2,
    recoveryTimeout: options.recoveryTimeout ?? interval,
    idleInterval: options.idleInterval ?? 60_000,
    outlier: outlierOptions && {
      consecutiveErrors: outlierOptions.consecutiveErrors ?? 5,
      consecutiveRefused: outlierOptions.consecutiveRefused ?? 1,
      baseEjectionTime: base,
      maxEjectionTime: max ?? Math.max(300_000, base),
      maxEjectionPercent: outlierOptions.maxEjectionPercent ?? 50,
    },
    clock: options.clock ?? systemClock,
  };
}
