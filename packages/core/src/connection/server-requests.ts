import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type CreateMessageRequest,
  CreateMessageRequestSchema,
  type CreateMessageResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
  ListRootsRequestSchema,
  type ListRootsResult,
} from '@modelcontextprotocol/sdk/types.js';

/** Which server is asking, and a signal that aborts if the server cancels. */
export interface ServerRequestContext {
  readonly serverId: string;
  readonly signal: AbortSignal;
}

/**
 * Answers to requests that servers send to the client. Registered once on the
 * pool, they serve every connection of every server; a server is told the
 * client supports sampling, elicitation or roots only when a handler is set.
 */
export interface ServerRequestHandlers {
  sampling?:
    | ((
        params: CreateMessageRequest['params'],
        context: ServerRequestContext,
      ) => Promise<CreateMessageResult>)
    | undefined;
  elicitation?:
    | ((params: ElicitRequest['params'], context: ServerRequestContext) => Promise<ElicitResult>)
    | undefined;
  roots?:
    | ((context: ServerRequestContext) => ListRootsResult | Promise<ListRootsResult>)
    | undefined;
}

/** Answers the server's sampling, elicitation and roots requests on one SDK client. */
export function installHandlers(
  client: Client,
  options: { readonly handlers: ServerRequestHandlers; readonly serverId: string },
  self: () => unknown,
): void {
  const { handlers, serverId } = options;
  const context = (signal: AbortSignal) => ({ serverId, signal, connection: self() });
  if (handlers.sampling) {
    const handler = handlers.sampling;
    client.setRequestHandler(CreateMessageRequestSchema, (request, extra) =>
      handler(request.params, context(extra.signal)),
    );
  }
  if (handlers.elicitation) {
    const handler = handlers.elicitation;
    client.setRequestHandler(ElicitRequestSchema, (request, extra) =>
      handler(request.params, context(extra.signal)),
    );
  }
  if (handlers.roots) {
    const handler = handlers.roots;
    client.setRequestHandler(ListRootsRequestSchema, (_request, extra) =>
      handler(context(extra.signal)),
    );
  }
}
