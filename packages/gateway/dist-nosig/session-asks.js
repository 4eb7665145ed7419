import { ErrorCode, McpError, } from '@modelcontextprotocol/sdk/types.js';
/**
 * Puts an upstream server's sampling, elicitation and roots requests to the
 * downstream client, when it declared it can answer them.
 */
export class ClientAsks {
    server;
    constructor(server) {
        this.server = server;
    }
    /** Answers a sampling request from an upstream server through this session's client. */
    createMessage(params, signal, related) {
        this.assertClientCan('sampling');
        return this.server.createMessage(params, this.askOptions(signal, related));
    }
    /** Answers an elicitation request from an upstream server through this session's client. */
    elicitInput(params, signal, related) {
        this.assertClientCan('elicitation');
        return this.server.elicitInput(params, this.askOptions(signal, related));
    }
    /** Answers a roots request from an upstream server through this session's client. */
    listRoots(signal, related) {
        this.assertClientCan('roots');
        return this.server.listRoots(undefined, this.askOptions(signal, related));
    }
    askOptions(signal, related) {
        // Related to the downstream call so that over Streamable HTTP it travels on that call's stream.
        return related === undefined ? { signal } : { signal, relatedRequestId: related };
    }
    assertClientCan(kind) {
        const caps = this.server.getClientCapabilities();
        const can = kind === 'sampling'
            ? caps?.sampling
            : kind === 'elicitation'
                ? caps?.elicitation
                : caps?.roots;
        if (!can) {
            throw new McpError(ErrorCode.InvalidRequest, `The client behind the gateway does not support ${kind}.`);
        }
    }
}
//# sourceMappingURL=session-asks.js.map