import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerRequestHandlers } from '../spec/connector.js';

export type { ServerRequestContext, ServerRequestHandlers } from '../spec/connector.js';

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
