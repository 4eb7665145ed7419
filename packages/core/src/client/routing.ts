import type { ServerPool } from '../pool/server-pool.js';
import type { Route } from '../spec/catalog.js';
import { UnknownServerError } from '../spec/errors.js';

/** Where a tool call goes, under which name, whether it may be repeated, and how errors name it. */
export interface ToolPlan {
  readonly offering: readonly string[];
  readonly upstream: string;
  readonly safe: boolean;
  /** `tools/call "name"`, as errors name the call. */
  readonly description: string;
}

/**
 * Where a client's requests go: names to servers (namespaced names, pinned
 * servers), and whether a tool is safe to repeat there. One per client.
 */
export class Routes {
  constructor(
    private readonly pool: ServerPool,
    private readonly safeTools: ReadonlySet<string>,
    private readonly unsafeTools: ReadonlySet<string>,
  ) {}

  /** Whether the pool holds a server (the catalog asks before routing a prefixed name to it). */
  private readonly known = (id: string): boolean => this.pool.server(id) !== undefined;

  /**
   * Tool-call plans by the name the caller uses, for the catalog generation
   * they were made under: safety depends on nothing else (the tool lists are
   * fixed per client), so a call routes with one lookup and no allocation
   * until a server's catalog changes. The client reads a kept plan in place
   * (`keptPlans` under `keptOf`, the generation), so a warm call does not come
   * here at all; `toolCall` makes and keeps the others.
   */
  readonly keptPlans = new Map<string, ToolPlan>();
  keptOf = -1;

  /**
   * Whether a tool is safe to repeat (retry, fallback, fan-out): the operator's
   * `unsafeTools`/`safeTools` first, then the tool's `readOnlyHint` or
   * `idempotentHint` annotation.
   */
  isSafeTool(name: string): boolean {
    let route: Route | undefined;
    try {
      route = this.pool.catalog.routeTool(name, this.known);
    } catch {
      route = undefined;
    }
    return this.safeOn(name, route);
  }

  /** Safety of a tool call on the servers its route leads to (the route is resolved once per call). */
  safeOn(name: string, route: Route | undefined): boolean {
    const upstream = route?.upstreamName ?? this.upstreamName(name);
    if (this.unsafeTools.has(name) || this.unsafeTools.has(upstream)) return false;
    if (this.safeTools.has(name) || this.safeTools.has(upstream)) return true;
    if (route === undefined || route.servers.length === 0) return false;
    // The catalog builds new route arrays whenever any server's catalog
    // changes, so an answer kept per array stays true until then: one lookup
    // per call instead of a pass over every offering server.
    let byName = this.annotated.get(route.servers);
    const kept = byName?.get(route.upstreamName);
    if (kept !== undefined) return kept;
    // Replicas may annotate one tool differently: it is safe only if every
    // server that may run it says so, since a retry can land on any of them.
    const safe = route.servers.every((id) => {
      const tool = this.pool.catalog.serverTool(id, route.upstreamName);
      return tool?.annotations?.readOnlyHint === true || tool?.annotations?.idempotentHint === true;
    });
    if (!byName) {
      byName = new Map();
      this.annotated.set(route.servers, byName);
    }
    byName.set(route.upstreamName, safe);
    return safe;
  }

  /** What the annotations say, per route array and upstream name. */
  private readonly annotated = new WeakMap<readonly string[], Map<string, boolean>>();

  upstreamName(name: string): string {
    const sep = this.pool.catalog.separator;
    const at = name.indexOf(sep);
    if (at > 0 && this.pool.server(name.slice(0, at))) return name.slice(at + sep.length);
    return name;
  }

  /** Where a tool call goes, under which name, and whether it is safe to repeat there. */
  toolCall(name: string, pinned: string | undefined): ToolPlan {
    if (pinned) {
      const { offering, upstream } = this.routeNamed('tool', name, pinned);
      return this.planOf(name, { servers: offering, upstreamName: upstream });
    }
    const catalog = this.pool.catalog;
    if (this.keptOf !== catalog.generation) {
      this.keptPlans.clear();
      this.keptOf = catalog.generation;
    }
    const kept = this.keptPlans.get(name);
    if (kept !== undefined) return kept;
    const plan = this.planOf(name, catalog.routeTool(name, this.known));
    // A prefixed name's route depends on membership too: it is looked up each time.
    if (catalog.routesDirectly(name)) this.keptPlans.set(name, plan);
    return plan;
  }

  private planOf(name: string, route: Route): ToolPlan {
    return {
      offering: route.servers,
      upstream: route.upstreamName,
      safe: this.safeOn(name, route),
      description: `tools/call "${name}"`,
    };
  }

  routeNamed(
    kind: 'tool' | 'prompt',
    name: string,
    pinned: string | undefined,
  ): { offering: readonly string[]; upstream: string } {
    if (pinned) {
      this.requireServer(pinned);
      const prefix = `${pinned}${this.pool.catalog.separator}`;
      return {
        offering: [pinned],
        upstream: name.startsWith(prefix) ? name.slice(prefix.length) : name,
      };
    }
    const route =
      kind === 'tool'
        ? this.pool.catalog.routeTool(name, this.known)
        : this.pool.catalog.routePrompt(name, this.known);
    // Routes are rebuilt, never changed, when a catalog changes: no copy needed.
    return { offering: route.servers, upstream: route.upstreamName };
  }

  requireServer(serverId: string): string {
    if (!this.pool.server(serverId)) {
      throw new UnknownServerError(
        serverId,
        this.pool.servers().map((s) => s.id),
      );
    }
    return serverId;
  }

  serversWith(capability: 'resources' | 'completions'): string[] {
    return this.pool
      .servers()
      .filter((s) => {
        const catalog = this.pool.catalog.get(s.id);
        if (capability === 'resources')
          return (
            catalog !== undefined &&
            (catalog.resources.length > 0 || catalog.resourceTemplates.length > 0)
          );
        return true;
      })
      .map((s) => s.id);
  }
}
