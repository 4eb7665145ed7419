export { type Clock, type HealthClock, systemClock } from './clock.js';
export {
  decayedMultiplier,
  ejectionDuration,
  maxEjected,
  OutlierTracker,
} from './deprecated.js';
export type { HealthEvents, HealthSource } from './events.js';
export { HealthChecker } from './health-checker.js';
export type {
  HealthCheck,
  HealthCheckerOptions,
  OutlierDetectionOptions,
  Probe,
} from './options.js';
export type {
  Observation,
  OutlierRecord,
  OutlierSettings,
} from './outlier-tracker.js';
export type { ServerHealthStatus } from './status.js';
