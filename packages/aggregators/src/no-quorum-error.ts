import { type AttemptFailure, McpoolError } from '@mcpool/core';

/** One distinct answer of a vote: how many servers gave it, and which. */
export interface VoteCount {
  /** The ballot key (canonical JSON of the answer, or what the `key` option returned). */
  readonly key: string;
  readonly count: number;
  readonly servers: readonly string[];
  /** The answer as the first of these servers gave it. */
  readonly answer: unknown;
}

/** What a failed vote looked like. */
export interface NoQuorumDetails {
  readonly quorum: number;
  /** Servers asked, in the order they were asked (replacements for failed ones included). */
  readonly asked: readonly string[];
  /** Each distinct answer, most votes first. */
  readonly votes: readonly VoteCount[];
  /** Servers that failed to answer, with their errors; they cast no vote. */
  readonly failures: readonly AttemptFailure[];
}

const PREVIEW = 80;

/**
 * The servers asked did not agree: no answer got `quorum` votes. `votes` holds
 * every distinct answer with its count and servers, `failures` the servers that
 * did not answer.
 */
export class NoQuorumError extends McpoolError implements NoQuorumDetails {
  readonly quorum: number;
  readonly asked: readonly string[];
  readonly votes: readonly VoteCount[];
  readonly failures: readonly AttemptFailure[];

  constructor(what: string, details: NoQuorumDetails) {
    super('NO_QUORUM', message(what, details), { cause: details.failures.at(-1)?.error });
    this.quorum = details.quorum;
    this.asked = details.asked;
    this.votes = details.votes;
    this.failures = details.failures;
  }

  /** True for a `NoQuorumError`, even one from another copy of this package. */
  static override isInstance(error: unknown): error is NoQuorumError {
    return McpoolError.isInstance(error) && error.code === 'NO_QUORUM';
  }
}

function message(what: string, details: NoQuorumDetails): string {
  if (details.asked.length === 0) {
    return `${what} reached no quorum: ${details.quorum} servers have to agree, but fewer can serve it right now, so none was asked. Bring servers back or lower majority()'s \`quorum\`.`;
  }
  const split =
    details.votes.length === 0
      ? 'no server answered'
      : `the answers split ${details.votes.map((v) => v.count).join('/')} (${details.votes
          .map((v) => `${v.servers.join(', ')}: ${preview(v.key)}`)
          .join('; ')})`;
  const failed =
    details.failures.length === 0
      ? ''
      : `; ${details.failures.length} failed (${details.failures
          .map(
            (f) => `${f.serverId}: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
          )
          .join('; ')})`;
  return `${what} reached no quorum: ${details.quorum} of the ${details.asked.length} servers asked had to agree, but ${split}${failed}. Check the servers that disagree, give majority() a \`key\` that ignores harmless differences, or lower \`quorum\`.`;
}

function preview(key: string): string {
  return key.length <= PREVIEW ? key : `${key.slice(0, PREVIEW - 1)}…`;
}
