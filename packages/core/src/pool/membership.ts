import { serverSetSchema, toIssues } from '../config/server-config.js';
import type { PooledServer } from '../server/pooled-server.js';
import { type ConfigIssue, InvalidConfigError } from '../spec/errors.js';
import type { ServerConfig } from '../spec/server.js';
import { canonicalJson } from '../util/canonical-json.js';

/*
 * The membership rule of a pool: which server sets are valid, and how a
 * desired set (service discovery, `pool.sync()`) changes the servers there.
 * A removed server drains before it closes (see `ServerPool.removeServer`).
 */

/** Every problem of a set of server configs: each config, its id against the separator, ids twice. */
export function serverSetIssues(
  configs: readonly ServerConfig[],
  separator: string,
): ConfigIssue[] {
  const parsed = serverSetSchema(separator).safeParse(configs);
  if (parsed.success) return [];
  // Server by server, as the configs are listed (zod puts the set's rules last).
  const index = (path: string) => Number(/^servers\[(\d+)\]/.exec(path)?.[1] ?? -1);
  return toIssues(parsed.error, 'servers').sort((a, b) => index(a.path) - index(b.path));
}

/** True when a server must reconnect to follow `config`: its transport or `protocol` changed. */
export function transportChanged(server: PooledServer, config: ServerConfig): boolean {
  return (
    !sameTransport(server.transport, config.transport) ||
    server.configuredProtocol !== config.protocol
  );
}

/** Takes weight, priority, name and tags of `config` in place; true when any changed. */
export function updateInPlace(server: PooledServer, config: ServerConfig): boolean {
  const weight = config.weight ?? 1;
  const priority = config.priority ?? 0;
  const name = config.name ?? config.id;
  const tags = config.tags ?? [];
  if (
    server.weight === weight &&
    server.priority === priority &&
    server.name === name &&
    canonicalJson(server.tags) === canonicalJson(tags)
  ) {
    return false;
  }
  server.weight = weight;
  server.priority = priority;
  server.name = name;
  server.tags = tags;
  return true;
}

function sameTransport(a: ServerConfig['transport'], b: ServerConfig['transport']): boolean {
  if (a.type === 'custom' || b.type === 'custom') {
    return a.type === 'custom' && b.type === 'custom' && a.create === b.create;
  }
  return canonicalJson(a) === canonicalJson(b);
}

/** What reconciling needs of the pool. */
export interface Members {
  readonly separator: string;
  ids(): string[];
  get(id: string): PooledServer | undefined;
  add(config: ServerConfig): unknown;
  /** Drains, closes and forgets a server. */
  remove(id: string): Promise<void>;
}

/**
 * Makes the pool's servers those of `configs`: adds the new, drains and
 * removes the gone, reconnects the ones whose transport changed and updates
 * the rest in place. The whole set is checked first; nothing changes if any
 * config is wrong.
 */
export async function reconcile(
  members: Members,
  configs: readonly ServerConfig[],
): Promise<{ added: string[]; removed: string[]; updated: string[] }> {
  const issues = serverSetIssues(configs, members.separator);
  if (issues.length > 0) throw new InvalidConfigError('server set', issues);
  const ids = new Set(configs.map((c) => c.id));
  const added: string[] = [];
  const removed: string[] = [];
  const updated: string[] = [];
  await Promise.all(
    members
      .ids()
      .filter((id) => !ids.has(id))
      .map(async (id) => {
        removed.push(id);
        await members.remove(id);
      }),
  );
  for (const config of configs) {
    const current = members.get(config.id);
    if (!current) {
      members.add(config);
      added.push(config.id);
      continue;
    }
    if (transportChanged(current, config)) {
      await members.remove(config.id);
      members.add(config);
      updated.push(config.id);
      continue;
    }
    if (updateInPlace(current, config)) updated.push(config.id);
  }
  return { added, removed, updated };
}
