import type { EntryMeta } from './entry.js';

/**
 * Which entries an event makes stale. Every field narrows the rule; a rule
 * with none matches everything.
 */
export interface InvalidationRule {
  /** Only entries of these methods. */
  readonly methods?: ReadonlySet<string> | undefined;
  /** Only entries this server may have answered: pinned to it, or unpinned from it (or from unknown servers). */
  readonly server?: string | undefined;
  /** Only `resources/read` entries of this URI. */
  readonly uri?: string | undefined;
  /** Only entries not pinned to a server. */
  readonly unpinnedOnly?: boolean | undefined;
}

/** True when `rule` makes an entry with `meta` stale. */
export function ruleMatches(rule: InvalidationRule, meta: EntryMeta): boolean {
  if (rule.methods && !rule.methods.has(meta.method)) return false;
  if (rule.uri !== undefined && meta.uri !== rule.uri) return false;
  if (rule.unpinnedOnly && meta.scope !== null) return false;
  if (rule.server !== undefined) {
    if (meta.scope !== null) return meta.scope === rule.server;
    return meta.servers === null || meta.servers.includes(rule.server);
  }
  return true;
}

interface LoggedRule {
  readonly at: number;
  readonly rule: InvalidationRule;
}

/**
 * Recent invalidations with their times. An entry read back from a shared
 * store may have been written by another replica that has not seen (or did
 * not live to act on) an invalidation this process saw: the log says whether
 * it is stale. Rules older than the longest entry life are dropped; past
 * `limit` rules, the oldest collapse into one rule that matches everything.
 */
export class InvalidationLog {
  private rules: LoggedRule[] = [];

  constructor(
    private readonly horizonMs: number,
    private readonly limit = 1_000,
  ) {}

  add(rule: InvalidationRule, at: number): void {
    this.prune(at);
    this.rules.push({ at, rule });
    if (this.rules.length > this.limit) {
      const dropped = this.rules.splice(0, Math.ceil(this.limit / 2));
      const last = dropped[dropped.length - 1]?.at ?? at;
      this.rules.unshift({ at: last, rule: {} });
    }
  }

  /** True when an entry whose fetch started at `fetchedAt` was invalidated at or after that time. */
  covers(meta: EntryMeta, fetchedAt: number): boolean {
    for (const { at, rule } of this.rules) {
      if (at >= fetchedAt && ruleMatches(rule, meta)) return true;
    }
    return false;
  }

  get size(): number {
    return this.rules.length;
  }

  private prune(now: number): void {
    const oldest = now - this.horizonMs;
    let drop = 0;
    while (drop < this.rules.length && (this.rules[drop]?.at ?? 0) < oldest) drop++;
    if (drop > 0) this.rules.splice(0, drop);
  }
}
