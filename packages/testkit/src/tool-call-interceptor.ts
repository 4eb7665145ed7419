import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { TestServerState } from './test-server.js';

/** What `garbage` and `crash` mean for one particular transport. */
export interface FailureHooks {
  /** Answer request `id` with something the client cannot parse. */
  garbage(id: RequestId): void | Promise<void>;
  /** Die the way this transport's server dies. */
  crash(): void | Promise<void>;
}

/** A JSON-RPC-shaped object that is not a valid JSON-RPC message (no result, error or method). */
export function garbageMessage(id: RequestId): JSONRPCMessage {
  return { jsonrpc: '2.0', id, garbage: 'mcpool-test garbage' } as unknown as JSONRPCMessage;
}

/**
 * Applies `state` (call counting, latency, mode) to the tools/call requests arriving on a server
 * transport. It must run right after `McpServer.connect(transport)`: it wraps the `onmessage`
 * that connect() installed, so it sees requests before the SDK does. Working at this level is
 * what lets `error` become a real JSON-RPC error: McpServer converts anything a tool handler
 * throws (McpError included) into an `isError` tool result.
 */
export function interceptToolCalls(
  transport: Transport,
  state: TestServerState,
  hooks: FailureHooks,
): void {
  const deliver = transport.onmessage;
  if (!deliver) throw new Error('interceptToolCalls: call it after McpServer.connect(transport)');
  const delayed = new Map<RequestId, NodeJS.Timeout>();
  // Requests we will never pass on; their cancellation must not reach the SDK either.
  const swallowed = new Set<RequestId>();
  const report = (error: unknown) =>
    transport.onerror?.(error instanceof Error ? error : new Error(String(error)));

  const handleToolCall = (
    message: JSONRPCMessage & { id: RequestId },
    name: string,
    extra?: MessageExtraInfo,
  ) => {
    const meta = (message as { params?: { _meta?: unknown } }).params?._meta;
    state.recordCall(
      name,
      typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined,
      message.id,
    );
    const mode = state.mode;
    const id = message.id;
    if (mode === 'hang') {
      swallowed.add(id);
      return;
    }
    const act = () => {
      delayed.delete(id);
      switch (mode) {
        case 'ok':
          deliver(message, extra);
          return;
        case 'error':
          // What the SDK would send had a request handler thrown McpError(InternalError).
          transport
            .send({
              jsonrpc: '2.0',
              id,
              error: {
                code: ErrorCode.InternalError,
                message: `mcpool-test ${state.id}: tools/call failed on purpose (mode "error")`,
              },
            })
            .catch(report);
          return;
        case 'garbage':
          Promise.resolve(hooks.garbage(id)).catch(report);
          return;
        case 'crash':
          Promise.resolve(hooks.crash()).catch(report);
          return;
      }
    };
    if (state.latencyMs > 0) {
      delayed.set(id, setTimeout(act, state.latencyMs));
    } else {
      act();
    }
  };

  transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
    if (isJSONRPCRequest(message) && message.method === 'tools/call') {
      const name = message.params?.name;
      handleToolCall(message, typeof name === 'string' ? name : '<unnamed>', extra);
      return;
    }
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const requestId = message.params?.requestId as RequestId | undefined;
      if (requestId !== undefined) {
        const timer = delayed.get(requestId);
        if (timer !== undefined || swallowed.has(requestId)) {
          clearTimeout(timer);
          delayed.delete(requestId);
          swallowed.delete(requestId);
          return;
        }
      }
    }
    deliver(message, extra);
  };

  const onclose = transport.onclose;
  transport.onclose = () => {
    for (const timer of delayed.values()) clearTimeout(timer);
    delayed.clear();
    swallowed.clear();
    onclose?.();
  };
}
