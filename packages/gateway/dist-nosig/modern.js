import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, Server as ModernServer, ProtocolError, } from '@modelcontextprotocol/server';
import { CATALOG_LIST_OF, mergeCacheHints } from './cache-hints.js';
import { LoopTransport } from './modern-loop.js';
/**
 * What the gateway offers a modern client in `server/discover`: the same
 * merged surface a legacy client gets at initialize (logging aside, which
 * the 2026-07-28 revision deprecates).
 */
export const MODERN_CAPABILITIES = {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { subscribe: true, listChanged: true },
    completions: {},
};
/** The requests a modern client sends that the gateway forwards to its pools. */
const FORWARDED = [
    'tools/list',
    'tools/call',
    'prompts/list',
    'prompts/get',
    'resources/list',
    'resources/templates/list',
    'resources/read',
    'completion/complete',
];
const CACHEABLE = [
    'tools/list',
    'prompts/list',
    'resources/list',
    'resources/templates/list',
    'resources/read',
    'server/discover',
];
/** Reserved envelope keys, which describe the modern request and mean nothing to the session. */
function withoutEnvelope(params) {
    if (typeof params !== 'object' || params === null)
        return undefined;
    const { _meta, ...rest } = params;
    if (!_meta)
        return rest;
    const kept = Object.fromEntries(Object.entries(_meta).filter(([key]) => !key.startsWith('io.modelcontextprotocol/')));
    return Object.keys(kept).length > 0 ? { ...rest, _meta: kept } : rest;
}
function toProtocolError(error) {
    return new ProtocolError(error.code, error.message, error.data);
}
/**
 * Serves modern requests for one authorization context (one bearer token,
 * or none): an in-process gateway session, opened once, answers every
 * request of that context, whichever replica or connection it came on.
 * Modern requests carry no session, so nothing else is kept per client.
 */
export class ModernTenant {
    gateway;
    principal;
    loop;
    session;
    subscribed = new Map();
    sinks = new Set();
    constructor(gateway, principal) {
        this.gateway = gateway;
        this.principal = principal;
        this.loop = new LoopTransport((notification) => {
            for (const sink of this.sinks)
                sink(notification);
        });
    }
    /** Follows the session's list changes and resource updates; returns what stops it. */
    follow(sink) {
        this.sinks.add(sink);
        return () => {
            this.sinks.delete(sink);
        };
    }
    /** The session, opened (and its upstreams with it) on the first modern request. */
    ready() {
        this.session ??= (async () => {
            const session = await this.gateway.connect(this.loop, {
                id: `modern:${this.principal.slice(0, 16) || 'anonymous'}`,
            });
            await this.loop.initialize();
            // The first list opens the upstream side, so that change notifications flow from now on.
            const first = await this.loop.request('tools/list', undefined);
            if (first.error)
                throw toProtocolError(first.error);
            return session;
        })();
        this.session.catch(() => {
            this.session = undefined;
        });
        return this.session;
    }
    /** A fresh SDK server for one modern request (HTTP) or connection (stdio), forwarding to the session. */
    createServer(info, instructions) {
        const hint = mergeCacheHints([undefined]);
        const server = new ModernServer(info, {
            capabilities: MODERN_CAPABILITIES,
            ...(instructions ? { instructions } : {}),
            cacheHints: Object.fromEntries(CACHEABLE.map((m) => [m, hint])),
        });
        for (const method of FORWARDED) {
            const handler = (request, ctx) => this.forward(method, request.params, ctx);
            server.setRequestHandler(method, handler);
        }
        return server;
    }
    async forward(method, params, ctx) {
        const session = await this.ready();
        const answer = await this.loop.request(method, withoutEnvelope(params), {
            signal: ctx.mcpReq.signal,
            onNotification: (notification) => {
                ctx.mcpReq
                    .notify(notification)
                    .catch(() => { });
            },
        });
        if (answer.error)
            throw toProtocolError(answer.error);
        const list = CATALOG_LIST_OF[method];
        // A merged list may be kept as long as every upstream server said of its part.
        return list ? { ...answer.result, ...session.cacheHint(list) } : answer.result;
    }
    /**
     * Subscribes the session to resource updates for as long as a listen
     * stream asks for them; returns what unsubscribes (once no stream asks).
     */
    async subscribe(uris) {
        await this.ready();
        const added = [];
        for (const uri of uris) {
            const count = this.subscribed.get(uri) ?? 0;
            this.subscribed.set(uri, count + 1);
            added.push(uri);
            if (count === 0) {
                const answer = await this.loop.request('resources/subscribe', { uri });
                if (answer.error) {
                    this.release(added);
                    throw toProtocolError(answer.error);
                }
            }
        }
        return () => this.release(added);
    }
    release(uris) {
        for (const uri of uris) {
            const count = (this.subscribed.get(uri) ?? 1) - 1;
            if (count > 0) {
                this.subscribed.set(uri, count);
                continue;
            }
            this.subscribed.delete(uri);
            void this.loop.request('resources/unsubscribe', { uri });
        }
    }
    async close() {
        const session = await this.session?.catch(() => undefined);
        await session?.close();
        await this.loop.close();
    }
}
/** The listen filter's resource URIs of a `subscriptions/listen` body, if any. */
function listenUris(body) {
    const params = body.params;
    const filter = params?.notifications;
    const uris = filter?.resourceSubscriptions;
    return Array.isArray(uris) ? uris.filter((u) => typeof u === 'string') : [];
}
/** Most authorization contexts served at once; the least recently used closes past it. */
const MAX_TENANTS = 256;
/**
 * The modern (2026-07-28) side of the gateway's HTTP endpoint. Requests the
 * SDK classifies as modern come here and are answered by the v2 SDK's
 * `createMcpHandler` (strict: `legacy: 'reject'`), which owns the era's
 * rules — envelope checks, `Mcp-Method`/`Mcp-Name` against the body
 * (-32020), unsupported versions (-32022 with `data.supported`),
 * `server/discover`, cache fields, `subscriptions/listen` — while each
 * request's server forwards to the tenant's session.
 */
export class ModernHttpFront {
    gateway;
    tenants = new Map();
    constructor(gateway) {
        this.gateway = gateway;
    }
    tenantFor(principal) {
        const held = this.tenants.get(principal);
        if (held) {
            this.tenants.delete(principal);
            this.tenants.set(principal, held);
            return held;
        }
        const tenant = new ModernTenant(this.gateway, principal);
        const info = this.gateway.serverInfo;
        const handler = createMcpHandler(() => tenant.createServer(info, this.gateway.instructions), {
            legacy: 'reject',
            onerror: (error) => this.gateway.logger.debug({ err: this.gateway.redact(String(error)) }, 'modern request'),
        });
        tenant.follow((notification) => {
            switch (notification.method) {
                case 'notifications/tools/list_changed':
                    return handler.notify.toolsChanged();
                case 'notifications/prompts/list_changed':
                    return handler.notify.promptsChanged();
                case 'notifications/resources/list_changed':
                    return handler.notify.resourcesChanged();
                case 'notifications/resources/updated': {
                    const uri = notification.params?.uri;
                    if (typeof uri === 'string')
                        handler.notify.resourceUpdated(uri);
                    return;
                }
            }
        });
        const entry = { tenant, handler, node: toNodeHandler(handler) };
        this.tenants.set(principal, entry);
        if (this.tenants.size > MAX_TENANTS) {
            const [oldest] = this.tenants.keys();
            if (oldest !== undefined)
                void this.drop(oldest);
        }
        return entry;
    }
    async drop(principal) {
        const entry = this.tenants.get(principal);
        if (!entry)
            return;
        this.tenants.delete(principal);
        await entry.handler.close();
        await entry.tenant.close();
    }
    /**
     * Answers one modern POST whose body is already parsed. `settled` is
     * called once the request no longer counts as a call in flight (a
     * listen stream stays open for as long as the client keeps it).
     */
    async handle(req, res, body, principal, settled) {
        const { tenant, node } = this.tenantFor(principal);
        const method = body.method;
        if (method !== 'subscriptions/listen')
            return node(req, res, body);
        settled();
        // The stream ends when the client goes away; the session's changes reach it meanwhile.
        await tenant.ready();
        const uris = listenUris(body);
        let unsubscribe = () => { };
        if (uris.length > 0) {
            try {
                unsubscribe = await tenant.subscribe(uris);
            }
            catch (error) {
                // The stream still carries what else it asked for; the log says which resource no server offers.
                this.gateway.logger.warn({ uris, err: this.gateway.redact(String(error)) }, 'subscriptions/listen: could not subscribe upstream');
            }
        }
        res.once('close', () => unsubscribe());
        return node(req, res, body);
    }
    async close() {
        await Promise.all([...this.tenants.keys()].map((p) => this.drop(p)));
    }
}
//# sourceMappingURL=modern.js.map