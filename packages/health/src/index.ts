export { type Clock, type HealthClock, systemClock } from './clock.js';
export { decayedMultiplier, ejectionDuration, maxEjected } from './ejection.js';
export type { HealthEvents, HealthSource } from './events.js';
export { HealthChecker } from './health-checker.js';
export type {
  HealthCheck,
  HealthCheckerOptions,
  OutlierDetectionOptions,
  Probe,
} from './options.js';
export {
  type Observation,
  type OutlierRecord,
  type OutlierSettings,
  OutlierTracker,
} from './outlier-tracker.js';
export type { ServerHealthStatus } from './status.js';
