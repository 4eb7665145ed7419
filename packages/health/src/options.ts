import {
  type ConfigIssue,
  InvalidConfigError,
  type RequestInfo,
  type ServerView,
} from '@mcpool/core';
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

/** Applies defaults and reports every invalid option with its path. */
export function resolveHealthOptions(options: HealthCheckerOptions): HealthSettings {
  const issues: ConfigIssue[] = [];
  const positive = (path: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      issues.push({ path, message: `must be a positive number of ms, got ${String(value)}` });
      return fallback;
    }
    return value;
  };
  const count = (path: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1) {
      issues.push({ path, message: `must be a whole number of at least 1, got ${String(value)}` });
      return fallback;
    }
    return value;
  };
  const interval = positive('interval', options.interval, 30_000);
  const timeout = positive('timeout', options.timeout, 10_000);
  let jitter = options.jitter ?? 0.1;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    issues.push({
      path: 'jitter',
      message: `must be a fraction between 0 and 1, got ${String(jitter)}`,
    });
    jitter = 0.1;
  }
  const check = options.check ?? 'ping';
  if (check !== false && check !== 'ping' && check !== 'listTools' && typeof check !== 'function') {
    issues.push({
      path: 'check',
      message: `must be 'ping', 'listTools', a function or false, got ${String(check)}`,
    });
  }
  const maxFailures = count('maxFailures', options.maxFailures, 3);
  const healthyThreshold = count('healthyThreshold', options.healthyThreshold, 2);
  const recoveryTimeout = positive('recoveryTimeout', options.recoveryTimeout, interval);
  const idleInterval = positive('idleInterval', options.idleInterval, 60_000);
  let outlier: HealthSettings['outlier'] = false;
  if (options.outlierDetection !== false) {
    const o = options.outlierDetection ?? {};
    const baseEjectionTime = positive(
      'outlierDetection.baseEjectionTime',
      o.baseEjectionTime,
      30_000,
    );
    const maxEjectionTime = positive(
      'outlierDetection.maxEjectionTime',
      o.maxEjectionTime,
      Math.max(300_000, baseEjectionTime),
    );
    if (maxEjectionTime < baseEjectionTime) {
      issues.push({
        path: 'outlierDetection.maxEjectionTime',
        message: `must not be shorter than baseEjectionTime (${baseEjectionTime} ms)`,
      });
    }
    let maxEjectionPercent = o.maxEjectionPercent ?? 50;
    if (
      typeof maxEjectionPercent !== 'number' ||
      !(maxEjectionPercent >= 0 && maxEjectionPercent <= 100)
    ) {
      issues.push({
        path: 'outlierDetection.maxEjectionPercent',
        message: `must be a percentage between 0 and 100, got ${String(maxEjectionPercent)}`,
      });
      maxEjectionPercent = 50;
    }
    outlier = {
      consecutiveErrors: count('outlierDetection.consecutiveErrors', o.consecutiveErrors, 5),
      consecutiveRefused: count('outlierDetection.consecutiveRefused', o.consecutiveRefused, 1),
      baseEjectionTime,
      maxEjectionTime,
      maxEjectionPercent,
    };
  }
  if (issues.length > 0) throw new InvalidConfigError('health checker options', issues);
  return {
    interval,
    timeout,
    jitter,
    check,
    maxFailures,
    healthyThreshold,
    recoveryTimeout,
    idleInterval,
    outlier,
    clock: options.clock ?? systemClock,
  };
}
