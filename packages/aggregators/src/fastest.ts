import {
  type AggregationJob,
  type Aggregator,
  AllServersFailedError,
  type AttemptFailure,
} from '@mcpool/core';
import { checkOptions } from '@mcpool/core/internal';
import { z } from 'zod';
import { nonNegativeDuration, positiveInteger } from './options.js';

const fastestOptionsSchema = z.object({
  spread: positiveInteger,
  hedgeAfterMs: nonNegativeDuration,
});

import { race } from './race.js';

/** Options of {@link fastest}. */
export interface FastestOptions {
  /**
   * How many servers are asked at once, in the order the client's balancer
   * picks them. Fewer than all saves load; `hedgeAfterMs` and failures widen
   * the race later.
   * @default every candidate
   */
  spread?: number | undefined;
  /**
   * Asks one more server each time this long passes without an answer
   * (a hedged request, after "The Tail at Scale"); set it near the servers'
   * p95 latency. Hedges do not draw on the retry budget.
   * @default no hedging
   */
  hedgeAfterMs?: number | undefined;
}

/**
 * The seed's "fastest response": races the candidates and answers with the
 * first success; the losers are cancelled (`notifications/cancelled` goes
 * upstream). A failure drops out of the race while others may still win, and
 * is replaced by a server not yet asked, within the retry budget. Rejects with
 * `AllServersFailedError` when every server asked failed. Safe requests only
 * (the client refuses others).
 */
export function fastest(options: FastestOptions = {}): Aggregator {
  checkOptions('fastest() options', fastestOptionsSchema, options);

  return {
    name: 'fastest',
    fanOut: true,
    run<T>(job: AggregationJob<T>): Promise<T> {
      const failures: AttemptFailure[] = [];
      return race<T, T>(
        job,
        {
          initial: options.spread ?? job.candidates.length,
          hedgeAfterMs: options.hedgeAfterMs,
          cancelReason: 'another server answered first',
        },
        (settled, control) => {
          if (settled.ok) {
            control.resolve(settled.value);
            return;
          }
          failures.push({ serverId: settled.server.id, error: settled.error });
          // Keep `spread` servers racing while there are servers left to ask.
          if (control.replace(settled.server.id) || control.inFlight > 0) return;
          control.reject(new AllServersFailedError(job.description, failures));
        },
      );
    },
  };
}
