/**
 * The highest of W lines `base(c) + slope(c) × t` at a time `t` that only
 * grows (a kinetic tournament): each node of a tree over the lines keeps the
 * winner of its two children and the first time their order can flip, so a
 * query only revisits nodes whose order has expired, and a changed line
 * costs one path to the root. Ties go to the lower `tie(c)`.
 *
 * `weighted()` uses it over its weight classes when there are many: the best
 * member of each class is one line, the slope its weight.
 */
export interface KineticMax {
  /** The winning line at time `t`; `t` never decreases from call to call. */
  winner(t: number): number;
  /** Line `c` changed (its base or tie) at time `t`. */
  update(c: number, t: number): void;
}

export interface Lines {
  readonly count: number;
  base(c: number): number;
  slope(c: number): number;
  tie(c: number): number;
}

export function createKineticMax(lines: Lines, t: number): KineticMax {
  const { count } = lines;
  let size = 1;
  while (size < count) size <<= 1;
  const winners = new Int32Array(2 * size).fill(-1);
  // Per node: the earliest expiry in its subtree.
  const soonest = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
  for (let c = 0; c < count; c++) winners[size + c] = c;

  /** Whether line a is ahead of line b at time t. */
  function ahead(a: number, b: number, at: number): boolean {
    const va = lines.base(a) + lines.slope(a) * at;
    const vb = lines.base(b) + lines.slope(b) * at;
    return va > vb || (va === vb && lines.tie(a) < lines.tie(b));
  }

  /**
   * The first integer time after `at` when `loser` gets ahead of `leader`, or
   * an earlier one: expiring early only costs a comparison, expiring late
   * would return a wrong winner. The crossing is computed, then checked.
   */
  function flip(leader: number, loser: number, at: number): number {
    const gain = lines.slope(loser) - lines.slope(leader);
    if (!(gain > 0)) return Number.POSITIVE_INFINITY;
    const crossing = (lines.base(leader) - lines.base(loser)) / gain;
    let time = Math.max(at + 1, Math.floor(crossing));
    if (ahead(loser, leader, time)) {
      // Rounding put us past the flip: step back to it, or give up early.
      for (let n = 0; time - 1 > at && ahead(loser, leader, time - 1); n++) {
        if (n === 4) return at + 1;
        time--;
      }
      return time;
    }
    for (let n = 0; n < 4; n++) {
      time++;
      if (ahead(loser, leader, time)) return time;
    }
    return time;
  }

  function compute(node: number, at: number): void {
    const left = winners[2 * node]!;
    const right = winners[2 * node + 1]!;
    let expire = Number.POSITIVE_INFINITY;
    if (left < 0 || right < 0) {
      winners[node] = left < 0 ? right : left;
    } else if (ahead(left, right, at)) {
      winners[node] = left;
      expire = flip(left, right, at);
    } else {
      winners[node] = right;
      expire = flip(right, left, at);
    }
    soonest[node] = Math.min(expire, soonest[2 * node]!, soonest[2 * node + 1]!);
  }

  function refresh(node: number, at: number): void {
    if (node >= size || soonest[node]! > at) return;
    refresh(2 * node, at);
    refresh(2 * node + 1, at);
    compute(node, at);
  }

  for (let node = size - 1; node >= 1; node--) compute(node, t);

  return {
    winner(at: number): number {
      refresh(1, at);
      return winners[1]!;
    },
    update(c: number, at: number): void {
      let node = (size + c) >> 1;
      let from = size + c;
      while (node >= 1) {
        refresh(from ^ 1, at);
        compute(node, at);
        from = node;
        node >>= 1;
      }
    },
  };
}
