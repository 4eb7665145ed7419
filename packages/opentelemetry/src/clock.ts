import type { HrTime } from '@opentelemetry/api';

/**
 * Now, as an HrTime from the monotonic clock. The SDK starts a span at
 * `Date.now()`, whole milliseconds, so on its own an attempt of a 3 ms call
 * could start a third of the call away from where it did. Every span of a
 * call starts (and a held voter ends) on this clock instead, and the SDK
 * measures each span's duration from its given start on the same clock.
 */
export function now(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
