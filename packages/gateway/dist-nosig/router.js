import { NoServerAvailableError, } from '@mcpool/core';
import { CatalogIndex } from '@mcpool/core/internal';
/**
 * Serves one downstream session from its upstreams: its own pool of stateful
 * servers and the gateway's shared pool of stateless ones. With one upstream
 * every request goes to its client as is. With two, the catalogs are merged
 * into one namespaced index (so a name two servers define differently is never
 * resolved silently, whichever pool they are in), and each request goes to the
 * client of the pool whose servers the index routes it to; when a name is
 * offered identically in both pools, the session's own pool serves it while
 * one of its servers is healthy.
 */
export class UpstreamRouter {
    upstreams;
    namespacing;
    index;
    offs = [];
    constructor(upstreams, namespacing) {
        this.upstreams = upstreams;
        this.namespacing = namespacing;
        if (upstreams.length > 1) {
            const invalidate = () => {
                this.index = undefined;
            };
            for (const { pool } of upstreams) {
                pool.on('catalog:changed', invalidate);
                pool.on('server:removed', invalidate);
                this.offs.push(() => {
                    pool.off('catalog:changed', invalidate);
                    pool.off('server:removed', invalidate);
                });
            }
        }
    }
    /** Stops following the pools' events. */
    dispose() {
        for (const off of this.offs.splice(0))
            off();
    }
    get single() {
        return this.upstreams.length === 1 ? this.upstreams[0] : undefined;
    }
    async listTools(options) {
        const one = this.single;
        if (one)
            return one.client.listTools(options);
        const { index, include } = await this.merged();
        return index.listTools(include);
    }
    async listPrompts(options) {
        const one = this.single;
        if (one)
            return one.client.listPrompts(options);
        const { index, include } = await this.merged();
        return index.listPrompts(include);
    }
    async listResources(options) {
        const one = this.single;
        if (one)
            return one.client.listResources(options);
        const { index, include } = await this.merged();
        return index.listResources(include);
    }
    async listResourceTemplates(options) {
        const one = this.single;
        if (one)
            return one.client.listResourceTemplates(options);
        const { index, include } = await this.merged();
        return index.listResourceTemplates(include);
    }
    async callTool(params, options) {
        const one = this.single;
        if (one)
            return one.client.callTool(params, options);
        const { index } = await this.merged();
        const route = index.routeTool(params.name, (id) => this.known(id));
        return this.owner(route.servers).client.callTool(params, options);
    }
    async getPrompt(params, options) {
        const one = this.single;
        if (one)
            return one.client.getPrompt(params, options);
        const { index } = await this.merged();
        const route = index.routePrompt(params.name, (id) => this.known(id));
        return this.owner(route.servers).client.getPrompt(params, options);
    }
    async readResource(params, options) {
        const one = this.single;
        if (one)
            return one.client.readResource(params, options);
        const { index } = await this.merged();
        return this.resourceOwner(index, params.uri).client.readResource(params, options);
    }
    async complete(params, options) {
        const one = this.single;
        if (one)
            return one.client.complete(params, options);
        const { index } = await this.merged();
        const ref = params.ref;
        const owner = ref.type === 'ref/prompt'
            ? this.owner(index.routePrompt(ref.name, (id) => this.known(id)).servers)
            : this.resourceOwner(index, ref.uri);
        return owner.client.complete(params, options);
    }
    /**
     * Where a resource URI lives, per upstream: the servers that list it or
     * have a matching template, else every server that offers resources.
     */
    async resourceServers(uri) {
        let ids;
        if (this.single) {
            await this.single.pool.listResources();
            ids = this.single.pool.catalog.routeResource(uri);
        }
        else {
            ids = (await this.merged()).index.routeResource(uri);
        }
        const out = [];
        for (const upstream of this.upstreams) {
            const servers = upstream.pool.servers().filter((s) => {
                if (ids)
                    return ids.includes(s.id);
                const c = upstream.pool.catalog.get(s.id);
                return c !== undefined && (c.resources.length > 0 || c.resourceTemplates.length > 0);
            });
            const healthy = servers.filter((s) => s.healthy);
            if (servers.length > 0)
                out.push({ upstream, servers: healthy.length > 0 ? healthy : servers });
        }
        return out;
    }
    /**
     * The servers a tool or prompt name routes to; empty when the name is
     * unknown (the call itself then says so).
     */
    async routeServers(kind, name) {
        try {
            let index;
            if (this.single) {
                await this.single.pool.listTools();
                index = this.single.pool.catalog;
            }
            else {
                index = (await this.merged()).index;
            }
            const known = (id) => this.known(id);
            return (kind === 'tool' ? index.routeTool(name, known) : index.routePrompt(name, known))
                .servers;
        }
        catch {
            return [];
        }
    }
    known(serverId) {
        return this.upstreams.some((u) => u.pool.server(serverId) !== undefined);
    }
    /** The upstream whose servers serve a route: the first (the session's) with a healthy one. */
    owner(servers) {
        let fallback;
        for (const upstream of this.upstreams) {
            const views = servers
                .map((id) => upstream.pool.server(id))
                .filter((s) => s !== undefined);
            if (views.length === 0)
                continue;
            if (views.some((s) => s.healthy))
                return upstream;
            fallback ??= upstream;
        }
        if (fallback)
            return fallback;
        throw new NoServerAvailableError();
    }
    resourceOwner(index, uri) {
        const servers = index.routeResource(uri);
        if (servers)
            return this.owner(servers);
        // Nobody lists it: ask the pool that has resources at all (each client asks all of its servers).
        const withResources = this.upstreams.find((u) => u.pool.servers().some((s) => {
            const c = u.pool.catalog.get(s.id);
            return c !== undefined && (c.resources.length > 0 || c.resourceTemplates.length > 0);
        }));
        const first = withResources ?? this.upstreams[0];
        if (!first)
            throw new NoServerAvailableError();
        return first;
    }
    /** The merged index of every upstream's catalogs and the health filter of merged lists. */
    async merged() {
        // The pools' own lists wait for pending catalog refreshes; their answers are not needed.
        await Promise.all(this.upstreams.map((u) => u.pool.listTools()));
        let index = this.index;
        if (!index) {
            index = new CatalogIndex(this.namespacing);
            for (const { pool } of this.upstreams) {
                for (const server of pool.servers()) {
                    const catalog = pool.catalog.get(server.id);
                    if (catalog)
                        index.set(server.id, catalog);
                }
            }
            this.index = index;
        }
        const views = this.upstreams.flatMap((u) => u.pool.servers());
        const anyHealthy = views.some((s) => s.healthy);
        const byId = new Map(views.map((s) => [s.id, s]));
        const include = (id) => {
            const s = byId.get(id);
            if (!s)
                return false;
            return anyHealthy ? s.healthy : s.state !== 'closed' && s.state !== 'draining';
        };
        return { index, include };
    }
}
//# sourceMappingURL=router.js.map