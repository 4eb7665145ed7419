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
 * Memory: a table of one to two 8-byte slots per point, so 0.5 to 1 KB per
 * server of weight 1: 17 MB for 10,000 servers of weight 2, 134 MB for
 * 100,000; building takes about as much again, briefly.
 */
export interface HashRing extends SetEntry {
  /** Index (in `members`) of the server a key hash goes to. */
  lookup(keyHash: number): number;
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
  const { table, tableOwners, shift, wrap } = layOut(positions, owners);
  const firstPosition = positions[0]!;
  const firstOwner = owners[0]!;

  return {
    members,
    fields,
    lookup(keyHash: number): number {
      let bestDistance = Number.POSITIVE_INFINITY;
      let bestSlot = 0;
      for (let p = 0; p < PROBES; p++) {
        const probe = mix32(keyHash ^ PROBE_SEEDS[p]!);
        let slot = probe >>> shift;
        let position = table[slot]!;
        while (position < probe) position = table[++slot]!;
        // Past the last point: the successor is the first point, round the ring.
        const distance = ((slot >= wrap ? firstPosition : position) - probe) >>> 0;
        if (distance < bestDistance) {
          bestDistance = distance;
          bestSlot = slot;
        }
      }
      return bestSlot >= wrap ? firstOwner : tableOwners[bestSlot]!;
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
function layOut(
  positions: Uint32Array,
  owners: Int32Array,
): { table: Uint32Array; tableOwners: Int32Array; shift: number; wrap: number } {
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
  const tableOwners = new Int32Array(size);
  let j = total - 1;
  // Backwards, so each free slot copies the point after it.
  for (let slot = next - 1; slot >= 0; slot--) {
    if (j >= 0 && slotOf[j] === slot) {
      table[slot] = positions[j]!;
      tableOwners[slot] = owners[j]!;
      j--;
    } else {
      table[slot] = table[slot + 1]!;
      tableOwners[slot] = tableOwners[slot + 1]!;
    }
  }
  return { table, tableOwners, shift, wrap: next };
}
