import { type AttemptOutcome, McpoolError } from '@mcpool/core';
import { canonicalJson } from '@mcpool/core/internal';
import type {
  CallToolResult,
  CompleteResult,
  ContentBlock,
  ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';

/** A server's error, as plain JSON so it can travel inside a tool result. */
export type ServerErrorInfo = {
  readonly name: string;
  readonly message: string;
  /** mcpool's error code (`TIMEOUT`, ...) or the JSON-RPC error code. */
  readonly code?: string | number;
};

/** How one server fared in an `all()` tool call. */
export type ServerCallOutcome =
  /** The server answered; `result.isError` still says whether the tool itself failed. */
  | { readonly server: string; readonly ok: true; readonly result: CallToolResult }
  /** The server gave no answer. */
  | {
      readonly server: string;
      readonly ok: false;
      readonly outcome: AttemptOutcome;
      readonly error: ServerErrorInfo;
    };

/** The `structuredContent` of an `all()` tool call. */
export type AllCallContent = {
  readonly aggregation: 'all';
  /** One entry per server asked, in candidate order. */
  readonly results: readonly ServerCallOutcome[];
};

/** One server's answer, as `all()` collected it. */
export interface Answer {
  readonly server: string;
  readonly value: unknown;
}

/** One server that gave no answer, with why. */
export interface Missing {
  readonly server: string;
  readonly outcome: AttemptOutcome;
  readonly error: unknown;
}

/** At most this many completion values, as the MCP spec allows. */
const MAX_COMPLETIONS = 100;
const IGNORE_META = new Set(['_meta']);

/**
 * Turns the answers of a non-catalog request into one answer of the type the
 * caller expects. `answers` and `missing` are in candidate order; `answers` is
 * never empty.
 */
export function combineAnswers(
  method: string,
  description: string,
  answers: readonly Answer[],
  missing: readonly Missing[],
  asked: readonly string[],
): unknown {
  switch (method) {
    case 'tools/call':
      return combineToolCalls(description, answers, missing, asked);
    case 'resources/read':
      return combineReads(answers);
    case 'completion/complete':
      return combineCompletions(answers);
    default:
      // prompts/get, ping, ...: several servers' prompts or pongs do not add
      // up to one, so the first server that answered (in candidate order) speaks
      // for all; `onReport` tells who else answered and who did not.
      return answers[0]?.value;
  }
}

/**
 * Reads the per-server outcomes out of an `all()` tool result; undefined for
 * any other result.
 */
export function allCallResults(result: CallToolResult): readonly ServerCallOutcome[] | undefined {
  const content = result.structuredContent as Partial<AllCallContent> | undefined;
  return content?.aggregation === 'all' && Array.isArray(content.results)
    ? content.results
    : undefined;
}

function combineToolCalls(
  description: string,
  answers: readonly Answer[],
  missing: readonly Missing[],
  asked: readonly string[],
): CallToolResult {
  const byServer = new Map<string, ServerCallOutcome>();
  for (const a of answers)
    byServer.set(a.server, { server: a.server, ok: true, result: a.value as CallToolResult });
  for (const m of missing)
    byServer.set(m.server, {
      server: m.server,
      ok: false,
      outcome: m.outcome,
      error: errorInfo(m.error),
    });
  const results = asked
    .map((id) => byServer.get(id))
    .filter((r): r is ServerCallOutcome => r !== undefined);

  const failedNote =
    missing.length === 0
      ? ''
      : ` (no answer from ${missing.map((m) => `${m.server}: ${m.outcome}`).join(', ')})`;
  const content: ContentBlock[] = [
    {
      type: 'text',
      text: `${description}: ${answers.length} of ${asked.length} servers answered${failedNote}.`,
    },
  ];
  // Each server's own blocks follow a label, so a model reading the text sees who said what.
  for (const r of results) {
    if (!r.ok) continue;
    content.push({ type: 'text', text: `[${r.server}]${r.result.isError ? ' (isError)' : ''}` });
    content.push(...(r.result.content ?? []));
  }
  const structuredContent: AllCallContent = { aggregation: 'all', results };
  const result: CallToolResult = { content, structuredContent };
  // The tool failed only if no server gave a good answer; partial failures are in `results`.
  if (answers.every((a) => (a.value as CallToolResult).isError === true)) result.isError = true;
  return result;
}

function combineReads(answers: readonly Answer[]): ReadResourceResult {
  const seen = new Set<string>();
  const contents: ReadResourceResult['contents'] = [];
  // Replicas usually return the same contents; keep each distinct one once.
  for (const a of answers) {
    for (const item of (a.value as ReadResourceResult).contents ?? []) {
      const key = canonicalJson(item, { ignoreKeys: IGNORE_META });
      if (seen.has(key)) continue;
      seen.add(key);
      contents.push(item);
    }
  }
  return { contents };
}

function combineCompletions(answers: readonly Answer[]): CompleteResult {
  const values: string[] = [];
  const seen = new Set<string>();
  let hasMore = false;
  for (const a of answers) {
    const completion = (a.value as CompleteResult).completion;
    if (completion?.hasMore) hasMore = true;
    for (const v of completion?.values ?? []) {
      if (seen.has(v)) continue;
      seen.add(v);
      values.push(v);
    }
  }
  if (values.length > MAX_COMPLETIONS) hasMore = true;
  // No `total`: the servers' totals overlap, so their sum would overstate it.
  return { completion: { values: values.slice(0, MAX_COMPLETIONS), hasMore } };
}

/** A server's error as JSON-safe fields. */
export function errorInfo(error: unknown): ServerErrorInfo {
  if (error instanceof Error) {
    const code = McpoolError.isInstance(error) ? error.code : (error as { code?: unknown }).code;
    return typeof code === 'string' || typeof code === 'number'
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}
