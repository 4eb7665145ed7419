import type { AggregationJob, Aggregator } from '../spec/aggregator.js';
import { AllServersFailedError, type AttemptFailure } from '../spec/errors.js';
import type { ServerView } from '../spec/server.js';

/**
 * The seed's "first successful": the balanced pick, then up to `maxRetries`
 * retries on other servers (full-jitter backoff, within the retry budget),
 * then the fallback order; an error only when all fail. The client's default.
 */
export function first(): Aggregator {
  return {
    name: 'first',
    fanOut: false,
    run<T>(job: AggregationJob<T>): Promise<T> {
      // Most calls succeed at once: the bookkeeping of retries waits for a
      // failure, and an answer goes straight back to the caller. Not async for
      // that reason: an answer does not come back here on its way.
      let picked: ServerView | undefined;
      try {
        picked = job.pick();
      } catch (error) {
        return Promise.reject(error);
      }
      if (!picked) return fallBack(job, new Set(), [], undefined);
      const server = picked;
      let answer: Promise<T>;
      try {
        answer = job.attempt(server);
      } catch (error) {
        answer = Promise.reject(error);
      }
      return answer.catch((error: unknown) => {
        if (!job.canRetry(error)) throw error;
        return retry(job, server, error);
      });
    },
  };
}

async function retry<T>(job: AggregationJob<T>, failed: ServerView, error: unknown): Promise<T> {
  const failures: AttemptFailure[] = [{ serverId: failed.id, error }];
  const tried = new Set<string>([failed.id]);
  let server = failed;
  for (let retries = 1; retries <= job.maxRetries; retries++) {
    const next = job.pick(tried);
    if (!next || !job.takeRetry()) break;
    await job.backoff(retries);
    job.note('retry', server.id, next.id);
    server = next;
    tried.add(server.id);
    try {
      return await job.attempt(server);
    } catch (caught) {
      failures.push({ serverId: server.id, error: caught });
      if (!job.canRetry(caught)) throw caught;
    }
  }
  return fallBack(job, tried, failures, server.id);
}

async function fallBack<T>(
  job: AggregationJob<T>,
  tried: Set<string>,
  failures: AttemptFailure[],
  last: string | undefined,
): Promise<T> {
  for (const fallback of job.fallback) {
    if (tried.has(fallback.id)) continue;
    if (failures.length > 0 && !job.takeRetry()) break;
    tried.add(fallback.id);
    job.note('fallback', last, fallback.id);
    last = fallback.id;
    try {
      return await job.attempt(fallback);
    } catch (error) {
      failures.push({ serverId: fallback.id, error });
      if (!job.canRetry(error)) throw error;
    }
  }
  throw new AllServersFailedError(job.description, failures);
}
