import type { AggregationJob, Aggregator, AttemptFailure, ConfigIssue } from '@mcpool/core';
import { canonicalJson, checkOptions } from '@mcpool/core/internal';
import { z } from 'zod';
import { NoQuorumError, type VoteCount } from './no-quorum-error.js';
import { callback, positiveInteger } from './options.js';

const majorityOptionsSchema = z.object({
  servers: positiveInteger,
  quorum: positiveInteger,
  key: callback,
});

import { race } from './race.js';
import { majorityOf, tally } from './tally.js';

/** Options of {@link majority}. */
export interface MajorityOptions<A = unknown> {
  /**
   * How many servers vote, picked by the client's balancer. A server that
   * fails is replaced by one not yet asked, within the retry budget.
   * @default every candidate
   */
  servers?: number | undefined;
  /**
   * Votes an answer needs to win. Above half the voters only one answer can
   * win; below, the first answer to get there wins. With a single server up,
   * the default lets its answer win alone: set `quorum` to always demand agreement.
   * @default ⌊N/2⌋ + 1 of the N servers asked
   */
  quorum?: number | undefined;
  /**
   * The ballot: answers with the same key count as the same answer. Use it when
   * answers differ harmlessly (timestamps, ordering), e.g.
   * `(r) => canonicalJson(r.structuredContent)`. A key, not a comparator, so
   * "same answer" is transitive by construction and the count cannot depend on
   * arrival order.
   * @default canonical JSON of the whole answer, `_meta` ignored at every depth
   */
  key?: ((answer: A) => string) | undefined;
}

const IGNORE_META = new Set(['_meta']);
const defaultKey = (answer: unknown) => canonicalJson(answer, { ignoreKeys: IGNORE_META });

/**
 * The seed's "majority consensus": asks N servers, compares their answers and
 * answers with one that `quorum` of them agree on. It stops as soon as an
 * answer wins or none can any more, cancelling the servers still working.
 * Rejects with `NoQuorumError` (every distinct answer with its votes and
 * servers) when no answer wins. A failed server casts no vote; an `isError`
 * tool result is an answer and votes like any other. Safe requests only (the
 * client refuses others).
 */
export function majority<A = unknown>(options: MajorityOptions<A> = {}): Aggregator {
  const extra: ConfigIssue[] = [];
  if (
    Number.isInteger(options.servers) &&
    Number.isInteger(options.quorum) &&
    (options.quorum as number) > (options.servers as number)
  ) {
    extra.push({
      path: 'quorum',
      message: `must not exceed servers (${options.quorum} > ${options.servers}): no answer could ever win`,
    });
  }
  checkOptions('majority() options', majorityOptionsSchema, options, extra);
  const key = (options.key as ((answer: unknown) => string) | undefined) ?? defaultKey;

  return {
    name: 'majority',
    fanOut: true,
    async run<T>(job: AggregationJob<T>): Promise<T> {
      const voters = Math.min(options.servers ?? job.candidates.length, job.candidates.length);
      const quorum = options.quorum ?? majorityOf(voters);
      if (quorum > voters) {
        // Fewer servers can serve the request than the quorum needs: asking them would only load them.
        throw new NoQuorumError(job.description, {
          quorum,
          asked: [],
          votes: [],
          failures: [],
        });
      }

      const votes: string[] = [];
      const groups = new Map<string, { servers: string[]; answer: T }>();
      const failures: AttemptFailure[] = [];
      return race<T, T>(
        job,
        { initial: voters, cancelReason: 'the vote was decided without it' },
        (settled, control) => {
          if (settled.ok) {
            const ballot = key(settled.value);
            if (typeof ballot !== 'string')
              throw new TypeError(
                `majority(): the key option returned ${typeof ballot}, not a string`,
              );
            votes.push(ballot);
            const group = groups.get(ballot);
            if (group) group.servers.push(settled.server.id);
            else groups.set(ballot, { servers: [settled.server.id], answer: settled.value });
          } else {
            failures.push({ serverId: settled.server.id, error: settled.error });
            control.replace(settled.server.id);
          }
          const verdict = tally(votes, quorum, control.inFlight);
          if (verdict.kind === 'winner') {
            control.resolve((groups.get(verdict.key) as { answer: T }).answer);
          } else if (verdict.kind === 'no-quorum') {
            control.reject(
              new NoQuorumError(job.description, {
                quorum,
                asked: [...control.asked],
                votes: voteCounts(groups),
                failures,
              }),
            );
          }
        },
      );
    },
  };
}

function voteCounts(
  groups: ReadonlyMap<string, { servers: string[]; answer: unknown }>,
): VoteCount[] {
  return [...groups]
    .map(([key, g]) => ({ key, count: g.servers.length, servers: g.servers, answer: g.answer }))
    .sort((a, b) => b.count - a.count);
}
