import type { NameConflict } from '../spec/catalog.js';

/** Anything with a name: a tool, a prompt. */
export interface Named {
  name: string;
}

/** For each name, the signature each server offers under it: conflicts found incrementally. */
export class SignatureIndex {
  private readonly byName = new Map<
    string,
    { servers: Map<string, string>; counts: Map<string, number> }
  >();

  /** Replaces one server's items and returns the names that just became conflicts. */
  update<T extends Named>(
    serverId: string,
    before: readonly T[] | undefined,
    after: readonly T[],
    signature: (item: T) => string,
    kind: 'tool' | 'prompt',
  ): NameConflict[] {
    const touched = new Set<string>();
    for (const item of before ?? []) touched.add(item.name);
    for (const item of after) touched.add(item.name);
    const wasConflict = new Set<string>();
    for (const name of touched) if (this.conflicted(name)) wasConflict.add(name);
    for (const item of before ?? []) this.remove(item.name, serverId);
    for (const item of after) this.add(item.name, serverId, signature(item));
    const fresh: NameConflict[] = [];
    for (const name of touched) {
      if (!wasConflict.has(name) && this.conflicted(name)) {
        fresh.push({ kind, name, servers: [...(this.byName.get(name)?.servers.keys() ?? [])] });
      }
    }
    return fresh;
  }

  private add(name: string, serverId: string, sig: string): void {
    let entry = this.byName.get(name);
    if (!entry) {
      entry = { servers: new Map(), counts: new Map() };
      this.byName.set(name, entry);
    }
    this.remove(name, serverId);
    entry.servers.set(serverId, sig);
    entry.counts.set(sig, (entry.counts.get(sig) ?? 0) + 1);
  }

  private remove(name: string, serverId: string): void {
    const entry = this.byName.get(name);
    const sig = entry?.servers.get(serverId);
    if (!entry || sig === undefined) return;
    entry.servers.delete(serverId);
    const left = (entry.counts.get(sig) ?? 1) - 1;
    if (left > 0) entry.counts.set(sig, left);
    else entry.counts.delete(sig);
    if (entry.servers.size === 0) this.byName.delete(name);
  }

  /** Offered under more than one definition: O(1). */
  private conflicted(name: string): boolean {
    return (this.byName.get(name)?.counts.size ?? 0) > 1;
  }
}
