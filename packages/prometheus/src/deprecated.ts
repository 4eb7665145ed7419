/**
 * Names the index of @mcpool/prometheus exported that are its own internals. They
 * keep working for one minor version.
 */
import {
  BREAKER_STATE_VALUE as BREAKER_STATE_VALUEInternal,
  breakerStateFromExclusions as breakerStateFromExclusionsInternal,
} from './breaker-state.js';

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const BREAKER_STATE_VALUE: typeof BREAKER_STATE_VALUEInternal = BREAKER_STATE_VALUEInternal;

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const breakerStateFromExclusions: typeof breakerStateFromExclusionsInternal =
  breakerStateFromExclusionsInternal;
