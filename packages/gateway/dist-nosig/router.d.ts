import { type CallOptions, type NamespacingOptions, type ServerView } from '@mcpool/core';
import type { CallToolRequest, CallToolResult, CompleteRequest, CompleteResult, GetPromptRequest, GetPromptResult, Prompt, ReadResourceRequest, ReadResourceResult, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from './upstream.js';
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
export declare class UpstreamRouter {
    private readonly upstreams;
    private readonly namespacing;
    private index;
    private readonly offs;
    constructor(upstreams: readonly Upstream[], namespacing: NamespacingOptions);
    /** Stops following the pools' events. */
    dispose(): void;
    private get single();
    listTools(options: CallOptions): Promise<Tool[]>;
    listPrompts(options: CallOptions): Promise<Prompt[]>;
    listResources(options: CallOptions): Promise<Resource[]>;
    listResourceTemplates(options: CallOptions): Promise<ResourceTemplate[]>;
    callTool(params: CallToolRequest['params'], options: CallOptions): Promise<CallToolResult>;
    getPrompt(params: GetPromptRequest['params'], options: CallOptions): Promise<GetPromptResult>;
    readResource(params: ReadResourceRequest['params'], options: CallOptions): Promise<ReadResourceResult>;
    complete(params: CompleteRequest['params'], options: CallOptions): Promise<CompleteResult>;
    /**
     * Where a resource URI lives, per upstream: the servers that list it or
     * have a matching template, else every server that offers resources.
     */
    resourceServers(uri: string): Promise<{
        upstream: Upstream;
        servers: ServerView[];
    }[]>;
    /**
     * The servers a tool or prompt name routes to; empty when the name is
     * unknown (the call itself then says so).
     */
    routeServers(kind: 'tool' | 'prompt', name: string): Promise<readonly string[]>;
    private known;
    /** The upstream whose servers serve a route: the first (the session's) with a healthy one. */
    private owner;
    private resourceOwner;
    /** The merged index of every upstream's catalogs and the health filter of merged lists. */
    private merged;
}
//# sourceMappingURL=router.d.ts.map