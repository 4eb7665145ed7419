import type { AttemptReport, Balancer, ServerView } from '@mcpool/core';
import { createSetCache, type SetEntry, SMALL_SET } from './candidate-sets.js';
import { createMinTree, type MinTree } from './min-tree.js';
import { noCandidates, weightOf } from './shared.js';

interface Loads extends SetEntry {
  /** Load of each member as last read: `inFlight / weight`, +Infinity when drained. */
  readonly tree: MinTree;
  /** Position of each member by id. */
  readonly positions: Map<string, number>;
  /** Next member the sweep re-reads. */
  sweep: number;
}

function loadOf(server: ServerView): number {
  const weight = weightOf(server);
  return weight > 0 ? server.inFlight / weight : Number.POSITIVE_INFINITY;
}

function buildLoads(members: readonly ServerView[], fields: Float64Array): Loads {
  const loads = new Float64Array(members.length);
  const positions = new Map<string, number>();
  for (let i = members.length - 1; i >= 0; i--) {
    const server = members[i]!;
    loads[i] = loadOf(server);
    positions.set(server.id, i);
  }
  return { members, fields, tree: createMinTree(loads), positions, sweep: 0 };
}

/** Members re-read per pick, so changes the balancer is not told of are caught within n/2 picks. */
const SWEEP_PER_PICK = 2;

/**
 * Picks the candidate with the fewest requests in flight right now relative
 * to its weight (`inFlight / weight`), so a server of weight 2 carries twice
 * the concurrent load of one of weight 1.
 *
 * - Ties go to the first tied candidate after the previous winner's position,
 *   so idle servers are taken in turn instead of always the first one.
 * - Weight 0 drains a server: it is only picked when every candidate weighs 0,
 *   and then by plain in-flight count.
 *
 * Up to 64 candidates it reads every `ServerView.inFlight` at the moment of
 * the pick. Above, it keeps a tree of loads per candidate set, O(log n) per
 * pick, updated by `onStart` and `onResult` (the pool calls them around
 * every attempt, after changing `inFlight`). The winner's load is re-read
 * before it is returned, and two members per pick are re-read in turn, so a
 * change the balancer is not told of (a health check's probe) is caught.
 *
 * Either way it is only as good as `inFlight` is fresh: the pool must count a
 * request as in flight before the next pick, or a burst of picks lands on
 * the same idle server.
 */
export function leastConnections(): Balancer {
  return leastConnectionsAbove(SMALL_SET);
}

/** `leastConnections()` with the tree used above `threshold` candidates (tests force it with 0). */
export function leastConnectionsAbove(threshold: number): Balancer {
  let cursor = 0;
  const sets = createSetCache<Loads>({ build: buildLoads, field: weightOf });

  /** The exact scan: small sets, and every candidate drained. */
  function scan(candidates: readonly ServerView[]): number {
    const length = candidates.length;
    let index = cursor < length ? cursor : 0;
    let best = -1;
    let bestLoad = Number.POSITIVE_INFINITY;
    // Fallback for when every candidate is drained, found in the same pass.
    let idlest = index;
    let idlestInFlight = Number.POSITIVE_INFINITY;
    for (let n = 0; n < length; n++) {
      const server = candidates[index]!;
      const weight = weightOf(server);
      if (weight > 0) {
        const load = server.inFlight / weight;
        if (load < bestLoad) {
          bestLoad = load;
          best = index;
        }
      } else if (best === -1 && server.inFlight < idlestInFlight) {
        idlestInFlight = server.inFlight;
        idlest = index;
      }
      index++;
      if (index === length) index = 0;
    }
    return best === -1 ? idlest : best;
  }

  function refresh(entry: Loads, index: number): void {
    const load = loadOf(entry.members[index]!);
    if (load !== entry.tree.leaf(index)) entry.tree.set(index, load);
  }

  function told(server: ServerView): void {
    const entries = sets.entries;
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e]!;
      const index = entry.positions.get(server.id);
      if (index !== undefined) refresh(entry, index);
    }
  }

  function fromTree(entry: Loads): number {
    const { tree, members } = entry;
    const length = members.length;
    for (let n = 0; n < SWEEP_PER_PICK; n++) {
      refresh(entry, entry.sweep);
      entry.sweep = entry.sweep + 1 === length ? 0 : entry.sweep + 1;
    }
    for (;;) {
      const min = tree.min();
      if (min === Number.POSITIVE_INFINITY) return scan(members);
      const from = cursor < length ? cursor : 0;
      let index = tree.firstAtMost(from, min);
      if (index === -1) index = tree.firstAtMost(0, min);
      const load = loadOf(members[index]!);
      if (load === min) return index;
      // Out of date: a change nobody reported. Fix it and look again.
      tree.set(index, load);
    }
  }

  return {
    name: 'least_connections',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      let chosen: number;
      if (length <= threshold) {
        chosen = scan(candidates);
      } else {
        const entry = sets.get(candidates);
        chosen = fromTree(entry);
        const picked = entry.members[chosen] as S;
        cursor = chosen + 1;
        return picked;
      }
      cursor = chosen + 1;
      return candidates[chosen]!;
    },
    onStart(server: ServerView): void {
      told(server);
    },
    onResult(report: AttemptReport): void {
      told(report.server);
    },
    onRemove(serverId: string): void {
      sets.forget(serverId);
    },
  };
}
