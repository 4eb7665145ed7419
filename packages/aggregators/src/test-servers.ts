import {
  AbortedError,
  type Balancer,
  type ServerPool,
  type ServerPoolOptions,
  type TransportConfig,
} from '@mcpool/core';
import { startPool, useCleanup } from '@mcpool/core/testing';
import {
  type InProcessTestServer,
  startInProcessServers,
  type TestServerOptions,
} from '@mcpool/testkit';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCNotification,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

/** One cleanup list per test file: what a test opened is closed after it, last opened first. */
const cleanup = useCleanup();

/** Registers something to close after the current test, last opened first closed. */
export function onCleanup(close: () => Promise<void>): void {
  cleanup(close);
}

/** Closes everything the test opened now (it also happens after each test by itself). */
export const closeAll = cleanup.run;

/** In-process test servers `s1`, `s2`, ... with per-server options. */
export function testServers(options: Partial<TestServerOptions>[]): InProcessTestServer[] {
  return startInProcessServers(options, onCleanup);
}

/** A started pool of the given servers, closed after the test. */
export function poolOf(
  servers: readonly { id: string; transport: TransportConfig }[],
  options: ServerPoolOptions = {},
): Promise<ServerPool> {
  return startPool(servers, { ...options, cleanup });
}

/** The text of a tool result's text blocks, joined. */
export function text(result: { content?: unknown }): string {
  const content = (result.content ?? []) as { type: string; text?: string }[];
  return content.map((c) => c.text ?? '').join('\n');
}

/**
 * Picks the candidate with the lowest id, so a test knows which server a race
 * starts with (candidate order follows catalog arrival, not the order added).
 */
export const lowestId: Balancer = {
  name: 'lowest-id',
  pick: (candidates) => {
    let best = candidates[0];
    for (const c of candidates) if (best === undefined || c.id < best.id) best = c;
    if (!best) throw new Error('lowest-id: no candidates');
    return best;
  },
};

/** True when `error` is how the client reports the caller's abort: an `AbortedError` caused by `reason`. */
export function isCallerAbort(error: unknown, reason: unknown): boolean {
  return error instanceof AbortedError && error.cause === reason;
}

/**
 * Wraps a custom transport so the test sees every `notifications/cancelled`
 * the client sends down it: proof that a cancelled attempt reached the wire.
 */
export function watchCancellations(transport: {
  type: 'custom';
  create: () => Transport | Promise<Transport>;
}): { transport: TransportConfig; cancelled: unknown[] } {
  const cancelled: unknown[] = [];
  return {
    cancelled,
    transport: {
      type: 'custom',
      create: async () => {
        const inner = await transport.create();
        const send = inner.send.bind(inner);
        inner.send = (message, options) => {
          if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled')
            cancelled.push(message.params?.requestId);
          return send(message, options);
        };
        return inner;
      },
    },
  };
}

/** How a {@link catalogServer} answers `tools/list`. */
export type ListMode = 'ok' | 'slow' | 'error';

/** A server offering only a tool list, whose `tools/list` can be made slow or failing. */
export interface CatalogServer {
  readonly id: string;
  readonly transport: TransportConfig;
  /** Switch after the pool started: the pool reads the catalog while connecting. */
  mode: ListMode;
  /** `slow` lists waited for a cancellation that arrived. */
  cancelledLists: number;
  /** `slow` lists that ran to the end (a cancelled one never does). */
  finishedLists: number;
}

/**
 * Builds a server on the SDK's low-level `Server`, because McpServer has no
 * seam to delay or fail its own `tools/list` handler. `slow` waits 5 s unless
 * cancelled; `error` answers with JSON-RPC InternalError.
 */
export function catalogServer(id: string, tools: Tool[]): CatalogServer {
  const servers = new Set<Server>();
  const state: CatalogServer = {
    id,
    mode: 'ok',
    cancelledLists: 0,
    finishedLists: 0,
    transport: {
      type: 'custom',
      create: async () => {
        const server = new Server(
          { name: `catalog-${id}`, version: '0.0.0' },
          { capabilities: { tools: {} } },
        );
        server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
          if (state.mode === 'error')
            throw new McpError(ErrorCode.InternalError, `${id}: tools/list failed on purpose`);
          if (state.mode === 'slow') {
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(resolve, 5_000);
              extra.signal.addEventListener(
                'abort',
                () => {
                  clearTimeout(timer);
                  state.cancelledLists++;
                  reject(extra.signal.reason);
                },
                { once: true },
              );
            });
            state.finishedLists++;
          }
          return { tools };
        });
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await server.connect(serverSide);
        servers.add(server);
        return clientSide;
      },
    },
  };
  onCleanup(async () => {
    await Promise.all([...servers].map((s) => s.close()));
  });
  return state;
}

/** A plain tool definition for a {@link catalogServer}. */
export function tool(name: string, properties: Record<string, object> = {}): Tool {
  return { name, inputSchema: { type: 'object', properties } };
}

/**
 * A server built in the test with the SDK's McpServer, one instance per
 * connection, over a linked in-memory pair: for tools the test kit lacks.
 */
export function mcpServer(
  id: string,
  register: (server: McpServer) => void,
): { id: string; transport: TransportConfig } {
  const live = new Set<McpServer>();
  onCleanup(async () => {
    await Promise.all([...live].map((s) => s.close()));
  });
  return {
    id,
    transport: {
      type: 'custom',
      create: async () => {
        const server = new McpServer({ name: `custom-${id}`, version: '0.0.0' });
        register(server);
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await server.connect(serverSide);
        live.add(server);
        return clientSide;
      },
    },
  };
}
