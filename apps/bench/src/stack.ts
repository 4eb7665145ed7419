/**
 * The "full stack": every mcpool plugin that makes sense on a production pool,
 * switched on. Plugins live in sibling packages that may not be built (or not
 * written yet) when the benchmark runs, so each is loaded at run time and the
 * report says which were on. Adding one is one entry in `OPTIONAL`.
 */
import { existsSync } from 'node:fs';
import type { PoolPlugin, ServerPool } from '@mcpool/core';

type Module = Record<string, unknown>;

interface OptionalPlugin {
  /** As the report names it. */
  name: string;
  /** npm name, tried first (works once it is a dependency of this package). */
  pkg: string;
  /** Folder under `packages/`, tried next (the monorepo's built output). */
  dir: string;
  /** Builds the plugin from the module (with options, if given), or says why it cannot. */
  create(mod: Module, options?: Record<string, unknown>): PoolPlugin | string;
}

type Ctor<T> = new (options?: Record<string, unknown>) => T;

const OPTIONAL: readonly OptionalPlugin[] = [
  {
    name: 'health checker',
    pkg: '@mcpool/health',
    dir: 'health',
    create: (mod, options) => {
      const HealthChecker = mod.HealthChecker as Ctor<PoolPlugin> | undefined;
      if (typeof HealthChecker !== 'function') return 'no HealthChecker export';
      // Active ping every 5 s (default 30 s) so checks do run during the measurement,
      // plus passive outlier detection on every attempt (its default).
      return new HealthChecker(options ?? { interval: 5_000 });
    },
  },
  {
    name: 'circuit breaker',
    pkg: '@mcpool/circuit-breaker',
    dir: 'circuit-breaker',
    create: (mod, options) => {
      const CircuitBreakers = mod.CircuitBreakers as Ctor<PoolPlugin> | undefined;
      if (typeof CircuitBreakers !== 'function') {
        return `no CircuitBreakers export (has: ${Object.keys(mod).join(', ') || 'nothing'})`;
      }
      // Defaults: opens at 50% server faults over 10 s once 5 calls were seen.
      return new CircuitBreakers(options);
    },
  },
  {
    name: 'prometheus exporter',
    pkg: '@mcpool/prometheus',
    dir: 'prometheus',
    create: (mod, options) => {
      const factory = mod.prometheusExporter as
        | ((options?: Record<string, unknown>) => PoolPlugin)
        | undefined;
      if (typeof factory !== 'function') {
        return `no prometheusExporter export (has: ${Object.keys(mod).join(', ') || 'nothing'})`;
      }
      // Its own registry; nothing scrapes it during the run, as between two scrapes in production.
      return factory(options);
    },
  },
];

export type PluginName = 'health checker' | 'circuit breaker' | 'prometheus exporter';

export interface PluginStatus {
  name: string;
  pkg: string;
  on: boolean;
  /** Where it was loaded from, or why it is off. */
  detail: string;
}

async function load(entry: OptionalPlugin): Promise<{ mod?: Module; detail: string }> {
  try {
    return { mod: (await import(entry.pkg)) as Module, detail: entry.pkg };
  } catch {
    // Not a dependency (yet): try the monorepo's build output.
  }
  const file = new URL(`../../../packages/${entry.dir}/dist/index.js`, import.meta.url);
  if (!existsSync(file)) return { detail: `packages/${entry.dir} is not built` };
  try {
    return { mod: (await import(file.href)) as Module, detail: `packages/${entry.dir}/dist` };
  } catch (error) {
    return { detail: `packages/${entry.dir} failed to load: ${(error as Error).message}` };
  }
}

let statuses: Promise<{ entry: OptionalPlugin; mod?: Module; detail: string }[]> | undefined;

function loadAll() {
  statuses ??= Promise.all(OPTIONAL.map(async (entry) => ({ entry, ...(await load(entry)) })));
  return statuses;
}

/** Which plugins the full stack has on this machine, and why the others are off. */
export async function stackStatus(): Promise<PluginStatus[]> {
  const loaded = await loadAll();
  return loaded.map(({ entry, mod, detail }) => {
    if (!mod) return { name: entry.name, pkg: entry.pkg, on: false, detail };
    const made = entry.create(mod);
    return typeof made === 'string'
      ? { name: entry.name, pkg: entry.pkg, on: false, detail: made }
      : { name: entry.name, pkg: entry.pkg, on: true, detail };
  });
}

/** Installs every available plugin on `pool` (fresh instances); returns their names. */
export async function installStack(pool: ServerPool): Promise<string[]> {
  const loaded = await loadAll();
  const names: string[] = [];
  for (const { entry, mod } of loaded) {
    if (!mod) continue;
    const plugin = entry.create(mod);
    if (typeof plugin === 'string') continue;
    pool.use(plugin);
    names.push(entry.name);
  }
  return names;
}

/** One plugin with the given options, or undefined when it is not available here. */
export async function createPlugin(
  name: PluginName,
  options?: Record<string, unknown>,
): Promise<PoolPlugin | undefined> {
  const loaded = await loadAll();
  const found = loaded.find((l) => l.entry.name === name);
  if (!found?.mod) return undefined;
  const plugin = found.entry.create(found.mod, options);
  return typeof plugin === 'string' ? undefined : plugin;
}
