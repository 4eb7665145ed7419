import { type ConfigIssue, InvalidConfigError } from '@mcpool/core';
import { toIssues } from '@mcpool/core/internal';
import { z } from 'zod';

const option = <T>(valid: (value: unknown) => boolean, rule: string) =>
  z.custom<T>(valid, { error: (issue) => `${rule} (got ${show(issue.input)})` }).optional();

/** A whole number of at least 1. */
export const positiveInteger = option<number>(
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  'must be a whole number of at least 1',
);

/** A finite number of ms above 0. */
export const positiveDuration = option<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  'must be a finite number of ms above 0',
);

/** A finite number of ms, 0 or more. */
export const nonNegativeDuration = option<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  'must be a finite number of ms, 0 or more',
);

/** A function. */
export const callback = option<(...args: never[]) => unknown>(
  (v) => typeof v === 'function',
  'must be a function',
);

/**
 * Checks a strategy's options against its zod schema and any rules across
 * fields (`extra`); throws `InvalidConfigError` listing every problem with its path.
 */
export function checkOptions(
  what: string,
  schema: z.ZodType,
  options: unknown,
  extra: readonly ConfigIssue[] = [],
): void {
  const parsed = schema.safeParse(options);
  const issues = [...(parsed.success ? [] : toIssues(parsed.error)), ...extra];
  if (issues.length > 0) throw new InvalidConfigError(what, issues);
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  )
    return String(value);
  return typeof value;
}
