import { type RequestInfo, type ServerPool, type ServerView, TimeoutError } from '@mcpool/core';
import { faultOf, untilAborted } from '@mcpool/core/internal';
import { saysNothingAboutServer } from './failure.js';
import type { HealthSettings } from './options.js';
import type { ServerRecord } from './status.js';

const PING: RequestInfo = { method: 'ping', params: undefined, safe: true };
const LIST_TOOLS: RequestInfo = { method: 'tools/list', params: {}, safe: true };

/** How one active check ended. */
export interface CheckResult {
  readonly ok: boolean;
  readonly failure: unknown;
  readonly latencyMs: number;
}

/**
 * Runs one active check of a server within the check timeout: the built-in
 * `ping` or `listTools` probe, or the user's check. Undefined when the check
 * learned nothing (the checker stopped, or a breaker refused before anything
 * was sent).
 */
export async function runCheck(
  pool: ServerPool,
  server: ServerView,
  r: ServerRecord,
  settings: HealthSettings,
  check: Exclude<HealthSettings['check'], false>,
  stop: AbortSignal,
): Promise<CheckResult | undefined> {
  const { clock, timeout } = settings;
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  const deadline = clock.now() + timeout;
  // A backstop for custom checks that ignore their signal; probes time out by themselves.
  const timer = clock.setTimeout(
    () => controller.abort(new TimeoutError(`Health check of server "${r.id}"`, timeout)),
    timeout + 50,
  );
  const probe = (request: RequestInfo) =>
    probeOnce(pool, server, r, request, controller.signal, Math.max(1, deadline - clock.now()));
  const started = performance.now();
  try {
    const work =
      check === 'ping'
        ? probe(PING)
        : check === 'listTools'
          ? probe(LIST_TOOLS)
          : check(server, controller.signal, probe);
    await untilAborted(work, controller.signal);
    return { ok: true, failure: undefined, latencyMs: performance.now() - started };
  } catch (error) {
    if (stop.aborted) return undefined;
    // An open breaker in front of the server: this check learned nothing.
    if (saysNothingAboutServer(error) && !controller.signal.aborted) return undefined;
    // A built-in check that got a deliberate JSON-RPC error back still got an answer.
    const ok = typeof check !== 'function' && faultOf(error) === 'rejected';
    return { ok, failure: error, latencyMs: performance.now() - started };
  } finally {
    clock.clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

/** One background attempt of the checker's own; its `attempt` event is not counted as traffic. */
async function probeOnce(
  pool: ServerPool,
  server: ServerView,
  r: ServerRecord,
  request: RequestInfo,
  signal: AbortSignal,
  timeout: number,
): Promise<unknown> {
  r.probes.push(request.method);
  try {
    return await pool.execute(server, request, { background: true, signal, timeout });
  } finally {
    // Normally the `attempt` event took it already; not when execute threw before the attempt.
    const at = r.probes.indexOf(request.method);
    if (at >= 0) r.probes.splice(at, 1);
  }
}
