import type { ServerConfig } from '@mcpool/core';

/** One server a source found, before it is checked: `origin` says where it came from. */
export interface DiscoveredEntry {
  /** Checked with core's validation before use; a bad one is reported and skipped. */
  readonly config: ServerConfig | unknown;
  /** Where the entry came from, used as the path of its problems (`etcd:/mcp/a`, `file.json#mcpServers.a`). */
  readonly origin: string;
  /** Set when the source could not even turn the entry into a config: reported and skipped. */
  readonly problem?: string | undefined;
}

/** What a source reports: the whole current set, never a delta. */
export interface Resolution {
  readonly entries: readonly DiscoveredEntry[];
  /** Ask again after this many ms (a DNS TTL). Without it discovery uses its `interval`. */
  readonly refreshIn?: number | undefined;
}

/** What a watching source reports as things change. */
export interface SourceListener {
  /** A new complete set. */
  update(resolution: Resolution): void;
  /** A failure; the source keeps trying on its own (reconnect, relist) and reports the next set when it has one. */
  error(error: Error): void;
}

/**
 * Where servers come from. `resolve()` is the whole contract; `watch()` is an
 * optional capability for sources that can push changes (Kubernetes, etcd,
 * Consul blocking queries, a watched file). Without it discovery polls
 * `resolve()`.
 */
export interface Source {
  /** A short name for messages and events, like `dns:mcp.default.svc.cluster.local`. */
  readonly name: string;
  /** The current set, now, without waiting for a change. Rejects when the source cannot answer. */
  resolve(signal?: AbortSignal): Promise<Resolution>;
  /** Reports each new set until `signal` aborts; must release every handle then. */
  watch?(listener: SourceListener, signal: AbortSignal): void;
}

/** A server id made of what names a replica: anything not allowed in an id becomes `-`. */
export function replicaId(...parts: readonly (string | number)[]): string {
  const id = parts
    .map((p) => String(p))
    .join('-')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  // Ids are at most 64 characters: keep the end, which is what tells replicas apart.
  return id.length > 64 ? id.slice(-64).replace(/^-+/, '') : id;
}
