import { AllServersFailedError, type AttemptFailure } from './errors.js';
import type { AggregationJob, Aggregator } from './types.js';

/**
 * The seed's "first successful": the balanced pick, then up to `maxRetries`
 * retries on other servers (full-jitter backoff, within the retry budget),
 * then the fallback order; an error only when all fail. The client's default.
 */
export function firstSuccessful(): Aggregator {
  return {
    name: 'first',
    fanOut: false,
    async run<T>(job: AggregationJob<T>): Promise<T> {
      const failures: AttemptFailure[] = [];
      const tried = new Set<string>();
      let server = job.pick(tried);
      let retries = 0;
      let last: string | undefined;
      while (server) {
        tried.add(server.id);
        last = server.id;
        try {
          return await job.attempt(server);
        } catch (error) {
          failures.push({ serverId: server.id, error });
          if (!job.canRetry(error)) throw error;
        }
        if (retries >= job.maxRetries) break;
        const next = job.pick(tried);
        if (!next || !job.takeRetry()) break;
        retries++;
        await job.backoff(retries);
        job.note('retry', server.id, next.id);
        server = next;
      }
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
    },
  };
}
