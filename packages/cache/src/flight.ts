import type { EntryMeta, StoredRecord } from './entry.js';
import type { MaybePromise } from './store.js';

/** How a cached call was answered. */
export interface Resolution {
  readonly source: 'hit' | 'stale' | 'miss';
  readonly value: unknown;
  /** The stored record's JSON, to hand every waiter its own copy. */
  readonly json: string | undefined;
}

export interface Flight {
  promise: Promise<Resolution>;
  /** An invalidation covered this entry while it was in flight: its answer must not be stored. */
  invalidated: boolean;
  readonly meta: EntryMeta;
  readonly leaderSignal: AbortSignal | undefined;
  /** The store write of the answer; the flight stays joinable until it ends. */
  write: Promise<void> | undefined;
}

/** Errors and `isError` tool results are answers for this caller only, never cached. */
export function storable(value: unknown): boolean {
  if (value === undefined) return false;
  return !(
    typeof value === 'object' &&
    value !== null &&
    (value as { isError?: unknown }).isError === true
  );
}

/** Each waiter gets its own copy, so one caller mutating its answer cannot change another's. */
export function copyOf(resolution: Resolution): unknown {
  if (resolution.json === undefined) return structuredClone(resolution.value);
  return (JSON.parse(resolution.json) as StoredRecord).value;
}

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
