/**
 * Names the index of @mcpool/aggregators exported that are its own internals. They
 * keep working for one minor version.
 */
import { majorityOf as majorityOfInternal, tally as tallyInternal } from './tally.js';

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const majorityOf: typeof majorityOfInternal = majorityOfInternal;

/** @deprecated An internal of this package; it stops being exported in the next minor version. */
export const tally: typeof tallyInternal = tallyInternal;
