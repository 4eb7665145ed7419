import type { Balancer, ServerView } from '@mcpool/core';
import { createSetCache, type SetEntry } from './candidate-sets.js';
import { createRotation } from './rotation.js';
import { noCandidates } from './shared.js';

/** NaN would compare unequal to everything and leave no top tier. */
function priorityOf(server: ServerView): number {
  const priority = server.priority;
  return Number.isNaN(priority) ? 0 : priority;
}

interface Tiers extends SetEntry {
  /** The members of the highest priority present, in list order. */
  readonly top: readonly ServerView[];
}

function buildTiers(members: readonly ServerView[], fields: Float64Array): Tiers {
  let highest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < fields.length; i++) if (fields[i]! > highest) highest = fields[i]!;
  return { members, fields, top: members.filter((_, i) => fields[i] === highest) };
}

/**
 * Sends every request to the highest-priority tier that has candidates, taking
 * its servers in turn. Lower tiers get traffic only while no server of a higher
 * tier is a candidate (down, ejected or draining): primary and standby.
 * Ignores weights.
 *
 * O(1) per pick: the top tier of each candidate set is listed once, when the
 * set is first seen (see `candidate-sets.ts` for how sets are recognised).
 */
export function priority(): Balancer {
  const rotation = createRotation();
  const sets = createSetCache<Tiers>({ build: buildTiers, field: priorityOf });
  return {
    name: 'priority',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      if (candidates.length === 0) noCandidates();
      const top = sets.get(candidates).top;
      return top[rotation.next(top.length)] as S;
    },
    onRemove(serverId: string): void {
      sets.forget(serverId);
    },
  };
}
