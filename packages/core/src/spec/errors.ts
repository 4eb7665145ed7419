const MARKER = Symbol.for('mcpool.error');

/** Stable, machine-readable error codes. Match on these, never on messages. */
export type McpoolErrorCode =
  | 'NO_SERVER_AVAILABLE'
  | 'ALL_SERVERS_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'POOL_CLOSED'
  | 'INVALID_CONFIG'
  | 'UNKNOWN_CAPABILITY'
  | 'AMBIGUOUS_NAME'
  | 'UNKNOWN_SERVER'
  | 'DUPLICATE_SERVER'
  | 'REQUEST_MAY_HAVE_RUN'
  | 'CONNECTION_FAILED'
  | 'UNSAFE_AGGREGATION'
  | 'NO_QUORUM'
  | 'CIRCUIT_OPEN';

/** Base class of every error mcpool throws. */
export class McpoolError extends Error {
  protected readonly [MARKER] = true;
  readonly code: McpoolErrorCode;

  constructor(code: McpoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True for any mcpool error, even one from another copy of this package. */
  static isInstance(error: unknown): error is McpoolError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/** No server in the pool can take the request right now. */
export class NoServerAvailableError extends McpoolError {
  constructor(message = 'No server is available: every server is down, ejected or draining.') {
    super('NO_SERVER_AVAILABLE', message);
  }
}

/** One failed attempt on one server, kept for the caller to inspect. */
export interface AttemptFailure {
  readonly serverId: string;
  readonly error: unknown;
}

/** Every server that was tried failed; `failures` holds each server's cause. */
export class AllServersFailedError extends McpoolError {
  readonly failures: readonly AttemptFailure[];

  constructor(what: string, failures: readonly AttemptFailure[]) {
    const detail = failures
      .map((f) => `${f.serverId}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
      .join('; ');
    super(
      'ALL_SERVERS_FAILED',
      `${what} failed on every server tried (${failures.length}): ${detail}. Check the servers' health with pool.getMetrics().`,
      { cause: failures.at(-1)?.error },
    );
    this.failures = failures;
  }
}

/** The call's time budget ran out. */
export class TimeoutError extends McpoolError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(
      'TIMEOUT',
      `${what} timed out after ${timeoutMs} ms. Raise \`timeout\` for this call or \`requestTimeout\` for the client.`,
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the call through its AbortSignal. */
export class AbortedError extends McpoolError {
  constructor(what: string, reason?: unknown) {
    super('ABORTED', `${what} was aborted by the caller.`, { cause: reason });
  }
}

/** The pool (or client) was closed. */
export class PoolClosedError extends McpoolError {
  constructor(what = 'The server pool') {
    super('POOL_CLOSED', `${what} is closed. Create a new one to make further calls.`);
  }
}

/** One problem found in a configuration, with where it is. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A configuration failed validation; `issues` lists every problem with its path. */
export class InvalidConfigError extends McpoolError {
  readonly issues: readonly ConfigIssue[];
  constructor(what: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n');
    super('INVALID_CONFIG', `Invalid ${what}:\n${lines}`);
    this.issues = issues;
  }
}

/** No server offers the requested tool, prompt or resource. */
export class UnknownCapabilityError extends McpoolError {
  readonly kind: 'tool' | 'prompt' | 'resource';
  readonly requested: string;
  readonly offered: readonly string[];
  constructor(kind: 'tool' | 'prompt' | 'resource', requested: string, offered: readonly string[]) {
    const shown = offered.slice(0, 50).join(', ');
    const more = offered.length > 50 ? `, and ${offered.length - 50} more` : '';
    super(
      'UNKNOWN_CAPABILITY',
      `No healthy server offers the ${kind} "${requested}". ${
        offered.length > 0 ? `Offered: ${shown}${more}.` : `No server offers any ${kind} right now.`
      }`,
    );
    this.kind = kind;
    this.requested = requested;
    this.offered = offered;
  }
}

/** Two servers offer different things under one name and the caller did not say which. */
export class AmbiguousNameError extends McpoolError {
  readonly candidates: readonly string[];
  constructor(kind: 'tool' | 'prompt', name: string, candidates: readonly string[]) {
    super(
      'AMBIGUOUS_NAME',
      `The ${kind} "${name}" is offered differently by several servers; call one of ${candidates
        .map((c) => `"${c}"`)
        .join(', ')} instead.`,
    );
    this.candidates = candidates;
  }
}

/** The server id is not in the pool. */
export class UnknownServerError extends McpoolError {
  constructor(serverId: string, known: readonly string[]) {
    super(
      'UNKNOWN_SERVER',
      `No server with id "${serverId}" is in the pool. Known servers: ${known.join(', ') || '(none)'}.`,
    );
  }
}

/** A server with this id is already in the pool. */
export class DuplicateServerError extends McpoolError {
  constructor(serverId: string, detail = 'remove it first or use pool.sync()') {
    super('DUPLICATE_SERVER', `A server with id "${serverId}" is already in the pool: ${detail}.`);
  }
}

/**
 * A request that is not safe to repeat failed after it was sent, so it may have
 * run on the server. mcpool does not retry it on its own.
 */
export class RequestMayHaveRunError extends McpoolError {
  readonly serverId: string;
  constructor(what: string, serverId: string, cause: unknown) {
    super(
      'REQUEST_MAY_HAVE_RUN',
      `${what} failed on server "${serverId}" after it was sent, so it may have run there: ${
        cause instanceof Error ? cause.message : String(cause)
      }. It was not retried because it is not marked safe to repeat (mark the tool safe with the client's \`safeTools\` option if repeating it is harmless).`,
      { cause },
    );
    this.serverId = serverId;
  }
}

/** Connecting to a server failed. */
export class ConnectionError extends McpoolError {
  readonly serverId: string;
  constructor(serverId: string, message: string, cause?: unknown) {
    super('CONNECTION_FAILED', `Could not connect to server "${serverId}": ${message}`, { cause });
    this.serverId = serverId;
  }
}

/**
 * The server does not speak the era its `protocol` setting, or the era its
 * kept verdict, asks for: a legacy server set to `2026-07-28`, a modern-only
 * server reached with `initialize`, or a server whose era changed since it
 * was last probed.
 */
export class EraMismatchError extends ConnectionError {
  /** The era the server was found to speak, when known. */
  readonly serverEra: 'legacy' | 'modern' | undefined;
  /**
   * True when the mismatch is with the server's kept verdict (the connect's
   * `prior`), not with its setting: the pool drops the verdict and probes again.
   */
  readonly fromPrior: boolean;
  constructor(
    serverId: string,
    message: string,
    options: { serverEra?: 'legacy' | 'modern' | undefined; fromPrior?: boolean; cause?: unknown },
  ) {
    super(serverId, message, options.cause);
    this.serverEra = options.serverEra;
    this.fromPrior = options.fromPrior ?? false;
  }
}

/** An aggregation that sends one request to several servers was asked to run an unsafe request. */
export class UnsafeAggregationError extends McpoolError {
  constructor(strategy: string, what: string) {
    super(
      'UNSAFE_AGGREGATION',
      `The "${strategy}" aggregation sends ${what} to several servers, but it is not safe to repeat. Use first() for it, or mark the tool safe with the client's \`safeTools\` option.`,
    );
  }
}
