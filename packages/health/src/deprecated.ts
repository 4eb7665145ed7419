/**
 * Names the index of @mcpool/health exported that are its own internals. They
 * keep working for one minor version.
 */
import {
  decayedMultiplier as decayedMultiplierInternal,
  ejectionDuration as ejectionDurationInternal,
  maxEjected as maxEjectedInternal,
} from './ejection.js';
import { OutlierTracker as OutlierTrackerInternal } from './outlier-tracker.js';

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const decayedMultiplier: typeof decayedMultiplierInternal = decayedMultiplierInternal;

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const ejectionDuration: typeof ejectionDurationInternal = ejectionDurationInternal;

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const maxEjected: typeof maxEjectedInternal = maxEjectedInternal;

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const OutlierTracker = OutlierTrackerInternal;
/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export type OutlierTracker = OutlierTrackerInternal;
