/**
 * A complete binary tree of minimums over `length` numeric leaves: O(log n)
 * point update, O(1) global minimum, and O(log n) "first leaf at or after
 * `from` whose value is at most `target`", which is what lets
 * `leastConnections()` keep its exact tie rule (the first tied candidate after
 * the previous winner) without a scan.
 */
export interface MinTree {
  readonly length: number;
  /** The smallest leaf; +Infinity when there are none. */
  min(): number;
  leaf(index: number): number;
  set(index: number, value: number): void;
  /** The first index ≥ `from` whose leaf is ≤ `target`, or -1. */
  firstAtMost(from: number, target: number): number;
}

export function createMinTree(values: ArrayLike<number>): MinTree {
  const length = values.length;
  let size = 1;
  while (size < length) size <<= 1;
  const tree = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < length; i++) tree[size + i] = values[i]!;
  for (let node = size - 1; node >= 1; node--) {
    const left = tree[2 * node]!;
    const right = tree[2 * node + 1]!;
    tree[node] = Math.min(left, right);
  }
  return {
    length,
    min: () => tree[1]!,
    leaf: (index) => tree[size + index]!,
    set(index: number, value: number): void {
      let node = size + index;
      tree[node] = value;
      node >>= 1;
      while (node >= 1) {
        const left = tree[2 * node]!;
        const right = tree[2 * node + 1]!;
        const min = Math.min(left, right);
        if (tree[node] === min) break;
        tree[node] = min;
        node >>= 1;
      }
    },
    firstAtMost(from: number, target: number): number {
      if (from >= length) return -1;
      let node = size + from;
      if (tree[node]! > target) {
        // Up until a right sibling holds a match, then down to its first one.
        for (;;) {
          if (node === 1) return -1;
          if ((node & 1) === 0 && tree[node + 1]! <= target) {
            node++;
            break;
          }
          node >>= 1;
        }
        while (node < size) {
          node <<= 1;
          if (tree[node]! > target) node++;
        }
      }
      return node - size;
    },
  };
}
