import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createTestMcpServer, type TestServerOptions, TestServerState } from './test-server.js';
import { garbageMessage, interceptToolCalls } from './tool-call-interceptor.js';
import type { TestCustomTransportConfig } from './transport-config.js';

/** A test server living in this process; every `transport.create()` is a new connection. */
export interface InProcessTestServer {
  readonly id: string;
  readonly state: TestServerState;
  /** Hand this to the pool; each `create()` builds a fresh McpServer and returns its client side. */
  readonly transport: TestCustomTransportConfig;
  /** Connections currently open. */
  connections(): number;
  /** Closes every connection (clients see their transport close); later `create()` calls fail. */
  close(): Promise<void>;
}

/**
 * Starts a logical test server reachable over in-memory transports.
 * Modes: `garbage` sends the client an object that is not JSON-RPC (the client reports it through
 * `onerror` and the call stays unanswered until it times out); `crash` closes the connection.
 */
export function startInProcessServer(options: TestServerOptions): InProcessTestServer {
  const state = new TestServerState(options);
  const live = new Set<McpServer>();
  let closed = false;

  const create = async (): Promise<Transport> => {
    if (closed) throw new Error(`in-process test server '${state.id}' is closed`);
    const server = createTestMcpServer(options, state);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    serverSide.onclose = () => {
      live.delete(server);
    };
    await server.connect(serverSide);
    interceptToolCalls(serverSide, state, {
      garbage: (id) => serverSide.send(garbageMessage(id)),
      // Closing one side of a linked pair closes the other, like a peer that vanished.
      crash: () => serverSide.close(),
    });
    live.add(server);
    return clientSide;
  };

  return {
    id: state.id,
    state,
    transport: { type: 'custom', create },
    connections: () => live.size,
    close: async () => {
      closed = true;
      await Promise.all([...live].map((server) => server.close()));
      live.clear();
    },
  };
}

/**
 * In-process test servers `s1`, `s2`, ...: `count` alike ones, or one per
 * options object. `cleanup` (a `useCleanup()` list fits) is handed one
 * function that closes them all.
 */
export function startInProcessServers(
  servers: number | readonly Partial<TestServerOptions>[],
  cleanup?: (close: () => Promise<void>) => unknown,
): InProcessTestServer[] {
  const options =
    typeof servers === 'number' ? Array.from({ length: servers }, () => ({})) : servers;
  const list = options.map((o, i) => startInProcessServer({ id: `s${i + 1}`, ...o }));
  cleanup?.(async () => {
    await Promise.all(list.map((s) => s.close()));
  });
  return list;
}
