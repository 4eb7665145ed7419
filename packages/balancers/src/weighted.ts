import type { Balancer, ServerView } from '@mcpool/core';
import { noCandidates, weightOf } from './shared.js';

interface Slot {
  readonly id: string;
  /** Smooth round robin credit. */
  current: number;
  /** Weight when the schedule was last reset. */
  weight: number;
  /** Pick number in which this server was last a candidate. */
  seen: number;
  /** Schedule generation the server belongs to, -1 for none. */
  generation: number;
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
 */
export function weighted(): Balancer {
  const slots = new Map<string, Slot>();
  // Slots by list position: candidate lists rarely change, and comparing an id
  // with the one cached there is cheaper than a map lookup.
  const byPosition: Slot[] = [];
  let pickNumber = 0;
  let lastLength = 0;
  let generation = 0;
  let generationLength = 0;

  /** The slot of the server with this id, at this position of the list. */
  function slotAt(position: number, id: string): Slot {
    const cached = byPosition[position];
    if (cached !== undefined && cached.id === id) return cached;
    let slot = slots.get(id);
    if (slot === undefined) {
      slot = { id, current: 0, weight: 0, seen: -1, generation: -1 };
      slots.set(id, slot);
    }
    byPosition[position] = slot;
    return slot;
  }

  /** Restarts the schedule for exactly these candidates. */
  function reset(candidates: readonly ServerView[]): void {
    generation++;
    generationLength = candidates.length;
    for (let i = 0; i < candidates.length; i++) {
      const server = candidates[i]!;
      const slot = slotAt(i, server.id);
      slot.current = 0;
      slot.weight = weightOf(server);
      slot.generation = generation;
    }
    // Only now, when state is rebuilt anyway, are departed servers worth sweeping.
    if (slots.size > generationLength) {
      for (const [id, slot] of slots) if (slot.generation !== generation) slots.delete(id);
      byPosition.length = 0;
    }
  }

  /** Credits every candidate and returns the index with most credit (rare paths only). */
  function credit(candidates: readonly ServerView[], equal: boolean): number {
    let best = 0;
    let bestCurrent = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < candidates.length; i++) {
      const server = candidates[i]!;
      const weight = equal ? 1 : weightOf(server);
      if (weight === 0) continue;
      const slot = slotAt(i, server.id);
      const current = slot.current + weight;
      slot.current = current;
      if (current > bestCurrent) {
        bestCurrent = current;
        best = i;
      }
    }
    return best;
  }

  return {
    name: 'weighted',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      pickNumber++;
      let sameAsLast = length === lastLength;
      let sameAsSchedule = length === generationLength;
      let total = 0;
      let best = 0;
      let bestSlot: Slot | undefined;
      let bestCurrent = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < length; i++) {
        const server = candidates[i]!;
        const weight = weightOf(server);
        const slot = slotAt(i, server.id);
        if (slot.seen !== pickNumber - 1) sameAsLast = false;
        if (slot.generation !== generation || slot.weight !== weight) sameAsSchedule = false;
        slot.seen = pickNumber;
        if (weight === 0) continue;
        const current = slot.current + weight;
        slot.current = current;
        total += weight;
        if (current > bestCurrent) {
          bestCurrent = current;
          best = i;
          bestSlot = slot;
        }
      }
      lastLength = length;

      const restart = !sameAsSchedule && (sameAsLast || generationLength === 0);
      if (restart || total === 0) {
        if (restart) reset(candidates);
        const equal = total === 0;
        if (equal) total = length;
        best = credit(candidates, equal);
        bestSlot = slotAt(best, candidates[best]!.id);
      }
      bestSlot!.current -= total;
      return candidates[best]!;
    },
    onRemove(serverId: string): void {
      if (slots.delete(serverId)) byPosition.length = 0;
    },
  };
}
