import { checkOptions, optionOf } from '@mcpool/core/internal';
import { z } from 'zod';
import type { BatchClientOptions } from './batch-client.js';

const integerFrom = (min: number) =>
  optionOf<number>(
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= min,
    `must be an integer >= ${min}`,
  );

/** The options of a `BatchClient`, as zod checks them. */
const batchClientOptionsSchema = z.object({
  batchSize: integerFrom(1),
  flushDelay: integerFrom(0),
  concurrency: integerFrom(1),
  dedupe: optionOf<boolean>((v) => typeof v === 'boolean', 'must be a boolean'),
});

/** Checks the options of a `BatchClient`; throws `InvalidConfigError` naming every problem. */
export function validateBatchOptions(options: BatchClientOptions): void {
  checkOptions('batch client options', batchClientOptionsSchema, options);
}
