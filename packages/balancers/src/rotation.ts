/**
 * The one round robin of this package: a cursor taken modulo the current
 * list length. `roundRobin()`, the tiers of `priority()` and the keyless
 * requests of `consistentHash()` all turn with it, so they share one
 * behaviour: a list growing or shrinking shifts the rotation by at most one
 * place, no server gets a burst, and a returning server has no stale credit.
 */
export interface Rotation {
  /** The next index in [0, length); `length` must be positive. */
  next(length: number): number;
}

export function createRotation(): Rotation {
  let cursor = 0;
  return {
    next(length: number): number {
      const index = cursor % length;
      // Kept below the length instead of growing forever so it stays a small integer.
      cursor = index + 1;
      return index;
    },
  };
}
