import { optionOf } from '@mcpool/core/internal';

/** A whole number of at least 1. */
export const positiveInteger = optionOf<number>(
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  'must be a whole number of at least 1',
);

/** A finite number of ms above 0. */
export const positiveDuration = optionOf<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  'must be a finite number of ms above 0',
);

/** A finite number of ms, 0 or more. */
export const nonNegativeDuration = optionOf<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  'must be a finite number of ms, 0 or more',
);

/** A function. */
export const callback = optionOf<(...args: never[]) => unknown>(
  (v) => typeof v === 'function',
  'must be a function',
);
