import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as NodeHttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { listenOnLoopback, readBody, stopAbruptly } from './loopback-http.js';
import { createTestMcpServer, type TestServerOptions, TestServerState } from './test-server.js';
import { garbageMessage, interceptToolCalls } from './tool-call-interceptor.js';
import type {
  TestSseTransportConfig,
  TestStreamableHttpTransportConfig,
} from './transport-config.js';
import { delay } from './wait.js';

/** Options for {@link startHttpServer}. */
export interface HttpTestServerOptions extends TestServerOptions {
  /** Also serve the legacy HTTP+SSE transport (GET /sse, POST /messages?sessionId=...). */
  sse?: boolean;
}

/** Options for {@link HttpTestServer.kill}. */
export interface KillOptions {
  /**
   * Keep the MCP sessions, so after restart() old session ids still work: a network outage
   * rather than a crash. Default false (a crash loses every session).
   */
  keepSessions?: boolean;
}

/** A test server on 127.0.0.1 speaking Streamable HTTP (and optionally legacy HTTP+SSE). */
export interface HttpTestServer {
  readonly id: string;
  readonly state: TestServerState;
  readonly port: number;
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  readonly transport: TestStreamableHttpTransportConfig;
  /** Present when started with `sse: true`; its url is `http://127.0.0.1:PORT/sse`. */
  readonly sseTransport?: TestSseTransportConfig;
  /** Live MCP sessions, Streamable HTTP and legacy SSE together. */
  sessionCount(): number;
  /**
   * Open Streamable HTTP GET streams. Notifications that are not tied to a request
   * (tools/list_changed, logging) only reach a client through this stream, and the SDK client
   * opens it asynchronously after initialisation: wait for it before expecting them.
   */
  notificationStreamCount(): number;
  /** Forgets (and closes) every session: the next request carrying an old session id gets 404. */
  dropSessions(): Promise<void>;
  /** Stops listening and destroys every open socket, like a crash. The port is kept for restart(). */
  kill(options?: KillOptions): Promise<void>;
  /** Listens again on the same port after kill(). */
  restart(): Promise<void>;
  /** Closes every session and socket and stops listening; leaves no open handle behind. */
  close(): Promise<void>;
}

interface StreamableSession {
  server: McpServer;
  transport: StreamableHTTPServerTransport;
}

interface SseSession {
  server: McpServer;
  transport: SSEServerTransport;
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function findToolCallName(body: unknown): string | undefined {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    if (isJSONRPCRequest(message) && message.method === 'tools/call') {
      const name = message.params?.name;
      return typeof name === 'string' ? name : '<unnamed>';
    }
  }
  return undefined;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Starts a test server on 127.0.0.1 (an ephemeral port) serving Streamable HTTP at `/mcp` with
 * sessions, and with `sse: true` the legacy transport at `/sse` + `/messages`.
 * Modes: `garbage` answers the tools/call POST with a 200 whose JSON body is invalid (the
 * client's call rejects at once); over legacy SSE it writes an unparsable event on the stream
 * (client `onerror`, call unanswered). `crash` behaves like {@link HttpTestServer.kill}.
 */
export async function startHttpServer(options: HttpTestServerOptions): Promise<HttpTestServer> {
  const state = new TestServerState(options);
  const streamable = new Map<string, StreamableSession>();
  const sse = new Map<string, SseSession>();
  const sockets = new Set<Socket>();
  let notificationStreams = 0;
  let httpServer: NodeHttpServer | undefined;
  let port = 0;
  let closed = false;

  const closeSessions = async () => {
    const servers = [...streamable.values(), ...sse.values()].map((session) => session.server);
    streamable.clear();
    sse.clear();
    // McpServer.close() closes its transport, which ends that session's open streams.
    await Promise.allSettled(servers.map((server) => server.close()));
  };

  const kill = async ({ keepSessions = false }: KillOptions = {}) => {
    const server = httpServer;
    if (!server) return;
    httpServer = undefined;
    const stopped = stopAbruptly(server, sockets);
    if (!keepSessions) await closeSessions();
    await stopped;
  };

  const startStreamableSession = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ) => {
    const server = createTestMcpServer(options, state);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        streamable.set(sessionId, { server, transport });
      },
    });
    // Fires on DELETE, on dropSessions()/close(), and when the server closes the transport.
    transport.onclose = () => {
      const sessionId = transport.sessionId;
      if (sessionId !== undefined && streamable.get(sessionId)?.transport === transport) {
        streamable.delete(sessionId);
      }
    };
    await server.connect(transport);
    interceptToolCalls(transport, state, {
      // The POST path answers garbage itself; this only runs if the mode flipped mid-request.
      garbage: (id) => transport.send(garbageMessage(id), { relatedRequestId: id }),
      crash: () => kill(),
    });
    await transport.handleRequest(req, res, body);
    // A rejected initialize never gets a session; do not leak its McpServer.
    if (transport.sessionId === undefined) await server.close();
  };

  const handleStreamable = async (req: IncomingMessage, res: ServerResponse) => {
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        sendJsonRpcError(res, 400, -32700, 'Parse error: Invalid JSON');
        return;
      }
    }
    const sessionId = headerValue(req, 'mcp-session-id');
    if (sessionId !== undefined) {
      const session = streamable.get(sessionId);
      if (!session) {
        // The spec: a request with a terminated/unknown session id gets 404, so the client re-initialises.
        sendJsonRpcError(res, 404, -32001, 'Session not found');
        return;
      }
      const toolName = req.method === 'POST' ? findToolCallName(body) : undefined;
      if (toolName !== undefined && state.mode === 'garbage') {
        state.recordCall(toolName);
        if (state.latencyMs > 0) await delay(state.latencyMs);
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': sessionId });
        res.end('{"jsonrpc":"2.0","result":{"content":[{"type":"text","text":"unterminated');
        return;
      }
      if (req.method === 'GET') {
        notificationStreams += 1;
        res.once('close', () => {
          notificationStreams -= 1;
        });
      }
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      await startStreamableSession(req, res, body);
      return;
    }
    sendJsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
  };

  const openSse = async (res: ServerResponse) => {
    const server = createTestMcpServer(options, state);
    const transport = new SSEServerTransport('/messages', res);
    const sessionId = transport.sessionId;
    sse.set(sessionId, { server, transport });
    transport.onclose = () => {
      sse.delete(sessionId);
    };
    await server.connect(transport);
    interceptToolCalls(transport, state, {
      // The POST already got its 202; the answer is due on the event stream, so spoil it there.
      garbage: () => {
        if (!res.writableEnded) {
          res.write('event: message\ndata: {"jsonrpc":"2.0", this is not json\n\n');
        }
      },
      crash: () => kill(),
    });
  };

  const postSse = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const sessionId = url.searchParams.get('sessionId');
    const session = sessionId === null ? undefined : sse.get(sessionId);
    if (!session) {
      sendJsonRpcError(res, 404, -32001, 'Session not found');
      return;
    }
    await session.transport.handlePostMessage(req, res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/mcp') return handleStreamable(req, res);
    if (options.sse && url.pathname === '/sse' && req.method === 'GET') return openSse(res);
    if (options.sse && url.pathname === '/messages' && req.method === 'POST') {
      return postSse(req, res, url);
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const listen = async (onPort: number) => {
    const started = await listenOnLoopback(
      onPort,
      handle,
      (res, error) => sendJsonRpcError(res, 500, -32603, `mcpool-test: ${String(error)}`),
      sockets,
    );
    httpServer = started.server;
    return started.port;
  };

  port = await listen(0);
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/mcp`;

  return {
    id: state.id,
    state,
    port,
    url,
    transport: { type: 'streamable-http', url },
    ...(options.sse ? { sseTransport: { type: 'sse' as const, url: `${base}/sse` } } : {}),
    sessionCount: () => streamable.size + sse.size,
    notificationStreamCount: () => notificationStreams,
    dropSessions: closeSessions,
    kill,
    restart: async () => {
      if (closed) throw new Error(`http test server '${state.id}' is closed`);
      if (httpServer) throw new Error(`http test server '${state.id}' is already listening`);
      await listen(port);
    },
    close: async () => {
      closed = true;
      await closeSessions();
      await kill();
    },
  };
}
