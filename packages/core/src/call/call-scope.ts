import { setMaxListeners } from 'node:events';
import { markShared } from '../connection/cancellable-requests.js';
import { TimeoutError } from '../spec/errors.js';
import { MAX_TIMER_MS } from '../util/abort.js';

/**
 * Why calls share signals: Node 20 spends about 2.5 µs making an AbortSignal
 * (it changes a fresh EventTarget's prototype), a tenth of a whole MCP call
 * over InMemoryTransport. A call without a caller's signal therefore gets no
 * signal of its own unless something asks for one; its attempts carry a
 * signal shared by many calls, which only the client's `close()` aborts, and
 * its deadline travels as the SDK request's own timeout (the SDK sets that
 * timer for every request anyway).
 *
 * The SDK is not given a shared signal: it would add an abort listener per
 * request and never take it off. `sendCancellable` keeps the request in the
 * shared signal's own list instead, for as long as it is pending; aborting
 * the signal rejects what is pending and tells each server which requests it
 * can stop. A shared signal is let go every `GENERATION_SIZE` calls, once its
 * last call has ended, and after `IDLE_MS` at rest.
 */
const GENERATION_SIZE = 64;
const IDLE_MS = 100;

interface Generation {
  readonly controller: AbortController;
  started: number;
  inFlight: number;
}

/** The signals of one client's calls in flight; `abort()` ends them all. */
export class CallSignals {
  private current: Generation | undefined;
  private readonly generations = new Set<Generation>();
  /** Lets go of the current generation once the client is at rest. */
  private idle: NodeJS.Timeout | undefined;
  private readonly own = new Set<AbortController>();
  private reason: { value: unknown } | undefined;

  /** A shared signal for one more call; give it back with `release`. */
  acquire(): Generation {
    let generation = this.current;
    if (!generation || generation.started >= GENERATION_SIZE) {
      const controller = new AbortController();
      markShared(controller.signal);
      // Short-lived listeners of mcpool's own (deadline races) may pile up on a busy client.
      setMaxListeners(GENERATION_SIZE * 4, controller.signal);
      if (this.reason) controller.abort(this.reason.value);
      generation = { controller, started: 0, inFlight: 0 };
      if (this.current && this.current.inFlight === 0) this.generations.delete(this.current);
      this.current = generation;
      this.generations.add(generation);
    }
    generation.started++;
    generation.inFlight++;
    return generation;
  }

  release(generation: Generation): void {
    generation.inFlight--;
    if (generation.inFlight > 0) return;
    if (generation !== this.current) this.generations.delete(generation);
    // One timer at a time, whatever the traffic: a tight loop of calls re-arms nothing.
    else if (!this.reason) this.idle ??= setTimeout(() => this.sweep(), IDLE_MS).unref();
  }

  private sweep(): void {
    this.idle = undefined;
    const current = this.current;
    if (!current) return;
    if (current.inFlight > 0) return;
    this.generations.delete(current);
    this.current = undefined;
  }

  /** A controller of one call's own, aborted with the others. */
  track(controller: AbortController): void {
    if (this.reason) controller.abort(this.reason.value);
    else this.own.add(controller);
  }

  untrack(controller: AbortController): void {
    this.own.delete(controller);
  }

  /** Aborts every call in flight, and every call that starts from now on. */
  abort(reason: unknown): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.reason ??= { value: reason };
    for (const generation of this.generations) generation.controller.abort(reason);
    for (const controller of this.own) controller.abort(reason);
    this.own.clear();
  }
}

/**
 * One client call's lifetime: its deadline, the caller's signal and the
 * client's close. `attemptSignal` is what attempts send with; `signal` is the
 * call's own (made on first use), which also aborts at the deadline.
 */
export class CallScope {
  readonly deadline: number;
  /**
   * The signal attempts send with: the call's own once it has one, else a
   * shared one. A field, set when that changes: every attempt reads it.
   */
  attemptSignal: AbortSignal;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly generation: Generation | undefined;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    private readonly signals: CallSignals,
    private readonly caller: AbortSignal | undefined,
    private readonly timeoutMs: number,
    private readonly description: string,
    /** When the call started, as `performance.now()`. */
    started: number = performance.now(),
  ) {
    this.deadline = started + timeoutMs;
    if (caller) {
      this.onCallerAbort = () => this.controller?.abort(caller.reason);
      this.attemptSignal = this.ownController().signal;
    } else {
      this.generation = signals.acquire();
      this.attemptSignal = this.generation.controller.signal;
    }
  }

  /** The call's own signal: aborts at the deadline, on the caller's abort and on close. */
  get signal(): AbortSignal {
    return (this.controller ?? this.ownController()).signal;
  }

  /** True when the caller aborted or the client closed (not when merely past the deadline). */
  get aborted(): boolean {
    return this.attemptSignal.aborted;
  }

  /** Milliseconds left until the deadline (negative once past it). */
  remaining(): number {
    return this.deadline - performance.now();
  }

  end(): void {
    clearTimeout(this.timer);
    if (this.controller) {
      this.signals.untrack(this.controller);
      if (this.onCallerAbort) this.caller?.removeEventListener('abort', this.onCallerAbort);
    }
    if (this.generation) this.signals.release(this.generation);
  }

  private ownController(): AbortController {
    const controller = new AbortController();
    this.controller = controller;
    this.attemptSignal = controller.signal;
    this.signals.track(controller);
    if (this.generation?.controller.signal.aborted) {
      controller.abort(this.generation.controller.signal.reason);
    }
    const caller = this.caller;
    if (caller && this.onCallerAbort) {
      if (caller.aborted) this.onCallerAbort();
      else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
    // Node fires timers of 2^31 ms or more at once; an infinite budget gets no timer at all.
    if (Number.isFinite(this.timeoutMs) && !controller.signal.aborted) {
      this.timer = setTimeout(
        () => controller.abort(new TimeoutError(this.description, this.timeoutMs)),
        Math.min(Math.max(1, this.remaining()), MAX_TIMER_MS),
      );
    }
    return controller;
  }
}
