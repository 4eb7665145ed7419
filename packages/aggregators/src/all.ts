import {
  type AggregationJob,
  type Aggregator,
  AllServersFailedError,
  type AttemptOutcome,
  McpoolError,
  type ServerView,
} from '@mcpool/core';
import { abortReason, checkOptions, faultOf } from '@mcpool/core/internal';
import { z } from 'zod';
import { type Answer, combineAnswers } from './all-result.js';
import { callback, positiveDuration } from './options.js';

const allOptionsSchema = z.object({ timeout: positiveDuration, onReport: callback });

import { startAttempt } from './settled-attempt.js';

/** What `all()` tells `onReport` after every call. */
export interface AllReport {
  /** MCP method, e.g. `tools/list`. */
  readonly method: string;
  /** Human description, e.g. `tools/call "add"`. */
  readonly description: string;
  /** Servers asked, in candidate order. */
  readonly asked: readonly string[];
  /** Servers that answered (an `isError` tool result is an answer). */
  readonly answered: readonly string[];
  /** Servers that did not, with the outcome and error of their attempt. */
  readonly missing: readonly MissingServer[];
}

/** One server left out of an `all()` answer. */
export interface MissingServer {
  readonly server: string;
  /** `timeout`, `server-error`, `rejected` (the server refused the request) or `aborted`. */
  readonly outcome: AttemptOutcome;
  readonly error: unknown;
  readonly latencyMs: number;
}

/** Options of {@link all}. */
export interface AllOptions {
  /**
   * Time budget of each server's attempt, ms. A server that has not answered
   * by then is left out (and reported) while the others' answers are returned.
   * @default the call's budget (the client's `attemptTimeout`, within the call's `timeout`)
   */
  timeout?: number | undefined;
  /**
   * Told, once per call and before it returns, which servers answered and which
   * did not and why. Catalogs come back as plain arrays, so this is where a
   * partial catalog shows. It runs inside the call: if it throws, the call
   * rejects with its error. Create one `all({ onReport })` per call to tie a
   * report to its call.
   */
  onReport?: ((report: AllReport) => void) | undefined;
}

/**
 * The seed's "aggregate all": asks every candidate at once and combines what
 * comes back within each server's time budget.
 *
 * - Catalogs (`listTools`, `listPrompts`, ...) are merged by the client's
 *   catalog rules, so conflicting names are namespaced as the pool's are.
 * - A tool call answers with every server's result, tagged with its id, in
 *   `structuredContent` ({@link AllCallContent}), and a text summary.
 * - `readResource` merges the contents, `complete` the values; other requests
 *   answer with the first server's answer in candidate order.
 *
 * Rejects with `AllServersFailedError` only when no server answered. When the
 * call's own timeout runs out, answers with what has arrived; a caller abort
 * or a closed client rejects. Safe requests only (the client refuses others).
 */
export function all(options: AllOptions = {}): Aggregator {
  checkOptions('all() options', allOptionsSchema, options);
  const { timeout, onReport } = options;

  return {
    name: 'all',
    fanOut: true,
    async run<T>(job: AggregationJob<T>): Promise<T> {
      const running = job.candidates.map((server) => startAttempt(job, server, timeout));
      const settled = await Promise.all(running.map((r) => r.settled));
      // Running out of the call's budget is what all() is built to survive; a
      // caller who gave up, or a client that closed, wants no answer.
      if (job.signal.aborted && !isTimeout(job.signal.reason))
        throw abortReason(job.signal, job.description);

      const answers: { server: ServerView; value: T }[] = [];
      const missing: MissingServer[] = [];
      for (const s of settled) {
        if (s.ok) answers.push({ server: s.server, value: s.value });
        else
          missing.push({
            server: s.server.id,
            outcome: faultOf(s.error),
            error: s.error,
            latencyMs: s.latencyMs,
          });
      }
      const asked = job.candidates.map((s) => s.id);
      onReport?.({
        method: job.request.method,
        description: job.description,
        asked,
        answered: answers.map((a) => a.server.id),
        missing,
      });
      if (answers.length === 0) {
        throw new AllServersFailedError(
          job.description,
          missing.map((m) => ({ serverId: m.server, error: m.error })),
        );
      }
      if (job.merge) return job.merge(answers);
      const plain: Answer[] = answers.map((a) => ({ server: a.server.id, value: a.value }));
      return combineAnswers(job.request.method, job.description, plain, missing, asked) as T;
    },
  };
}

function isTimeout(reason: unknown): boolean {
  return McpoolError.isInstance(reason) && reason.code === 'TIMEOUT';
}
