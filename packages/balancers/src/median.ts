// The median of latency estimates: what p2cEwma assumes for a server not heard from yet.

/** Median of `values`, reordering them in place; undefined when empty. O(n) on average. */
export function medianOf(values: number[]): number | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const half = n >> 1;
  const upper = select(values, half);
  if (n % 2 === 1) return upper;
  // After selection everything before `half` is at most `upper`: the lower middle is their maximum.
  let lower = values[0]!;
  for (let i = 1; i < half; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** Hoare's quickselect: puts the k-th smallest value at index k and returns it. */
function select(values: number[], k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k]!;
}
