// Over 350 lines: one downstream session. Its upstream side (opened lazily,
// closed with it), the SDK server's handlers and the HTTP transport's direct
// lane all go through one forward(), which maps signals and errors once.
import { randomUUID } from 'node:crypto';
import type { CallOptions, CatalogList, ServerPool } from '@mcpool/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type RequestId,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { catalogCacheHint } from './cache-hints.js';
import { isToolFailure, toDownstreamError, toToolError, withResourceUri } from './errors.js';
import type { PlainCallParams } from './http-direct-calls.js';
import type { GatewayLogger } from './logger.js';
import type { Redact } from './redact.js';
import {
  type DownstreamRequest,
  downstreamRequest,
  type InflightRequests,
} from './request-context.js';
import { UpstreamRouter } from './router.js';
import { ClientAsks } from './session-asks.js';
import { SessionEvents } from './session-events.js';
import { type TraceRequest, tracedHandler } from './trace-handlers.js';
import type { OpenUpstream, Upstream } from './upstream.js';

/** What a session needs from its gateway. */
export interface SessionHost {
  readonly redact: Redact;
  readonly logger: GatewayLogger;
  readonly namespacing: { policy?: 'prefix-on-conflict' | 'always' | 'reject'; separator?: string };
  /** The shared pool of stateless servers, if any. */
  readonly shared: Upstream | undefined;
  /** Ids of the servers marked `sessionState`. */
  readonly sessionStateServers: ReadonlySet<string>;
  /** Runs each downstream request inside a trace, when tracing is on. */
  readonly traceRequest?: TraceRequest | undefined;
  /** Opens this session's own pool of stateful servers (undefined when there are none). */
  openSessionUpstream(session: GatewaySession): Promise<OpenUpstream | undefined>;
  sessionClosed(session: GatewaySession): void;
}

/**
 * One downstream client: its SDK `Server`, its own upstream pool of stateful
 * servers (opened once the client has initialized, so that upstream servers
 * are offered exactly the capabilities the downstream client has) and its view
 * of the shared pool. Closing it closes its upstream sessions.
 */
export class GatewaySession {
  /** A gateway-side id, the same on every replica for a sealed HTTP session. */
  readonly id: string;
  /** Opened elsewhere and rebuilt here from a sealed session id. */
  readonly rebuilt: boolean;
  private upstream: OpenUpstream | undefined;
  private router: UpstreamRouter | undefined;
  private opening: Promise<UpstreamRouter> | undefined;
  private events: SessionEvents | undefined;
  /** Sampling, elicitation and roots requests of upstream servers, put to this session's client. */
  readonly asks: ClientAsks;
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;
  /** Resolves once the session and its upstream sessions are closed. */
  readonly closed = new Promise<void>((resolve) => {
    this.resolveClosed = resolve;
  });
  /** Called once the session has closed, whoever closed it. */
  onclose: (() => void) | undefined;

  constructor(
    readonly server: Server,
    readonly transport: Transport,
    private readonly host: SessionHost,
    private readonly inflight: InflightRequests<GatewaySession>,
    options: { id?: string | undefined; rebuilt?: boolean | undefined } = {},
  ) {
    this.id = options.id ?? randomUUID();
    this.rebuilt = options.rebuilt === true;
    this.asks = new ClientAsks(server);
    this.install();
    // Upstream sessions open on the first request that needs them, not at
    // initialize: an idle downstream session costs no upstream connection.
    server.onclose = () => {
      void this.close();
    };
  }

  /** The session's own upstream pool (stateful servers); undefined before initialize or when every server is stateless. */
  get pool(): ServerPool | undefined {
    return this.upstream?.pool;
  }

  /**
   * The 2026-07-28 cache hint of one merged list this session serves, from
   * what its upstream servers (its own and the shared ones) said of it.
   */
  cacheHint(list: CatalogList): { ttlMs: number; cacheScope: 'public' | 'private' } {
    const pools = [this.upstream, this.host.shared].flatMap((u) => (u ? [u.pool] : []));
    return catalogCacheHint(pools, list);
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Opens the upstream side once; every request waits for it. */
  ready(): Promise<UpstreamRouter> {
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<UpstreamRouter> {
    let own: OpenUpstream | undefined;
    try {
      own = await this.host.openSessionUpstream(this);
    } catch (error) {
      this.host.logger.error(
        { session: this.id, err: this.host.redact(String(error)) },
        'could not open the upstream pool',
      );
      throw error;
    }
    if (this.closing) {
      await own?.close();
      throw new McpError(ErrorCode.ConnectionClosed, 'The session is closed.');
    }
    this.upstream = own;
    const upstreams = [own, this.host.shared].filter((u): u is Upstream => u !== undefined);
    const router = new UpstreamRouter(upstreams, this.host.namespacing);
    this.router = router;
    this.events = new SessionEvents(this, this.host, router);
    await this.events.follow(upstreams.map((u) => u.pool));
    return router;
  }

  /**
   * On a session rebuilt from a sealed id, refuses a name served by a server
   * marked `sessionState`: its per-session state stayed with the replica
   * that opened the session, and a fresh upstream session would silently
   * lack it.
   */
  private async refuseLostState(
    router: UpstreamRouter,
    route: { kind: 'tool' | 'prompt'; name: string } | undefined,
  ): Promise<void> {
    if (!route || !this.rebuilt || this.host.sessionStateServers.size === 0) return;
    const servers = await router.routeServers(route.kind, route.name);
    const kept = servers.find((id) => this.host.sessionStateServers.has(id));
    if (kept === undefined) return;
    throw new McpError(
      ErrorCode.InvalidRequest,
      `mcpool: this session moved to another gateway replica, and server "${kept}" keeps per-session state (sessionState) that did not move with it; initialize a new session to use ${route.kind} "${route.name}".`,
    );
  }

  /**
   * A plain `tools/call` of the HTTP transport's direct lane: the same
   * forward as the SDK server's handler below, minus what only a request
   * with `_meta` needs. Undefined when the session is traced (the trace
   * wraps the SDK server's handlers) or closed.
   */
  callDirect(
    params: PlainCallParams,
    requestId: RequestId,
    controller: AbortController,
  ): Promise<CallToolResult> | undefined {
    if (this.host.traceRequest || this.closing) return undefined;
    // The controller serves this call alone: the pool uses it as the call's own.
    return this.forward(
      { signal: undefined, requestId },
      (r, o) => r.callTool(params, o),
      { controller },
      true,
      { kind: 'tool', name: params.name },
    );
  }

  /** Runs a forwarded request on behalf of a downstream request, with its signal and errors mapped. */
  private async forward<T>(
    extra: { signal: AbortSignal | undefined; requestId: RequestId },
    run: (router: UpstreamRouter, options: CallOptions) => Promise<T>,
    more: Partial<CallOptions> = {},
    toolErrors = false,
    route?: { kind: 'tool' | 'prompt'; name: string },
  ): Promise<T> {
    try {
      const router = await this.ready();
      if (this.rebuilt) await this.refuseLostState(router, route);
      const options: CallOptions = { signal: extra.signal, key: this.id, ...more };
      if (!this.answersServerRequests()) return await run(router, options);
      const request: DownstreamRequest<GatewaySession> = {
        session: this,
        requestId: extra.requestId,
      };
      return await downstreamRequest.run(request, () => run(router, options));
    } catch (error) {
      if (toolErrors && isToolFailure(error)) {
        return toToolError(error, this.host.redact) as T;
      }
      throw toDownstreamError(error, this.host.redact);
    }
  }

  /**
   * Whether an upstream server's request (sampling, elicitation, roots) may
   * need this session's downstream request: the shared pool routes by the
   * calls in flight on it, the session's own pool only for what the client
   * declared. When neither, the call runs without the `AsyncLocalStorage`
   * (which turns on promise hooks for the whole process).
   */
  private answersServerRequests(): boolean {
    if (this.host.shared) return true;
    const caps = this.server.getClientCapabilities();
    return caps !== undefined && (!!caps.sampling || !!caps.elicitation || !!caps.roots);
  }

  private install(): void {
    const s = this.server;
    const noCursor = (cursor: string | undefined) => {
      // Every list is answered whole, so no cursor was ever handed out.
      if (cursor !== undefined) {
        throw new McpError(ErrorCode.InvalidParams, 'Unknown cursor: lists are not paginated.');
      }
    };
    s.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
      noCursor(request.params?.cursor);
      return { tools: await this.forward(extra, (r, o) => r.listTools(o)) };
    });
    s.setRequestHandler(ListPromptsRequestSchema, async (request, extra) => {
      noCursor(request.params?.cursor);
      return { prompts: await this.forward(extra, (r, o) => r.listPrompts(o)) };
    });
    s.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
      noCursor(request.params?.cursor);
      return { resources: await this.forward(extra, (r, o) => r.listResources(o)) };
    });
    s.setRequestHandler(ListResourceTemplatesRequestSchema, async (request, extra) => {
      noCursor(request.params?.cursor);
      return {
        resourceTemplates: await this.forward(extra, (r, o) => r.listResourceTemplates(o)),
      };
    });
    // Protocol's registration, not Server's: Server wraps tools/call to parse the request a second
    // time and the result again, which the SDK client upstream has already checked against the
    // same schema (and the gateway's own tool errors are built to it). The request is still
    // parsed once, with the SDK's schema, here.
    const trace = this.host.traceRequest;
    const registerOnce = ((schema, handler) =>
      Protocol.prototype.setRequestHandler.call(
        s,
        schema,
        trace ? tracedHandler(trace, handler) : handler,
      )) as Server['setRequestHandler'];
    registerOnce(CallToolRequestSchema, (request, extra) => {
      const { _meta, ...params } = request.params;
      const progressToken = _meta?.progressToken;
      const { progressToken: _ours, ...otherMeta } = _meta ?? {};
      // The downstream token means nothing upstream: the SDK client sets its own and we map back.
      const upstreamParams =
        Object.keys(otherMeta).length > 0 ? { ...params, _meta: otherMeta } : params;
      const more: Partial<CallOptions> =
        progressToken === undefined
          ? {}
          : {
              onprogress: (progress) => {
                extra
                  .sendNotification({
                    method: 'notifications/progress',
                    params: { ...progress, progressToken },
                  })
                  .catch(() => {});
              },
            };
      return this.forward(extra, (r, o) => r.callTool(upstreamParams, o), more, true, {
        kind: 'tool',
        name: params.name,
      });
    });
    s.setRequestHandler(GetPromptRequestSchema, (request, extra) =>
      this.forward(extra, (r, o) => r.getPrompt(request.params, o), {}, false, {
        kind: 'prompt',
        name: request.params.name,
      }),
    );
    s.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
      this.forward(extra, (r, o) => r.readResource(request.params, o)).catch((error: unknown) => {
        throw withResourceUri(error, request.params.uri);
      }),
    );
    s.setRequestHandler(CompleteRequestSchema, (request, extra) =>
      this.forward(extra, (r, o) => r.complete(request.params, o)),
    );
    s.setRequestHandler(SubscribeRequestSchema, (request, extra) =>
      this.forward(extra, async (r, o) => {
        const uri = request.params.uri;
        const places = await r.resourceServers(uri);
        if (places.length === 0) {
          throw new McpError(ErrorCode.InvalidParams, `No server offers the resource "${uri}".`);
        }
        const results = await Promise.allSettled(
          places.map(({ upstream, servers }) =>
            upstream.pool.subscriptions.subscribe(servers, uri, this.id, o.signal),
          ),
        );
        const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
        if (failed && results.every((x) => x.status === 'rejected')) throw failed.reason;
        return {};
      }),
    );
    s.setRequestHandler(UnsubscribeRequestSchema, (request, extra) =>
      this.forward(extra, async (_r, o) => {
        await Promise.all(
          this.upstreams().map((u) =>
            u.pool.subscriptions.unsubscribe(request.params.uri, this.id, o.signal),
          ),
        );
        return {};
      }),
    );
  }

  private upstreams(): Upstream[] {
    return [this.upstream, this.host.shared].filter((u): u is Upstream => u !== undefined);
  }

  /** The latest downstream request of this session with an attempt in flight on `serverId`. */
  relatedRequest(serverId: string): RequestId | undefined {
    return this.inflight
      .on(serverId)
      .filter((r) => r.session === this)
      .at(-1)?.requestId;
  }

  /** Closes the downstream session and its upstream sessions. Never throws. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.opening?.catch(() => {});
    this.events?.stop();
    this.router?.dispose();
    // The session's own pool closes anyway; the shared one keeps others' subscriptions.
    if (this.host.shared) {
      await this.host.shared.pool.subscriptions.unsubscribe(undefined, this.id);
    }
    await this.upstream?.close().catch(() => {});
    await this.server.close().catch(() => {});
    this.host.sessionClosed(this);
    this.resolveClosed();
    this.onclose?.();
  }
}
