import type { ServerView } from '@mcpool/core';

/**
 * Up to this many candidates a set is checked element by element (and field
 * by field) on every pick: a handful of reads, and it catches a list changed
 * in place. Above it, the same array object is taken as the same set.
 */
export const SMALL_SET = 64;

/** What a strategy keeps for one candidate set. */
export interface SetEntry {
  /** The candidates, in list order, when the entry was built. */
  readonly members: readonly ServerView[];
  /** The field each member was read with when the entry was built (weight or priority). */
  readonly fields: Float64Array;
}

export interface SetCacheOptions<E extends SetEntry> {
  /** Builds the entry of a new set; `fields[i]` is `field(candidates[i])`. */
  build(candidates: readonly ServerView[], fields: Float64Array): E;
  /** The member field the structure depends on; a change makes a different set. */
  field(server: ServerView): number;
  /** Sets remembered besides the current one. @default 8 */
  capacity?: number | undefined;
}

export interface SetCache<E extends SetEntry> {
  /** The entry of this candidate list, found or built. */
  get(candidates: readonly ServerView[]): E;
  /** The entries remembered, most recent first. */
  readonly entries: readonly E[];
  /** Forgets every set that holds a server with this id. */
  forget(serverId: string): void;
}

/**
 * Recognises candidate sets so that strategies build their structures (ring,
 * tiers, heaps) once per set instead of scanning every candidate per pick.
 * The candidate set differs per request when servers offer different tools or
 * are excluded, so a few sets are kept, most recent first.
 *
 * - The same array object as the last pick, with at most `SMALL_SET`
 *   members re-checked, is the same set: O(1) for a pool that hands out one
 *   array per set and a new array when the set, a weight or a priority changes.
 * - Any other array is compared with the remembered sets member by member
 *   (identity and field): O(n) pointer compares, no hashing, no allocation.
 * - A set seen for the first time is built, O(n) or O(n log n).
 */
export function createSetCache<E extends SetEntry>(options: SetCacheOptions<E>): SetCache<E> {
  const { build, field } = options;
  const capacity = options.capacity ?? 8;
  const entries: E[] = [];
  let lastArray: readonly ServerView[] | undefined;
  let last: E | undefined;

  function matches(entry: E, candidates: readonly ServerView[]): boolean {
    const members = entry.members;
    const length = members.length;
    if (candidates.length !== length) return false;
    const fields = entry.fields;
    for (let i = 0; i < length; i++) {
      const server = candidates[i]!;
      if (server !== members[i] || field(server) !== fields[i]) return false;
    }
    return true;
  }

  return {
    entries,
    get(candidates: readonly ServerView[]): E {
      const length = candidates.length;
      if (candidates === lastArray && last !== undefined) {
        const members = last.members;
        if (length > SMALL_SET) {
          // Guards against an array changed in place, which the contract forbids, cheaply.
          if (
            members.length === length &&
            candidates[0] === members[0] &&
            candidates[length - 1] === members[length - 1]
          ) {
            return last;
          }
        } else if (matches(last, candidates)) {
          return last;
        }
      }
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if (!matches(entry, candidates)) continue;
        if (i > 0) {
          entries.splice(i, 1);
          entries.unshift(entry);
        }
        lastArray = candidates;
        last = entry;
        return entry;
      }
      const fields = new Float64Array(length);
      for (let i = 0; i < length; i++) fields[i] = field(candidates[i]!);
      const entry = build(candidates.slice(), fields);
      entries.unshift(entry);
      if (entries.length > capacity) entries.length = capacity;
      lastArray = candidates;
      last = entry;
      return entry;
    },
    forget(serverId: string): void {
      for (let i = entries.length - 1; i >= 0; i--) {
        if (entries[i]!.members.some((s) => s.id === serverId)) {
          if (entries[i] === last) {
            last = undefined;
            lastArray = undefined;
          }
          entries.splice(i, 1);
        }
      }
    },
  };
}
