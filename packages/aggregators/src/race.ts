import { type AggregationJob, NoServerAvailableError, type ServerView } from '@mcpool/core';
import { abortReason } from '@mcpool/core/internal';
import { type RunningAttempt, type Settled, startAttempt } from './settled-attempt.js';

/** What a racing strategy may do from its `onSettled` callback. */
export interface RaceControl<R> {
  /** Servers asked so far, in the order they were asked. */
  readonly asked: readonly string[];
  /** Attempts still in flight. */
  readonly inFlight: number;
  /** Asks the next server the balancer picks; false when no candidate is left. */
  launchNext(): boolean;
  /**
   * Asks another server in place of `failed`, within the retry budget, and
   * records it as a retry; false when no candidate or budget is left.
   */
  replace(failed: string): boolean;
  /** Ends the race with an answer; the attempts still running are cancelled. */
  resolve(value: R): void;
  /** Ends the race with an error; the attempts still running are cancelled. */
  reject(error: unknown): void;
}

/** How a race starts and widens. */
export interface RaceOptions {
  /** Servers asked at once. */
  readonly initial: number;
  /** Asks one more server each time this long passes without an end. */
  readonly hedgeAfterMs?: number | undefined;
  /** Why losers are cancelled; travels upstream in `notifications/cancelled`. */
  readonly cancelReason: string;
}

/**
 * Runs attempts on several servers at once and hands each outcome to the
 * strategy, which ends the race when it has what it needs. Ending cancels
 * every attempt still running, so losers stop working upstream. A caller
 * abort or the call's timeout ends the race with the call's error.
 */
export function race<T, R>(
  job: AggregationJob<T>,
  options: RaceOptions,
  onSettled: (settled: Settled<T>, control: RaceControl<R>) => void,
): Promise<R> {
  return new Promise<R>((resolvePromise, rejectPromise) => {
    const tried = new Set<string>();
    const asked: string[] = [];
    const running = new Map<string, RunningAttempt<T>>();
    let done = false;
    let hedge: NodeJS.Timeout | undefined;

    const end = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(hedge);
      job.signal.removeEventListener('abort', onAbort);
      for (const attempt of running.values()) {
        // Not an AbortedError: that says "by the caller", and the upstream server
        // should read that the request is no longer needed.
        attempt.cancel(
          new Error(
            `${job.description} on server "${attempt.server.id}" was cancelled: ${options.cancelReason}`,
          ),
        );
      }
      running.clear();
      settle();
    };
    const onAbort = () => end(() => rejectPromise(abortReason(job.signal, job.description)));

    const launch = (server: ServerView) => {
      tried.add(server.id);
      asked.push(server.id);
      const attempt = startAttempt(job, server);
      running.set(server.id, attempt);
      void attempt.settled.then((settled) => {
        if (done) return;
        running.delete(server.id);
        try {
          onSettled(settled, control);
        } catch (error) {
          // A throwing `key` option, say: the caller's bug ends the call, visibly.
          control.reject(error);
        }
      });
    };

    const control: RaceControl<R> = {
      get asked() {
        return asked;
      },
      get inFlight() {
        return running.size;
      },
      launchNext: () => {
        if (done) return false;
        const next = job.pick(tried);
        if (!next) return false;
        launch(next);
        return true;
      },
      replace: (failed) => {
        if (done) return false;
        const next = job.pick(tried);
        if (!next || !job.takeRetry()) return false;
        job.note('retry', failed, next.id);
        launch(next);
        return true;
      },
      resolve: (value) => end(() => resolvePromise(value)),
      reject: (error) => end(() => rejectPromise(error)),
    };

    const scheduleHedge = () => {
      if (options.hedgeAfterMs === undefined || done) return;
      hedge = setTimeout(() => {
        // A hedge is a deliberate extra request for latency, not a retry of a
        // failure, so it does not draw on the retry budget.
        try {
          if (control.launchNext()) scheduleHedge();
        } catch (error) {
          control.reject(error);
        }
      }, options.hedgeAfterMs);
    };

    if (job.signal.aborted) {
      onAbort();
      return;
    }
    job.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (let i = 0; i < options.initial; i++) if (!control.launchNext()) break;
    } catch (error) {
      control.reject(error);
      return;
    }
    if (running.size === 0) {
      control.reject(new NoServerAvailableError(`No server is available for ${job.description}.`));
      return;
    }
    scheduleHedge();
  });
}
