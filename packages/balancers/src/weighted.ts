import type { Balancer, ServerView } from '@mcpool/core';
import { createSetCache, type SetEntry } from './candidate-sets.js';
import { noCandidates, weightOf } from './shared.js';
import { createSmoothSchedule, type SmoothSchedule } from './smooth-schedule.js';

interface Slot {
  readonly id: string;
  /** Smooth round robin credit (stale while a live schedule holds it). */
  current: number;
  /** Weight when the schedule was last reset. */
  weight: number;
  /** Schedule generation the server belongs to, -1 for none. */
  generation: number;
  /** Stamp of the last set-equality check that found it among the previous pick's candidates. */
  mark: number;
}

interface WeightedSet extends SetEntry {
  /** Sum of the members' weights, added in list order as a scan would. */
  readonly total: number;
}

function buildSet(members: readonly ServerView[], fields: Float64Array): WeightedSet {
  let total = 0;
  for (let i = 0; i < fields.length; i++) total += fields[i]!;
  return { members, fields, total };
}

/**
 * Smooth weighted round robin, as in nginx: weights {5, 1, 1} give
 * `a a b a c a a`, repeating. Every whole cycle of `sum(weights)` picks gives
 * each server exactly its weight, with the picks of heavy servers spread out
 * rather than bunched.
 *
 * - Weight 0 drains a server: it is never picked while a candidate with a
 *   positive weight exists. When every candidate weighs 0 they are taken in
 *   equal turns instead of failing: the candidates were already judged fit to
 *   serve, and refusing all traffic is worse than ignoring a drain nobody can honour.
 * - NaN, negative and infinite weights count as 0.
 * - When the candidate list or a weight changes, the first pick continues the
 *   old schedule (so a one-off list, such as a retry that excludes a server,
 *   disturbs nothing), and if the next pick sees the same list the schedule
 *   restarts from zero, so cycles are exact again from that pick on.
 *
 * Cost: while picks see the list of the running schedule, O(log n) amortized
 * per pick (see `smooth-schedule.ts`); a pick on another list (a detour, a
 * change) is one O(n) pass, as is the first pick back on the schedule's list.
 */
export function weighted(): Balancer {
  const slots = new Map<string, Slot>();
  const sets = createSetCache<WeightedSet>({ build: buildSet, field: weightOf });
  let generation = 0;
  let generationLength = 0;
  let markStamp = 0;
  /** The set of the previous pick; undefined when a member of it was removed since. */
  let last: WeightedSet | undefined;
  /** The set the running schedule was reset for (or found equal to). */
  let schedule: WeightedSet | undefined;
  /** The schedule's credits, held lazily, when they are more current than the slots. */
  let live: SmoothSchedule | undefined;

  function slotOf(id: string): Slot {
    let slot = slots.get(id);
    if (slot === undefined) {
      slot = { id, current: 0, weight: 0, generation: -1, mark: -1 };
      slots.set(id, slot);
    }
    return slot;
  }

  /** Writes the live schedule's credits back to the slots. */
  function flush(): void {
    if (live === undefined || schedule === undefined) return;
    const members = schedule.members;
    for (let i = 0; i < members.length; i++) {
      if (schedule.fields[i]! > 0) slotOf(members[i]!.id).current = live.current(i);
    }
    live = undefined;
  }

  /** Whether `candidates` hold the same servers as the previous pick's, in any order. */
  function sameAsLast(entry: WeightedSet): boolean {
    if (last === undefined) return false;
    if (entry === last) return true;
    const members = entry.members;
    if (members.length !== last.members.length) return false;
    markStamp++;
    for (const server of last.members) slotOf(server.id).mark = markStamp;
    for (const server of members) if (slotOf(server.id).mark !== markStamp) return false;
    return true;
  }

  /** Restarts the schedule for exactly these candidates. */
  function reset(entry: WeightedSet): void {
    generation++;
    const members = entry.members;
    generationLength = members.length;
    for (let i = 0; i < members.length; i++) {
      const slot = slotOf(members[i]!.id);
      slot.current = 0;
      slot.weight = entry.fields[i]!;
      slot.generation = generation;
    }
    // Only now, when state is rebuilt anyway, are departed servers worth sweeping.
    if (slots.size > generationLength) {
      for (const [id, slot] of slots) if (slot.generation !== generation) slots.delete(id);
    }
  }

  /** Credits every candidate and returns the index with most credit. */
  function credit(entry: WeightedSet, equal: boolean): number {
    const members = entry.members;
    let best = 0;
    let bestCurrent = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < members.length; i++) {
      const weight = equal ? 1 : entry.fields[i]!;
      if (weight === 0) continue;
      const slot = slotOf(members[i]!.id);
      const current = slot.current + weight;
      slot.current = current;
      if (current > bestCurrent) {
        bestCurrent = current;
        best = i;
      }
    }
    return best;
  }

  /** One O(n) pick with every rule; any list, any state. */
  function scanPick(entry: WeightedSet): number {
    flush();
    const members = entry.members;
    const length = members.length;
    const lastToo = sameAsLast(entry);
    let sameAsSchedule = length === generationLength;
    if (sameAsSchedule) {
      for (let i = 0; i < length; i++) {
        const slot = slotOf(members[i]!.id);
        if (slot.generation !== generation || slot.weight !== entry.fields[i]) {
          sameAsSchedule = false;
          break;
        }
      }
    }
    let total = entry.total;
    let best = credit(entry, false);
    const restart = !sameAsSchedule && (lastToo || generationLength === 0);
    if (restart || total === 0) {
      if (restart) reset(entry);
      const equal = total === 0;
      if (equal) total = length;
      best = credit(entry, equal);
    }
    slotOf(members[best]!.id).current -= total;
    if (restart || sameAsSchedule) schedule = entry;
    return best;
  }

  return {
    name: 'weighted',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      if (candidates.length === 0) noCandidates();
      const entry = sets.get(candidates);
      let chosen: number;
      if (entry === last && entry === schedule && entry.total > 0) {
        if (live === undefined) {
          const members = entry.members;
          const credits = new Float64Array(members.length);
          for (let i = 0; i < members.length; i++) {
            if (entry.fields[i]! > 0) credits[i] = slotOf(members[i]!.id).current;
          }
          live = createSmoothSchedule(entry.fields, credits, entry.total);
        }
        chosen = live.next();
      } else {
        chosen = scanPick(entry);
      }
      last = entry;
      return entry.members[chosen] as S;
    },
    onRemove(serverId: string): void {
      // The previous pick's list may hold it without a slot (weight 0): check the sets first.
      const member = (entry: WeightedSet | undefined) =>
        entry?.members.some((s) => s.id === serverId) === true;
      if (member(schedule)) {
        flush();
        schedule = undefined;
      }
      if (member(last)) last = undefined;
      slots.delete(serverId);
      sets.forget(serverId);
    },
  };
}
