import { createKineticMax, type Lines } from './kinetic-max.js';

/**
 * Smooth weighted round robin over a fixed list, without touching every
 * member per pick. nginx's rule adds each weight to its member's credit, picks
 * the highest credit (the first in list order on a tie) and takes the total
 * weight off the winner. After `t` such picks a member's credit is
 * `base + weight × t`, where `base` changes only when it wins. So:
 *
 * - members of equal weight keep their order between picks: a heap per
 *   weight, ordered by `base` then position, has the class's best on top;
 * - the winner is the best of the class tops at time `t`: a plain look at
 *   each for a handful of distinct weights (1 to 3 in most pools), a kinetic
 *   tournament (`kinetic-max.ts`) over them beyond that, O(log W) amortized;
 * - the winner's base drops by the total and it sinks in its heap, O(log n).
 *
 * With integer weights every credit is an exact integer, so the picks are
 * exactly nginx's; `current(i)` gives the credits back for the O(n) paths.
 */
export interface SmoothSchedule {
  /** Index of the next pick. */
  next(): number;
  /** Credit of member `i` now. */
  current(index: number): number;
}

interface WeightClass {
  readonly weight: number;
  /** Member positions, a binary heap: highest base first, then lowest position. */
  readonly heap: Int32Array;
}

/** Credits are re-based after this many picks, so they stay small numbers. */
const REBASE_EVERY = 1 << 16;

/** Up to this many distinct weights, the class tops are simply compared. */
const SCAN_CLASSES = 8;

/**
 * `weights[i]` and `credits[i]` of each member; members of weight 0 take no
 * part. `total` is what a winner gives back (the sum of the weights).
 */
export function createSmoothSchedule(
  weights: Float64Array,
  credits: Float64Array,
  total: number,
  scanClasses = SCAN_CLASSES,
): SmoothSchedule {
  const length = weights.length;
  const base = Float64Array.from(credits);
  const classOf = new Int32Array(length).fill(-1);
  const classes: WeightClass[] = [];
  const byWeight = new Map<number, number>();
  const counts: number[] = [];
  for (let i = 0; i < length; i++) {
    const weight = weights[i]!;
    if (!(weight > 0)) continue;
    let c = byWeight.get(weight);
    if (c === undefined) {
      c = counts.length;
      byWeight.set(weight, c);
      counts.push(0);
    }
    classOf[i] = c;
    counts[c]!++;
  }
  for (const [weight, c] of byWeight) classes[c] = { weight, heap: new Int32Array(counts[c]!) };
  const fill = new Int32Array(classes.length);
  for (let i = 0; i < length; i++) {
    const c = classOf[i]!;
    if (c >= 0) classes[c]!.heap[fill[c]!++] = i;
  }
  let t = 0;

  /** Whether member a goes before member b in its class. */
  function before(a: number, b: number): boolean {
    const ba = base[a]!;
    const bb = base[b]!;
    return ba > bb || (ba === bb && a < b);
  }

  function siftDown(heap: Int32Array, from: number): void {
    const size = heap.length;
    let at = from;
    const item = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  }

  function heapify(): void {
    for (const { heap } of classes) {
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    }
  }
  heapify();

  const lines: Lines = {
    count: classes.length,
    base: (c) => base[classes[c]!.heap[0]!]!,
    slope: (c) => classes[c]!.weight,
    tie: (c) => classes[c]!.heap[0]!,
  };
  let tournament = classes.length > scanClasses ? createKineticMax(lines, t) : undefined;

  /** The class whose top has the most credit at time t (ties to the lower position). */
  function scanTops(): WeightClass {
    let best = -1;
    let bestCredit = Number.NEGATIVE_INFINITY;
    let bestClass: WeightClass | undefined;
    for (let c = 0; c < classes.length; c++) {
      const weightClass = classes[c]!;
      const top = weightClass.heap[0]!;
      const credit = base[top]! + weightClass.weight * t;
      if (credit > bestCredit || (credit === bestCredit && top < best)) {
        bestCredit = credit;
        best = top;
        bestClass = weightClass;
      }
    }
    return bestClass!;
  }

  return {
    next(): number {
      t++;
      let bestClass: WeightClass;
      let c = -1;
      if (tournament === undefined) {
        bestClass = scanTops();
      } else {
        c = tournament.winner(t);
        bestClass = classes[c]!;
      }
      const best = bestClass.heap[0]!;
      base[best] = base[best]! - total;
      siftDown(bestClass.heap, 0);
      tournament?.update(c, t);
      if (t === REBASE_EVERY) {
        for (let i = 0; i < length; i++) {
          const k = classOf[i]!;
          if (k >= 0) base[i] = base[i]! + classes[k]!.weight * t;
        }
        t = 0;
        // Re-basing keeps every order within a class: no heap changes; the
        // tournament's flip times moved with t, so it starts over.
        if (tournament !== undefined) tournament = createKineticMax(lines, t);
      }
      return best;
    },
    current(index: number): number {
      const c = classOf[index]!;
      return c < 0 ? base[index]! : base[index]! + classes[c]!.weight * t;
    },
  };
}
