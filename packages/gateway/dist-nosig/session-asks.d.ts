import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { type CreateMessageRequest, type CreateMessageResult, type ElicitRequest, type ElicitResult, type ListRootsResult, type RequestId } from '@modelcontextprotocol/sdk/types.js';
/**
 * Puts an upstream server's sampling, elicitation and roots requests to the
 * downstream client, when it declared it can answer them.
 */
export declare class ClientAsks {
    private readonly server;
    constructor(server: Server);
    /** Answers a sampling request from an upstream server through this session's client. */
    createMessage(params: CreateMessageRequest['params'], signal: AbortSignal, related: RequestId | undefined): Promise<CreateMessageResult>;
    /** Answers an elicitation request from an upstream server through this session's client. */
    elicitInput(params: ElicitRequest['params'], signal: AbortSignal, related: RequestId | undefined): Promise<ElicitResult>;
    /** Answers a roots request from an upstream server through this session's client. */
    listRoots(signal: AbortSignal, related: RequestId | undefined): Promise<ListRootsResult>;
    private askOptions;
    private assertClientCan;
}
//# sourceMappingURL=session-asks.d.ts.map