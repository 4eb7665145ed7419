import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type {
  NameConflict,
  NamespacingOptions,
  NamespacingPolicy,
  Route,
  ServerCatalog,
} from '../spec/catalog.js';
import { AmbiguousNameError, UnknownCapabilityError } from '../spec/errors.js';
import { promptSignature, toolSignature } from './signatures.js';

interface MergedKind<T extends Named> {
  list: T[];
  routes: Map<string, Route>;
  /** Base names in conflict, with the exposed names to use instead. */
  conflicts: Map<string, string[]>;
  conflictServers: Map<string, string[]>;
}

import { type Named, SignatureIndex } from './conflicts.js';

const MAX_NAME = 128;

/**
 * The pool's capability index: each server's catalog and the merged,
 * namespaced view across servers. Names are computed over every known server
 * (down ones keep their last catalog), so they stay put while health flaps.
 */
export class CatalogIndex {
  private readonly catalogs = new Map<string, ServerCatalog>();
  readonly policy: NamespacingPolicy;
  readonly separator: string;
  private tools: MergedKind<Tool> | undefined;
  private prompts: MergedKind<Prompt> | undefined;
  private templates = new Map<string, UriTemplate>();
  /**
   * Counts the changes of the merged catalog (a server's catalog set or
   * deleted): a route looked up under one generation stays right while it is
   * the same, so callers may keep what they derived from it.
   */
  generation = 0;

  constructor(options: NamespacingOptions = {}) {
    this.policy = options.policy ?? 'prefix-on-conflict';
    this.separator = options.separator ?? '__';
  }

  get(serverId: string): ServerCatalog | undefined {
    return this.catalogs.get(serverId);
  }

  /**
   * Replaces a server's catalog and returns conflicts that did not exist
   * before. Only the names this server offers (or offered) are re-checked, so
   * loading n servers costs O(n), not O(n²).
   */
  set(serverId: string, catalog: ServerCatalog): NameConflict[] {
    const previous = this.catalogs.get(serverId);
    this.catalogs.set(serverId, catalog);
    this.invalidate();
    return [
      ...this.signatures.tool.update(
        serverId,
        previous?.tools,
        catalog.tools,
        toolSignature,
        'tool',
      ),
      ...this.signatures.prompt.update(
        serverId,
        previous?.prompts,
        catalog.prompts,
        promptSignature,
        'prompt',
      ),
    ];
  }

  delete(serverId: string): void {
    const previous = this.catalogs.get(serverId);
    if (!previous) return;
    this.catalogs.delete(serverId);
    this.signatures.tool.update(serverId, previous.tools, [], toolSignature, 'tool');
    this.signatures.prompt.update(serverId, previous.prompts, [], promptSignature, 'prompt');
    this.invalidate();
  }

  private readonly signatures = { tool: new SignatureIndex(), prompt: new SignatureIndex() };

  private invalidate(): void {
    this.generation++;
    this.tools = undefined;
    this.prompts = undefined;
  }

  /** Every name offered differently by several servers. */
  listConflicts(): NameConflict[] {
    const out: NameConflict[] = [];
    for (const [name, servers] of this.mergedTools().conflictServers)
      out.push({ kind: 'tool', name, servers });
    for (const [name, servers] of this.mergedPrompts().conflictServers)
      out.push({ kind: 'prompt', name, servers });
    return out;
  }

  /** The merged tool list of the servers for which `include` is true. */
  listTools(include: (serverId: string) => boolean): Tool[] {
    return filterByServers(this.mergedTools(), include);
  }

  listPrompts(include: (serverId: string) => boolean): Prompt[] {
    return filterByServers(this.mergedPrompts(), include);
  }

  listResources(include: (serverId: string) => boolean): Resource[] {
    const seen = new Set<string>();
    const out: Resource[] = [];
    for (const [id, catalog] of this.catalogs) {
      if (!include(id)) continue;
      for (const r of catalog.resources) {
        if (seen.has(r.uri)) continue;
        seen.add(r.uri);
        out.push(r);
      }
    }
    return out;
  }

  listResourceTemplates(include: (serverId: string) => boolean): ResourceTemplate[] {
    const seen = new Set<string>();
    const out: ResourceTemplate[] = [];
    for (const [id, catalog] of this.catalogs) {
      if (!include(id)) continue;
      for (const t of catalog.resourceTemplates) {
        if (seen.has(t.uriTemplate)) continue;
        seen.add(t.uriTemplate);
        out.push(t);
      }
    }
    return out;
  }

  /** Where a tool name (as the caller spelled it) leads. Throws when unknown or ambiguous. */
  /** Whether `name` routes by the merged catalog alone (not as a prefixed name, which depends on membership too). */
  routesDirectly(name: string): boolean {
    return this.mergedTools().routes.has(name);
  }

  routeTool(name: string, known: (serverId: string) => boolean): Route {
    return this.route('tool', this.mergedTools(), name, known);
  }

  routePrompt(name: string, known: (serverId: string) => boolean): Route {
    return this.route('prompt', this.mergedPrompts(), name, known);
  }

  /** The tool a server offers under its own (upstream) name. */
  serverTool(serverId: string, name: string): Tool | undefined {
    const catalog = this.catalogs.get(serverId);
    if (!catalog) return undefined;
    let byName = this.toolMaps.get(catalog);
    if (!byName) {
      byName = new Map(catalog.tools.map((t) => [t.name, t]));
      this.toolMaps.set(catalog, byName);
    }
    return byName.get(name);
  }

  private readonly toolMaps = new WeakMap<ServerCatalog, Map<string, Tool>>();

  /** The definition of a tool as the caller names it, for its annotations. */
  findTool(name: string): Tool | undefined {
    return this.mergedTools().list.find((t) => t.name === name) ?? this.findPrefixed(name);
  }

  private findPrefixed(name: string): Tool | undefined {
    const at = name.indexOf(this.separator);
    if (at <= 0) return undefined;
    const catalog = this.catalogs.get(name.slice(0, at));
    const rest = name.slice(at + this.separator.length);
    return catalog?.tools.find((t) => t.name === rest);
  }

  /**
   * Servers that can read a resource URI: those that list it, then those with
   * a template that matches it. Undefined when no server claims it, so the
   * caller may ask every server that offers resources.
   */
  routeResource(uri: string): string[] | undefined {
    const listed: string[] = [];
    const templated: string[] = [];
    for (const [id, catalog] of this.catalogs) {
      if (catalog.resources.some((r) => r.uri === uri)) listed.push(id);
      else if (catalog.resourceTemplates.some((t) => this.template(t.uriTemplate).match(uri)))
        templated.push(id);
    }
    if (listed.length > 0) return listed;
    if (templated.length > 0) return templated;
    return undefined;
  }

  private template(pattern: string): UriTemplate {
    let t = this.templates.get(pattern);
    if (!t) {
      t = new UriTemplate(pattern);
      this.templates.set(pattern, t);
    }
    return t;
  }

  private route<T extends Named>(
    kind: 'tool' | 'prompt',
    merged: MergedKind<T>,
    name: string,
    known: (serverId: string) => boolean,
  ): Route {
    const direct = merged.routes.get(name);
    if (direct) return direct;
    const conflict = merged.conflicts.get(name);
    if (conflict) throw new AmbiguousNameError(kind, name, conflict);
    // A prefixed name always reaches its server, whatever the policy shows.
    const at = name.indexOf(this.separator);
    if (at > 0) {
      const serverId = name.slice(0, at);
      const rest = name.slice(at + this.separator.length);
      const catalog = this.catalogs.get(serverId);
      const items: Named[] | undefined = kind === 'tool' ? catalog?.tools : catalog?.prompts;
      if (known(serverId) && items?.some((t) => t.name === rest))
        return { servers: [serverId], upstreamName: rest };
    }
    throw new UnknownCapabilityError(
      kind,
      name,
      merged.list.map((t) => t.name),
    );
  }

  private mergedTools(): MergedKind<Tool> {
    this.tools ??= this.merge((c) => c.tools, toolSignature);
    return this.tools;
  }

  private mergedPrompts(): MergedKind<Prompt> {
    this.prompts ??= this.merge((c) => c.prompts, promptSignature);
    return this.prompts;
  }

  private merge<T extends Named>(
    items: (c: ServerCatalog) => T[],
    signature: (item: T) => string,
  ): MergedKind<T> {
    // name -> signature -> [servers, first definition]
    const byName = new Map<string, Map<string, { servers: string[]; item: T }>>();
    for (const [id, catalog] of this.catalogs) {
      for (const item of items(catalog)) {
        let variants = byName.get(item.name);
        if (!variants) {
          variants = new Map();
          byName.set(item.name, variants);
        }
        const sig = signature(item);
        const variant = variants.get(sig);
        if (variant) variant.servers.push(id);
        else variants.set(sig, { servers: [id], item });
      }
    }
    const merged: MergedKind<T> = {
      list: [],
      routes: new Map(),
      conflicts: new Map(),
      conflictServers: new Map(),
    };
    // Names this policy prefixes: conflicted ones, or all of them under `always`.
    const prefixedNames = new Set<string>();
    const generated = new Set<string>();
    for (const [name, variants] of byName) {
      if (variants.size > 1 || this.policy === 'always') {
        prefixedNames.add(name);
        for (const v of variants.values())
          for (const id of v.servers) generated.add(this.prefixed(id, name));
      }
    }
    for (const [name, variants] of byName) {
      const conflicted = variants.size > 1;
      if (conflicted) {
        merged.conflictServers.set(
          name,
          [...variants.values()].flatMap((v) => v.servers),
        );
      }
      // A tool really named like a generated one (`s1__add` on server x) gets
      // prefixed too, so `s1__add` keeps meaning s1's `add`.
      const shadowed = !prefixedNames.has(name) && generated.has(name);
      if (!conflicted && !shadowed && this.policy !== 'always') {
        const only = [...variants.values()][0];
        if (!only) continue;
        merged.list.push(only.item);
        merged.routes.set(name, { servers: only.servers, upstreamName: name });
        continue;
      }
      const exposed: string[] = [];
      for (const variant of variants.values()) {
        for (const serverId of variant.servers) {
          const prefixed = this.prefixed(serverId, name);
          exposed.push(prefixed);
          if (conflicted && this.policy === 'reject') continue;
          if (merged.routes.has(prefixed)) continue;
          merged.list.push({ ...variant.item, name: prefixed });
          merged.routes.set(prefixed, { servers: [serverId], upstreamName: name });
        }
      }
      // Under `reject` the prefixed names are not listed but still reach their server.
      if (conflicted || shadowed) merged.conflicts.set(name, exposed);
    }
    return merged;
  }

  private prefixed(serverId: string, name: string): string {
    const full = `${serverId}${this.separator}${name}`;
    if (full.length <= MAX_NAME) return full;
    // Keep names within MCP's limit while staying unique: cut and add a short hash.
    const hash = fnv1a(full).toString(36);
    return `${full.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
  }
}

function filterByServers<T extends Named>(
  merged: MergedKind<T>,
  include: (serverId: string) => boolean,
): T[] {
  return merged.list.filter((item) => merged.routes.get(item.name)?.servers.some(include));
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
