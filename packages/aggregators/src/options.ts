import { type ConfigIssue, InvalidConfigError } from '@mcpool/core';

/**
 * Collects every problem in a strategy's options so the error lists them all
 * at once, each with its path, instead of failing on the first.
 */
export class OptionChecks {
  private readonly issues: ConfigIssue[] = [];

  constructor(private readonly what: string) {}

  positiveInteger(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      this.issues.push({
        path,
        message: `must be a whole number of at least 1 (got ${show(value)})`,
      });
  }

  positiveDuration(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      this.issues.push({
        path,
        message: `must be a finite number of ms above 0 (got ${show(value)})`,
      });
  }

  nonNegativeDuration(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      this.issues.push({
        path,
        message: `must be a finite number of ms, 0 or more (got ${show(value)})`,
      });
  }

  fn(path: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'function')
      this.issues.push({ path, message: `must be a function (got ${show(value)})` });
  }

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Throws `InvalidConfigError` listing every problem found, if any. */
  done(): void {
    if (this.issues.length > 0) throw new InvalidConfigError(this.what, this.issues);
  }
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
