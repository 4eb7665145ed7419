import type { RequestInfo, ServerView } from '@mcpool/core';
import type { Attributes } from '@opentelemetry/api';

/** Attribute names of the MCP semantic conventions and mcpool's own (`mcpool.*`). */
export const ATTR = {
  methodName: 'mcp.method.name',
  sessionId: 'mcp.session.id',
  protocolVersion: 'mcp.protocol.version',
  resourceUri: 'mcp.resource.uri',
  toolName: 'gen_ai.tool.name',
  promptName: 'gen_ai.prompt.name',
  operationName: 'gen_ai.operation.name',
  requestId: 'jsonrpc.request.id',
  errorType: 'error.type',
  statusCode: 'rpc.response.status_code',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  networkTransport: 'network.transport',
  networkProtocol: 'network.protocol.name',
  balancer: 'mcpool.balancer',
  aggregation: 'mcpool.aggregation',
  attempts: 'mcpool.attempts',
  fallbackUsed: 'mcpool.fallback.used',
  outcome: 'mcpool.outcome',
  mayHaveRun: 'mcpool.may_have_run',
  pinned: 'mcpool.server.pinned',
  serverId: 'mcpool.server.id',
  serverName: 'mcpool.server.name',
  command: 'mcpool.server.command',
  attemptNumber: 'mcpool.attempt.number',
  attemptKind: 'mcpool.attempt.kind',
  attemptOutcome: 'mcpool.attempt.outcome',
  retryFrom: 'mcpool.retry.from',
  retryReason: 'mcpool.retry.reason',
  cancelReason: 'mcpool.cancel.reason',
  breakerState: 'mcpool.breaker.state',
  vote: 'mcpool.vote',
  source: 'mcpool.source',
  reason: 'mcpool.reason',
} as const;

/** The span name the conventions ask for: `{mcp.method.name} {target}`, the target only when low-cardinality. */
export function spanName(request: RequestInfo, resourceUriInName: boolean): string {
  const target = request.target;
  if (target === undefined) return request.method;
  if (request.method === 'tools/call' || request.method === 'prompts/get') {
    return `${request.method} ${target}`;
  }
  return resourceUriInName ? `${request.method} ${target}` : request.method;
}

/** The conventions' attributes of a request, on call and attempt spans alike. */
export function requestAttributes(request: RequestInfo): Attributes {
  const attributes: Attributes = { [ATTR.methodName]: request.method };
  const target = request.target;
  if (target === undefined) return attributes;
  switch (request.method) {
    case 'tools/call':
      attributes[ATTR.toolName] = target;
      attributes[ATTR.operationName] = 'execute_tool';
      break;
    case 'prompts/get':
      attributes[ATTR.promptName] = target;
      break;
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      attributes[ATTR.resourceUri] = target;
      break;
  }
  return attributes;
}

interface TransportLike {
  type?: unknown;
  url?: unknown;
  command?: unknown;
  args?: unknown;
}

/**
 * Where a server is: `server.address`/`server.port` of an HTTP server, the
 * command of a stdio one, and its id and name. The transport is read from the
 * pool's server object, which carries the configuration it was added with.
 */
export function serverAttributes(server: ServerView): Attributes {
  const attributes: Attributes = {
    [ATTR.serverId]: server.id,
    [ATTR.serverName]: server.name,
  };
  const transport = (server as { transport?: TransportLike }).transport;
  if (!transport || typeof transport !== 'object') return attributes;
  if (
    (transport.type === 'streamable-http' || transport.type === 'sse') &&
    typeof transport.url === 'string'
  ) {
    try {
      const url = new URL(transport.url);
      attributes[ATTR.serverAddress] = url.hostname.replace(/^\[|\]$/g, '');
      attributes[ATTR.serverPort] = url.port
        ? Number(url.port)
        : url.protocol === 'https:'
          ? 443
          : 80;
      attributes[ATTR.networkTransport] = 'tcp';
      attributes[ATTR.networkProtocol] = 'http';
    } catch {
      // A URL the pool accepted but URL cannot parse: leave the address out.
    }
  } else if (transport.type === 'stdio' && typeof transport.command === 'string') {
    // The command only: arguments may carry tokens.
    attributes[ATTR.command] = transport.command;
    attributes[ATTR.networkTransport] = 'pipe';
  }
  return attributes;
}
