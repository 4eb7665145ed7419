import { z } from 'zod';
import { type ConfigIssue, InvalidConfigError } from '../spec/errors.js';
import { toIssues } from './server-config.js';

/**
 * An optional option that `valid` accepts; its error reads `${rule}, got ${value}`
 * (e.g. "must be a positive number of ms, got -1"), so that it names both the
 * rule and what was given.
 */
export function optionOf<T>(valid: (value: unknown) => boolean, rule: string) {
  return z
    .custom<T>(valid, { error: (issue) => `${rule}, got ${showValue(issue.input)}` })
    .optional();
}

/**
 * Checks options against their zod schema and any rules across fields
 * (`extra`, after the schema's own); throws `InvalidConfigError` for `what`
 * listing every problem with its path, in the schema's key order.
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

/** A given value as an error message shows it: numbers and words as such, objects by their kind. */
export function showValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  )
    return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
