/**
 * Names the index of @mcpool/circuit-breaker exported that are its own internals. They
 * keep working for one minor version.
 */
import {
  attemptVerdict as attemptVerdictInternal,
  callVerdict as callVerdictInternal,
} from './verdict.js';

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const attemptVerdict: typeof attemptVerdictInternal = attemptVerdictInternal;

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const callVerdict: typeof callVerdictInternal = callVerdictInternal;
