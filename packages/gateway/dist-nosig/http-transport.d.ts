import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type ClientCapabilities, type Implementation, type InitializeRequest, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { type DirectCall } from './http-direct-calls.js';
/** What the transport asks its owner when the session's initialize is answered. */
export type SessionIdFor = (init: InitializeRequest['params'], result: {
    protocolVersion: string;
}) => string;
/** Options of an `HttpServerTransport`. */
export interface HttpServerTransportOptions {
    /**
     * Keep the stream of a `resources/subscribe` answer open for the updates
     * when this process does not hold the session's GET stream: with sealed
     * ids the GET stream may be on another replica, and only the replica that
     * took the subscription hears the upstream's updates. @default false
     */
    holdSubscribeStreams?: boolean | undefined;
}
/**
 * The downstream side of Streamable HTTP on `node:http`, for one session:
 * POSTs are answered with JSON or SSE, one GET stream carries what is not
 * tied to a request. The SDK's own server transport goes through web
 * `Request`/`Response` objects and an SSE stream for every call; this one
 * writes straight to the socket, which is most of the gateway's hop.
 * Routing, guards and session lookup are the HTTP layer's; this class only
 * speaks the protocol of an already-accepted request.
 */
export declare class HttpServerTransport implements Transport {
    private readonly sessionIdFor;
    private readonly options;
    sessionId: string | undefined;
    onclose: (() => void) | undefined;
    onerror: ((error: Error) => void) | undefined;
    onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
    private readonly byId;
    private standalone;
    /** Subscribe answers kept open for updates (see `holdSubscribeStreams`). */
    private readonly held;
    private keepalive;
    private initParams;
    private replayed;
    private closed;
    /** Plain `tools/call`s answered without the SDK server (see http-direct-calls.ts). */
    private direct;
    constructor(sessionIdFor: SessionIdFor, options?: HttpServerTransportOptions);
    start(): Promise<void>;
    /** Hands plain `tools/call`s of this session to `call` instead of the SDK server. */
    answerCallsWith(call: DirectCall): void;
    /** Whether a stream is open for server messages not tied to a request. */
    get hasStream(): boolean;
    /**
     * Answers a POST whose body is already parsed and validated as JSON-RPC
     * (one message or a batch). Resolves once the response is complete.
     */
    handlePost(req: IncomingMessage, res: ServerResponse, messages: JSONRPCMessage[], batch: boolean): Promise<void>;
    /** Opens the stream for server messages not tied to a request (GET). */
    handleGet(res: ServerResponse): boolean;
    /**
     * Rebuilds the SDK server's state of a session opened elsewhere: the
     * initialize it once answered is played again (its answer is dropped),
     * then `notifications/initialized`.
     */
    replayInitialize(sessionId: string, init: {
        protocolVersion: string;
        capabilities: ClientCapabilities;
        clientInfo: Implementation;
    }): Promise<void>;
    send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
    private headers;
    private toSse;
    /**
     * Answers the subscribe over SSE and keeps the stream for the updates.
     * The spec says a server SHOULD close it after the answer; clients read
     * on until it ends, and this is the one way the updates reach a client
     * whose GET stream is on another replica.
     */
    private hold;
    /** Keeps a comment line going on open streams, so that no client or proxy times them out. */
    private pingWhileOpen;
    private finish;
    close(): Promise<void>;
}
//# sourceMappingURL=http-transport.d.ts.map