import type {
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  ListRootsResult,
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
