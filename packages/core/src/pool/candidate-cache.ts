import type { PooledServer } from '../server/pooled-server.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import type { Candidates } from './options.js';
import { selectCandidates } from './selection.js';

/*
 * Balancers in `@mcpool/balancers` build a structure per candidate set and
 * know a set again by its array object, so the pool hands out one array per
 * set and a new one only when the set or a member's weight or priority
 * changes. Without this every call would build a new array and every pick
 * would cost an O(n) pass at least.
 *
 * One pool-wide version counts every change selection depends on
 * (membership, a server's state or exclusions, a weight or priority); an
 * entry older than it is recomputed on its next use, and keeps its array when
 * the result has the same members in the same order and no weight or
 * priority changed since. Arrays handed out are never changed.
 */

interface Entry {
  /** The pool's version when `picked` was last checked. */
  version: number;
  /** The pool's count of weight and priority changes when `picked` was built. */
  fields: number;
  picked: Candidates | undefined;
}

/** The pool's candidate lists, one per offering list, valid until selection changes. */
export class CandidateCache {
  private version = 0;
  private fields = 0;
  /** For requests any server may take (`offering` undefined). */
  private readonly all: Entry = { version: -1, fields: -1, picked: undefined };
  /** One-server offerings (a pinned call, a prefixed name) come as new arrays: keyed by id. */
  private readonly single = new Map<string, Entry>();
  /** Catalog routes are rebuilt, never changed, when a catalog changes: keyed by identity. */
  private readonly lists = new WeakMap<readonly string[], Entry>();

  constructor(
    private readonly servers: ReadonlyMap<string, PooledServer>,
    /** Told when a request gets the servers of a panic (none is healthy, so all usable ones). */
    private readonly panicked: (request: RequestInfo, servers: readonly ServerView[]) => void,
  ) {}

  /** The candidates of a request, as `get`; a panic is told (see `ServerPool.candidates`). */
  forRequest(request: RequestInfo, offering: readonly string[] | undefined): Candidates {
    const picked = this.get(offering);
    if (picked.panic && picked.servers.length > 0) this.panicked(request, picked.servers);
    return picked;
  }

  /** Selection changed: membership, a server's state or exclusions, or (`fields`) a weight or priority. */
  changed(fields = false): void {
    this.version++;
    if (fields) this.fields++;
  }

  /** Forgets what is kept for a server that left the pool. */
  forget(serverId: string): void {
    this.single.delete(serverId);
  }

  /** The candidates for `offering`: the same object while nothing they depend on changed. */
  get(offering: readonly string[] | undefined): Candidates {
    const entry = this.entryOf(offering);
    if (entry.version === this.version && entry.picked !== undefined) return entry.picked;
    const fresh = selectCandidates(this.servers, offering);
    const kept = entry.picked;
    if (
      kept === undefined ||
      entry.fields !== this.fields ||
      kept.panic !== fresh.panic ||
      !sameMembers(kept.servers, fresh.servers)
    ) {
      entry.picked = fresh;
      entry.fields = this.fields;
    }
    entry.version = this.version;
    return entry.picked as Candidates;
  }

  private entryOf(offering: readonly string[] | undefined): Entry {
    if (offering === undefined) return this.all;
    let entry: Entry | undefined;
    if (offering.length === 1) {
      const id = offering[0] as string;
      entry = this.single.get(id);
      if (entry === undefined) {
        entry = { version: -1, fields: -1, picked: undefined };
        this.single.set(id, entry);
      }
      return entry;
    }
    entry = this.lists.get(offering);
    if (entry === undefined) {
      entry = { version: -1, fields: -1, picked: undefined };
      this.lists.set(offering, entry);
    }
    return entry;
  }
}

function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
