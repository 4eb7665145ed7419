import type { ConfigIssue } from '@mcpool/core';

const MARKER = Symbol.for('mcpool.discovery.error');

/** Stable codes of discovery errors. Match on these, never on messages. */
export type DiscoveryErrorCode =
  /** The source could not be reached or answered something unusable. */
  | 'DISCOVERY_SOURCE_FAILED'
  /** An entry the source reported is not a valid server; it was skipped. */
  | 'DISCOVERY_INVALID_ENTRY'
  /** The options given to a source or to `discover()` are wrong. */
  | 'DISCOVERY_INVALID_OPTIONS'
  /** An optional peer dependency (a Kubernetes or etcd client) is not installed. */
  | 'DISCOVERY_MISSING_PEER'
  /** Discovery was stopped before it resolved. */
  | 'DISCOVERY_STOPPED';

/**
 * Base class of discovery errors. Not a core `McpoolError`: core's codes are
 * about calls, these are about where servers come from.
 */
export class DiscoveryError extends Error {
  protected readonly [MARKER] = true;
  readonly code: DiscoveryErrorCode;

  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True for any discovery error, even one from another copy of this package. */
  static isInstance(error: unknown): error is DiscoveryError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/** A source failed; the pool keeps its last good set and discovery retries with backoff. */
export class SourceFailedError extends DiscoveryError {
  readonly source: string;

  constructor(source: string, detail: string, options?: { cause?: unknown }) {
    super(
      'DISCOVERY_SOURCE_FAILED',
      `Discovery source ${source} failed: ${detail.replace(/\.+$/, '')}. The pool keeps the servers it has; discovery retries with backoff.`,
      options,
    );
    this.source = source;
  }
}

/** Entries that are not valid servers: each issue has the entry's path; they were skipped. */
export class InvalidEntryError extends DiscoveryError {
  readonly source: string;
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    const list = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super(
      'DISCOVERY_INVALID_ENTRY',
      `Discovery source ${source} reported ${issues.length === 1 ? 'an entry' : 'entries'} that mcpool skipped (${list}). Fix the entry where it is published; the other servers are used.`,
    );
    this.source = source;
    this.issues = issues;
  }
}

/** Options of a source or of `discover()` that cannot work; `issues` names each with its path. */
export class InvalidDiscoveryOptionsError extends DiscoveryError {
  readonly issues: readonly ConfigIssue[];

  constructor(what: string, issues: readonly ConfigIssue[]) {
    const list = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super('DISCOVERY_INVALID_OPTIONS', `Invalid ${what}: ${list}.`);
    this.issues = issues;
  }
}

/** A source needs an optional peer dependency that is not installed. */
export class MissingPeerError extends DiscoveryError {
  constructor(source: string, pkg: string, range: string, options?: { cause?: unknown }) {
    super(
      'DISCOVERY_MISSING_PEER',
      `${source} needs the optional peer dependency ${pkg}@${range}: install it next to @mcpool/discovery (npm install ${pkg}@${range}).`,
      options,
    );
  }
}

/** `ready()` was waiting when discovery stopped. */
export class DiscoveryStoppedError extends DiscoveryError {
  constructor() {
    super(
      'DISCOVERY_STOPPED',
      'Discovery was stopped before its first resolution; nothing was applied.',
    );
  }
}
