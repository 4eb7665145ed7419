import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CreateMessageRequest,
  type CreateMessageResult,
  type ElicitRequest,
  type ElicitResult,
  ErrorCode,
  type ListRootsResult,
  McpError,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** Which downstream server-to-client request an upstream server made. */
type AskKind = 'sampling' | 'elicitation' | 'roots';

/**
 * Puts an upstream server's sampling, elicitation and roots requests to the
 * downstream client, when it declared it can answer them.
 */
export class ClientAsks {
  constructor(private readonly server: Server) {}

  /** Answers a sampling request from an upstream server through this session's client. */
  createMessage(
    params: CreateMessageRequest['params'],
    signal: AbortSignal,
    related: RequestId | undefined,
  ): Promise<CreateMessageResult> {
    this.assertClientCan('sampling');
    return this.server.createMessage(params, this.askOptions(signal, related));
  }

  /** Answers an elicitation request from an upstream server through this session's client. */
  elicitInput(
    params: ElicitRequest['params'],
    signal: AbortSignal,
    related: RequestId | undefined,
  ): Promise<ElicitResult> {
    this.assertClientCan('elicitation');
    return this.server.elicitInput(params, this.askOptions(signal, related));
  }

  /** Answers a roots request from an upstream server through this session's client. */
  listRoots(signal: AbortSignal, related: RequestId | undefined): Promise<ListRootsResult> {
    this.assertClientCan('roots');
    return this.server.listRoots(undefined, this.askOptions(signal, related));
  }

  private askOptions(signal: AbortSignal, related: RequestId | undefined): RequestOptions {
    // Related to the downstream call so that over Streamable HTTP it travels on that call's stream.
    return related === undefined ? { signal } : { signal, relatedRequestId: related };
  }

  private assertClientCan(kind: AskKind): void {
    const caps = this.server.getClientCapabilities();
    const can =
      kind === 'sampling'
        ? caps?.sampling
        : kind === 'elicitation'
          ? caps?.elicitation
          : caps?.roots;
    if (!can) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `The client behind the gateway does not support ${kind}.`,
      );
    }
  }
}
