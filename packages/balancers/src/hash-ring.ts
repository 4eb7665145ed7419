import type { ServerView } from '@mcpool/core';
import type { SetEntry } from './candidate-sets.js';
import { fnv1a, mix32 } from './hash.js';

/**
 * A multi-probe consistent hash ring (Appleton and O'Reilly, 2015) for one
 * candidate set, built once, O(1) expected per lookup.
 *
 * - Each server with weight `w` puts `round(64 w)` points on a 32-bit ring
 *   (at least 1, at most 65,536), at positions hashed from its id alone.
 * - A key is hashed to 16 probe positions; the point closest after any probe
 *   wins. Many probes average out the uneven gaps between points, so shares
 *   follow the point counts closely without thousands of points per server.
 * - Points depend only on ids and weights, so the ring, and where every key
 *   goes, is the same whatever the order of the list and in every process.
 *   A server joining only adds points: a key moves only to it. A server
 *   leaving only removes its points: only its keys move.
 *
 * Memory: 8 bytes per point and a table of one to two 8-byte slots per
 * point, so 1 to 1.5 KB per server of weight 1: 27 MB for 10,000 servers of
 * weight 2, 240 MB for 100,000; building takes about as much again, briefly.
 */
export interface HashRing extends SetEntry {
  /** Index (in `members`) of the server a key hash goes to. */
  lookup(keyHash: number): number;
  /** The ring with its own points; undefined for a view on another ring's. */
  readonly points: RingPoints | undefined;
}

/** The points of a built ring, which views on a subset of its members share. */
export interface RingPoints {
  readonly members: readonly ServerView[];
  readonly fields: Float64Array;
  /** Whether weights decided the points (else every member counted as 1). */
  readonly anyWeight: boolean;
  readonly positions: Uint32Array;
  readonly owners: Int32Array;
  readonly table: Uint32Array;
  /** The point each slot of `table` stands for. */
  readonly tablePoints: Int32Array;
  readonly shift: number;
  readonly wrap: number;
  /** Member index by server, made on the first view. */
  indexOf: Map<ServerView, number> | undefined;
}

export const POINTS_PER_WEIGHT = 64;
const MAX_POINTS = 1 << 16;
export const PROBES = 16;
/** 2^21: point keys are `position × OWNER_SPACE + member index`, exact in a double. */
const OWNER_SPACE = 2_097_152;

const PROBE_SEEDS = Uint32Array.from({ length: PROBES }, (_, p) => mix32(0x5bd1e995 + p));

/** Position of a server's `r`-th point. */
function pointOf(idHash: number, r: number): number {
  return mix32(idHash ^ mix32(r + 1));
}

/**
 * Builds the ring of `members`, `fields[i]` the weight of member i. Members
 * of weight 0 get no points while another has weight; when all weigh 0 they
 * count as equal.
 */
export function buildHashRing(members: readonly ServerView[], fields: Float64Array): HashRing {
  const length = members.length;
  if (length >= OWNER_SPACE) {
    throw new RangeError(`consistentHash takes at most ${OWNER_SPACE - 1} candidates`);
  }
  let anyWeight = false;
  for (let i = 0; i < length; i++) if (fields[i]! > 0) anyWeight = true;
  const counts = new Int32Array(length);
  let total = 0;
  for (let i = 0; i < length; i++) {
    const weight = anyWeight ? fields[i]! : 1;
    if (!(weight > 0)) continue;
    const count = Math.min(MAX_POINTS, Math.max(1, Math.round(weight * POINTS_PER_WEIGHT)));
    counts[i] = count;
    total += count;
  }
  let positions = new Uint32Array(total);
  let owners = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < length; i++) {
    const count = counts[i]!;
    if (count === 0) continue;
    const idHash = mix32(fnv1a(members[i]!.id));
    for (let r = 0; r < count; r++) {
      positions[k] = pointOf(idHash, r);
      owners[k++] = i;
    }
  }
  [positions, owners] = radixSort(positions, owners);
  // Points at one position (rare: 32-bit hashes) in id order, not list order,
  // so that the winner never depends on the order of the candidates.
  for (let j = 1; j < total; j++) {
    if (positions[j] !== positions[j - 1]) continue;
    let end = j + 1;
    while (end < total && positions[end] === positions[j]) end++;
    const run = Array.from(owners.subarray(j - 1, end)).sort((a, b) => {
      const x = members[a]!.id;
      const y = members[b]!.id;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    owners.set(run, j - 1);
    j = end - 1;
  }
  const { table, tablePoints, shift, wrap } = layOut(positions);
  const points: RingPoints = {
    members,
    fields,
    anyWeight,
    positions,
    owners,
    table,
    tablePoints,
    shift,
    wrap,
    indexOf: undefined,
  };
  return {
    members,
    fields,
    points,
    lookup(keyHash: number): number {
      let bestDistance = Number.POSITIVE_INFINITY;
      let bestSlot = 0;
      for (let p = 0; p < PROBES; p++) {
        const probe = mix32(keyHash ^ PROBE_SEEDS[p]!);
        let slot = probe >>> shift;
        let position = table[slot]!;
        while (position < probe) position = table[++slot]!;
        // Past the last point: the successor is the first point, round the ring.
        const distance = ((slot >= wrap ? positions[0]! : position) - probe) >>> 0;
        if (distance < bestDistance) {
          bestDistance = distance;
          bestSlot = slot;
        }
      }
      return owners[bestSlot >= wrap ? 0 : tablePoints[bestSlot]!]!;
    },
  };
}

/**
 * The ring of `members` as a view on `points` when they are among its members
 * with the same weights (a retry that excludes a server, a server ejected): a
 * key goes where a ring built for `members` would send it, since that ring's
 * points are these minus the absent members'. Costs one map lookup per
 * member instead of a build; a lookup steps over absent members' points, so a
 * view is only made for at least half of the ring's members. Undefined when
 * `members` cannot be seen that way.
 */
export function viewHashRing(
  points: RingPoints,
  members: readonly ServerView[],
  fields: Float64Array,
): HashRing | undefined {
  const length = members.length;
  const all = points.members.length;
  if (length > all || 2 * length < all) return undefined;
  let anyWeight = false;
  for (let i = 0; i < length; i++) if (fields[i]! > 0) anyWeight = true;
  if (anyWeight !== points.anyWeight) return undefined;
  let indexOf = points.indexOf;
  if (indexOf === undefined) {
    indexOf = new Map();
    for (let i = 0; i < all; i++) indexOf.set(points.members[i]!, i);
    points.indexOf = indexOf;
  }
  const allowed = new Uint8Array(all);
  const toView = new Int32Array(all);
  let any = false;
  for (let i = 0; i < length; i++) {
    const at = indexOf.get(members[i]!);
    if (at === undefined || points.fields[at] !== fields[i]) return undefined;
    if (anyWeight && !(fields[i]! > 0)) continue;
    allowed[at] = 1;
    toView[at] = i;
    any = true;
  }
  if (!any) return undefined;
  const { positions, owners, table, tablePoints, shift, wrap } = points;
  const total = positions.length;
  return {
    members,
    fields,
    points: undefined,
    lookup(keyHash: number): number {
      let bestDistance = Number.POSITIVE_INFINITY;
      let bestPoint = 0;
      for (let p = 0; p < PROBES; p++) {
        const probe = mix32(keyHash ^ PROBE_SEEDS[p]!);
        let slot = probe >>> shift;
        let position = table[slot]!;
        while (position < probe) position = table[++slot]!;
        let point = slot >= wrap ? 0 : tablePoints[slot]!;
        while (allowed[owners[point]!] === 0) point = point + 1 === total ? 0 : point + 1;
        const distance = (positions[point]! - probe) >>> 0;
        if (distance < bestDistance) {
          bestDistance = distance;
          bestPoint = point;
        }
      }
      return toView[owners[bestPoint]!]!;
    },
  };
}

/** Sorts positions (with their owners alongside) in two stable 16-bit passes. */
function radixSort(
  keys: Uint32Array<ArrayBuffer>,
  values: Int32Array<ArrayBuffer>,
): [Uint32Array<ArrayBuffer>, Int32Array<ArrayBuffer>] {
  const length = keys.length;
  let fromKeys = keys;
  let fromValues = values;
  let toKeys = new Uint32Array(length);
  let toValues = new Int32Array(length);
  const counts = new Uint32Array(65_537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < length; i++) counts[((fromKeys[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d <= 65_536; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < length; i++) {
      const key = fromKeys[i]!;
      const at = counts[(key >>> shift) & 0xffff]!++;
      toKeys[at] = key;
      toValues[at] = fromValues[i]!;
    }
    [fromKeys, toKeys] = [toKeys, fromKeys];
    [fromValues, toValues] = [toValues, fromValues];
  }
  return [fromKeys, fromValues];
}

/**
 * Lays the sorted points out in a table addressed by the top bits of a
 * position, one to two slots per point: a point sits in its own slot or, when
 * that is taken, in the next free one; a free slot holds a copy of the next
 * point. A probe reads from its slot forward until a position not below it:
 * one cache line in nearly every case, where a separate index and point array
 * cost two misses.
 */
function layOut(positions: Uint32Array): {
  table: Uint32Array;
  tablePoints: Int32Array;
  shift: number;
  wrap: number;
} {
  const total = positions.length;
  let bits = 1;
  while (bits < 30 && 2 ** bits < total) bits++;
  const shift = 32 - bits;
  const slots = 2 ** bits;
  // Points pushed past the last home slot need room; the sentinel ends every scan.
  const slotOf = new Int32Array(total);
  let next = 0;
  for (let j = 0; j < total; j++) {
    const home = positions[j]! >>> shift;
    const slot = Math.max(home, next);
    slotOf[j] = slot;
    next = slot + 1;
  }
  const size = Math.max(slots, next) + 1;
  const table = new Uint32Array(size).fill(0xffffffff);
  const tablePoints = new Int32Array(size);
  let j = total - 1;
  // Backwards, so each free slot copies the point after it.
  for (let slot = next - 1; slot >= 0; slot--) {
    if (j >= 0 && slotOf[j] === slot) {
      table[slot] = positions[j]!;
      tablePoints[slot] = j;
      j--;
    } else {
      table[slot] = table[slot + 1]!;
      tablePoints[slot] = tablePoints[slot + 1]!;
    }
  }
  return { table, tablePoints, shift, wrap: next };
}
