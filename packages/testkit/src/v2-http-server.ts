import type { IncomingMessage, Server as NodeHttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import type { KillOptions } from './http-server.js';
import { listenOnLoopback, readBody, stopAbruptly } from './loopback-http.js';
import { TestServerState } from './test-server.js';
import type { TestStreamableHttpTransportConfig } from './transport-config.js';
import {
  createV2TestMcpServer,
  type ProtocolEra,
  type V2TestServerOptions,
} from './v2-test-server.js';
import { delay } from './wait.js';

/** Options for {@link startV2HttpServer}. */
export interface V2HttpTestServerOptions extends V2TestServerOptions {
  /**
   * How 2025-era requests are served: `stateless` answers them on the same endpoint from a fresh
   * instance per request (no `Mcp-Session-Id`; GET and DELETE get 405); `reject` makes a
   * modern-only server that answers them with the unsupported-protocol-version error (-32022).
   * @default 'stateless'
   */
  legacy?: 'stateless' | 'reject';
}

/**
 * A test server on 127.0.0.1 built on the v2 SDK: `createMcpHandler` behind `toNodeHandler`,
 * serving the 2026-07-28 era and (unless `legacy: 'reject'`) the 2025 era on one endpoint.
 * There are no sessions in either era, so there is nothing to drop or keep across a kill.
 */
export interface V2HttpTestServer {
  readonly id: string;
  readonly state: TestServerState;
  readonly port: number;
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  readonly transport: TestStreamableHttpTransportConfig;
  /** tools/call requests received per era, as the SDK classifies them (`isLegacyRequest`). */
  toolCallsByEra(): Readonly<Record<ProtocolEra, number>>;
  /** Server instances the handler built per era: one per request, `server/discover` included. */
  instancesByEra(): Readonly<Record<ProtocolEra, number>>;
  /** Stops listening and destroys every open socket, like a crash. The port is kept for restart(). */
  kill(options?: KillOptions): Promise<void>;
  /** Listens again on the same port after kill(). */
  restart(): Promise<void>;
  /** Closes the handler and every socket and stops listening; leaves no open handle behind. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

function jsonRpcError(id: unknown, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code, message } });
}

interface ToolCall {
  id: unknown;
  name: string;
}

function findToolCall(body: unknown): ToolCall | undefined {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, id, params } = message as { method?: unknown; id?: unknown; params?: unknown };
    if (method !== 'tools/call' || id === undefined) continue;
    const name = (params as { name?: unknown } | undefined)?.name;
    return { id, name: typeof name === 'string' ? name : '<unnamed>' };
  }
  return undefined;
}

/**
 * Starts a v2 SDK test server on 127.0.0.1 (an ephemeral port) at `/mcp`. The knobs of
 * {@link TestServerState} act on tools/call in front of the SDK, in both eras: `latencyMs` delays
 * the request, `error` answers a JSON-RPC InternalError (-32603) on a 200, `hang` never answers,
 * `garbage` answers a 200 whose JSON is cut off, `crash` behaves like {@link V2HttpTestServer.kill}.
 * `state.addTool`/`removeTool` change what later requests see and publish
 * `notifications/tools/list_changed` to open `subscriptions/listen` streams.
 */
export async function startV2HttpServer(
  options: V2HttpTestServerOptions,
): Promise<V2HttpTestServer> {
  const state = new TestServerState(options);
  const toolCalls: Record<ProtocolEra, number> = { legacy: 0, modern: 0 };
  const instances: Record<ProtocolEra, number> = { legacy: 0, modern: 0 };
  const handler = createMcpHandler(
    ({ era }) => {
      instances[era] += 1;
      return createV2TestMcpServer(options, state, era);
    },
    { legacy: options.legacy ?? 'stateless' },
  );
  const nodeHandler = toNodeHandler(handler);
  // Per-request instances read state.extraTools when built; open listen streams need telling.
  const stopFollowingTools = state.subscribe({
    added: () => handler.notify.toolsChanged(),
    removed: () => handler.notify.toolsChanged(),
  });
  // state.touch(uri) reaches the listen streams whose filter holds uri (the handler filters).
  const stopFollowingUpdates = state.followUpdates({
    uris: 'all',
    updated: (uri) => handler.notify.resourceUpdated(uri),
  });
  const sockets = new Set<Socket>();
  let httpServer: NodeHttpServer | undefined;
  let closed = false;

  const kill = async () => {
    const server = httpServer;
    if (!server) return;
    httpServer = undefined;
    await stopAbruptly(server, sockets);
  };

  const handleToolCall = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    call: ToolCall,
  ): Promise<boolean> => {
    // The body is already parsed; the SDK's classifier needs only the version header besides.
    const version = req.headers['mcp-protocol-version'];
    const probe = new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: typeof version === 'string' ? { 'mcp-protocol-version': version } : {},
    });
    const era: ProtocolEra = (await isLegacyRequest(probe, body)) ? 'legacy' : 'modern';
    toolCalls[era] += 1;
    state.recordCall(call.name);
    const mode = state.mode;
    if (mode === 'hang') return true; // the socket stays open until the client or kill() ends it
    if (state.latencyMs > 0) await delay(state.latencyMs);
    switch (mode) {
      case 'ok':
        return false;
      case 'error':
        sendJson(
          res,
          200,
          jsonRpcError(
            call.id,
            -32603,
            `mcpool-test ${state.id}: tools/call failed on purpose (mode "error")`,
          ),
        );
        return true;
      case 'garbage':
        sendJson(res, 200, '{"jsonrpc":"2.0","result":{"content":[{"type":"text","text":"unterm');
        return true;
      case 'crash':
        await kill();
        return true;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (req.method !== 'POST') {
      await nodeHandler(req, res);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      sendJson(res, 400, jsonRpcError(null, -32700, 'Parse error: Invalid JSON'));
      return;
    }
    const call = findToolCall(body);
    if (call !== undefined && (await handleToolCall(req, res, body, call))) return;
    await nodeHandler(req, res, body);
  };

  const listen = async (onPort: number) => {
    const started = await listenOnLoopback(
      onPort,
      handle,
      (res, error) =>
        sendJson(res, 500, jsonRpcError(null, -32603, `mcpool-test: ${String(error)}`)),
      sockets,
    );
    httpServer = started.server;
    return started.port;
  };

  const port = await listen(0);
  const url = `http://127.0.0.1:${port}/mcp`;
  return {
    id: state.id,
    state,
    port,
    url,
    transport: { type: 'streamable-http', url },
    toolCallsByEra: () => ({ ...toolCalls }),
    instancesByEra: () => ({ ...instances }),
    kill: () => kill(),
    restart: async () => {
      if (closed) throw new Error(`v2 http test server '${state.id}' is closed`);
      if (httpServer) throw new Error(`v2 http test server '${state.id}' is already listening`);
      await listen(port);
    },
    close: async () => {
      closed = true;
      stopFollowingTools();
      stopFollowingUpdates();
      await kill();
      await handler.close();
    },
  };
}
