import {
  type AttemptContext,
  type CallContext,
  McpoolError,
  type RequestInfo,
  type ServerView,
} from '@mcpool/core';
import { canonicalJson, classifyError } from '@mcpool/core/internal';
import {
  type Attributes,
  type Context,
  type HrTime,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { ATTR, requestAttributes } from './attributes.js';
import { now } from './clock.js';
import { errorMessage, errorType, isTimeoutReason, jsonRpcCode } from './error-type.js';
import type { ResolvedTracingOptions } from './options.js';
import { injectInto } from './w3c.js';

/** Where a traced call hides on its request, so every attempt of it finds it (spreads copy symbols). */
export const CALL = Symbol.for('mcpool.opentelemetry.call');

/** What a traced request carries. */
export type TracedRequest = RequestInfo & { [CALL]?: CallTrace };

/** Why an attempt runs: the pool's `request:retry`/`request:fallback` event just before it. */
export interface AttemptNote {
  readonly kind: 'retry' | 'fallback';
  readonly from: string | undefined;
  readonly to: string;
  readonly method: string;
  readonly target: string | undefined;
}

/** What one traced call needs of its tracing. */
export interface CallHost {
  readonly tracer: Tracer;
  readonly options: ResolvedTracingOptions;
  /** The retry or fallback note for an attempt about to start on `server`, taken once. */
  takeNote(request: RequestInfo, server: ServerView): AttemptNote | undefined;
  /** The conventions' and mcpool's attributes of a server (cached per server). */
  server(server: ServerView): Attributes;
  /** The circuit state of a server, when known. */
  breakerState(server: ServerView): string | undefined;
  /** The server's one MCP session, when it has exactly one. */
  sessionId(server: ServerView): string | undefined;
}

const IGNORE_META: ReadonlySet<string> = new Set(['_meta']);
const ballotOf = (value: unknown) => canonicalJson(value, { ignoreKeys: IGNORE_META });

interface EndedAttempt {
  readonly span: Span;
  readonly server: ServerView;
  readonly attributes: Attributes;
  readonly endTime: HrTime;
  readonly ballot: string | undefined;
}

/**
 * One logical call and its attempts. The call span is the parent of one span
 * per attempt; attempts learn why they run (first, retry, fallback, hedge,
 * fan-out) from the order of events, and a majority's voters learn how they
 * voted once the call has its answer.
 */
export class CallTrace {
  attempts = 0;
  fellBack = false;
  /** The attempts that start in the same tick as the first are the call's opening wave. */
  private opening = false;
  /** error.type of the failed attempt on each server, for the retry that follows it. */
  private readonly failures = new Map<string, string>();
  private answered: { server: ServerView; attributes: Attributes } | undefined;
  /** Majority voters, held open until the verdict is known. */
  private readonly voters: EndedAttempt[] | undefined;
  private readonly fanOut: boolean;
  /** The protocol version every attempt so far went out on; null once two differed. */
  private version: string | null | undefined;

  constructor(
    private readonly host: CallHost,
    readonly span: Span,
    /** The call span's name, which its attempts' names extend. */
    private readonly name: string,
    /** The call span's context: parent of attempts, and what is propagated. */
    readonly context: Context,
    call: CallContext,
  ) {
    this.fanOut = call.aggregation.fanOut;
    this.voters = call.aggregation.name === 'majority' ? [] : undefined;
  }

  /** Runs one attempt inside its own span, with trace context in the request's `_meta`. */
  async attempt(
    context: AttemptContext,
    next: (context?: AttemptContext) => Promise<unknown>,
  ): Promise<unknown> {
    const { host } = this;
    const { server, request } = context;
    const number = ++this.attempts;
    if (!this.span.isRecording()) return this.carryOnly(context, next);
    const attributes: Attributes = {
      ...requestAttributes(request),
      ...host.server(server),
      [ATTR.attemptNumber]: number,
    };
    const note = host.takeNote(request, server);
    if (note) {
      if (note.kind === 'fallback') this.fellBack = true;
      attributes[ATTR.attemptKind] = note.kind;
      if (note.from !== undefined) {
        attributes[ATTR.retryFrom] = note.from;
        const reason = this.failures.get(note.from);
        if (reason !== undefined) attributes[ATTR.retryReason] = reason;
      }
    } else if (number === 1 || this.opening) {
      if (number === 1) {
        this.opening = true;
        queueMicrotask(() => {
          this.opening = false;
        });
      }
      attributes[ATTR.attemptKind] = this.fanOut ? 'fan-out' : 'first';
    } else {
      // Later, unasked for by a failure: the next page of a list, or a hedge.
      const cursor = (request.params as { cursor?: unknown } | undefined)?.cursor;
      attributes[ATTR.attemptKind] = cursor !== undefined ? 'page' : 'hedge';
    }
    const breaker = host.breakerState(server);
    if (breaker !== undefined) attributes[ATTR.breakerState] = breaker;
    const span = host.tracer.startSpan(
      `${this.name} on ${server.id}`,
      { kind: SpanKind.CLIENT, attributes, startTime: now() },
      this.context,
    );
    const params = (request.params ?? {}) as { _meta?: Record<string, unknown> };
    const meta: Record<string, unknown> = { ...params._meta };
    injectInto(meta, trace.setSpan(this.context, span), host.options.propagator);
    const sent: RequestInfo = { ...request, params: { ...params, _meta: meta } };
    let value: unknown;
    try {
      value = await next({ ...context, request: sent });
    } catch (error) {
      this.sent(span, context);
      this.failed(span, context, error);
      throw error;
    }
    this.sent(span, context);
    const session = host.sessionId(server);
    if (session !== undefined) span.setAttribute(ATTR.sessionId, session);
    const toolError = (value as { isError?: unknown } | undefined)?.isError === true;
    span.setAttribute(ATTR.attemptOutcome, toolError ? 'tool-error' : 'success');
    if (toolError) {
      // An answer, not a sick server; the conventions still call it an error of the operation.
      span.setAttribute(ATTR.errorType, 'tool_error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool answered with isError' });
    }
    const answered = { server, attributes: session ? { [ATTR.sessionId]: session } : {} };
    if (this.voters) {
      // A vote's answer is the majority's, known at the end (see vote()).
      this.voters.push({ span, ...answered, endTime: now(), ballot: ballotOf(value) });
    } else {
      // The first answer is the one a racing call keeps; a one-at-a-time call has only one.
      this.answered ??= answered;
      span.end();
    }
    return value;
  }

  /**
   * What the attempt put on the wire, known once `next()` sent it: the
   * JSON-RPC id (a string, as the conventions ask) and the session's protocol
   * version, which the call span carries too when all its attempts agree.
   */
  private sent(span: Span, context: AttemptContext): void {
    const id = context.requestId;
    if (id === undefined) return;
    span.setAttribute(ATTR.requestId, String(id));
    const version = context.protocolVersion ?? context.server.protocolVersion;
    if (version === undefined) return;
    span.setAttribute(ATTR.protocolVersion, version);
    if (this.version === undefined) this.version = version;
    else if (this.version !== version) this.version = null;
  }

  /**
   * A call that is not recorded (sampled out, or only carrying a caller's
   * trace) still hands the trace on upstream, with the sampling decision in
   * its flags, but spends nothing on attributes.
   */
  private async carryOnly(
    context: AttemptContext,
    next: (context?: AttemptContext) => Promise<unknown>,
  ): Promise<unknown> {
    const span = this.host.tracer.startSpan(this.name, { kind: SpanKind.CLIENT }, this.context);
    const params = (context.request.params ?? {}) as { _meta?: Record<string, unknown> };
    const meta: Record<string, unknown> = { ...params._meta };
    injectInto(meta, trace.setSpan(this.context, span), this.host.options.propagator);
    try {
      return await next({
        ...context,
        request: { ...context.request, params: { ...params, _meta: meta } },
      });
    } finally {
      span.end();
    }
  }

  private failed(span: Span, context: AttemptContext, error: unknown): void {
    const reason = context.signal.aborted ? context.signal.reason : undefined;
    if (context.signal.aborted && !isTimeoutReason(reason)) {
      // Called off (a race was won, a vote decided, the caller gave up): not the server's failure.
      span.setAttribute(ATTR.attemptOutcome, 'cancelled');
      span.setAttribute(ATTR.cancelReason, errorMessage(reason ?? error));
      span.end();
      return;
    }
    const type = errorType(error);
    this.failures.set(context.server.id, type);
    span.setAttribute(ATTR.attemptOutcome, classifyError(error, false));
    span.setAttribute(ATTR.errorType, type);
    const code = jsonRpcCode(error);
    if (code !== undefined) span.setAttribute(ATTR.statusCode, code);
    span.recordException(error instanceof Error ? error : new Error(errorMessage(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    if (this.voters) {
      this.voters.push({
        span,
        server: context.server,
        attributes: {},
        endTime: now(),
        ballot: undefined,
      });
    } else span.end();
  }

  /** Ends the call span with the call's result; returns the metric's attributes. */
  succeed(value: unknown, base: Attributes): Attributes {
    const { span } = this;
    const toolError = (value as { isError?: unknown } | undefined)?.isError === true;
    this.vote(value);
    this.finish();
    span.setAttribute(ATTR.outcome, toolError ? 'tool-error' : 'answered');
    if (toolError) {
      span.setAttribute(ATTR.errorType, 'tool_error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool answered with isError' });
    }
    span.end();
    return toolError ? { ...base, [ATTR.errorType]: 'tool_error' } : base;
  }

  /** Ends the call span with the call's error; returns the metric's attributes. */
  fail(error: unknown, aborted: boolean, base: Attributes): Attributes {
    const { span } = this;
    this.vote(undefined);
    this.finish();
    const type = errorType(error);
    const mayHaveRun = McpoolError.isInstance(error) && error.code === 'REQUEST_MAY_HAVE_RUN';
    span.setAttribute(
      ATTR.outcome,
      mayHaveRun ? 'may-have-run' : aborted && !isTimeoutReason(error) ? 'cancelled' : 'failed',
    );
    if (mayHaveRun) span.setAttribute(ATTR.mayHaveRun, true);
    span.setAttribute(ATTR.errorType, type);
    const code = jsonRpcCode(error);
    if (code !== undefined) span.setAttribute(ATTR.statusCode, code);
    span.recordException(error instanceof Error ? error : new Error(errorMessage(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    span.end();
    return { ...base, [ATTR.errorType]: type };
  }

  private finish(): void {
    const { span, answered } = this;
    span.setAttribute(ATTR.attempts, this.attempts);
    span.setAttribute(ATTR.fallbackUsed, this.fellBack);
    if (typeof this.version === 'string') span.setAttribute(ATTR.protocolVersion, this.version);
    if (answered) {
      span.setAttributes(this.host.server(answered.server));
      span.setAttributes(answered.attributes);
    }
  }

  /** Tells each voter of a majority whether it voted with the answer, then ends it. */
  private vote(value: unknown): void {
    const voters = this.voters;
    if (!voters) return;
    const winner = value === undefined ? undefined : ballotOf(value);
    for (const v of voters.splice(0)) {
      if (winner !== undefined && v.ballot === winner) {
        this.answered ??= { server: v.server, attributes: v.attributes };
      }
      if (v.ballot !== undefined) {
        v.span.setAttribute(
          ATTR.vote,
          winner === undefined ? 'no-quorum' : v.ballot === winner ? 'with-majority' : 'dissent',
        );
      }
      v.span.end(v.endTime);
    }
  }
}
