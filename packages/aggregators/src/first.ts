import { type Aggregator, firstSuccessful } from '@mcpool/core';

/**
 * The seed's "first successful", and the client's default: the balanced pick,
 * retries on other servers for safe requests (backoff, retry budget), then the
 * fallback order. One server at a time, so it is the only strategy that also
 * serves requests that are not safe to repeat.
 *
 * The logic lives in `@mcpool/core` (`firstSuccessful()`), because the client
 * needs a default without this package; this is the same strategy under the
 * name the other strategies sit beside.
 */
export function first(): Aggregator {
  return firstSuccessful();
}
