import { createServer, } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS, } from '@modelcontextprotocol/sdk/types.js';
import { classifyInboundRequest } from '@modelcontextprotocol/server';
import { accepts, createGuards, HttpError, readJsonBody } from './http-guards.js';
import { answerProbe } from './http-probes.js';
import { createHttpSessions } from './http-sessions.js';
import { ModernHttpFront } from './modern.js';
import { principalOf } from './session-token.js';
export { PROBE_PATHS } from './http-probes.js';
const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
/** How long `shutdown()` waits for calls in flight by default, ms. */
export const DEFAULT_DRAIN_MS = 30_000;
const JSON_HEADERS = { 'content-type': 'application/json' };
/** A cheap shape check; the SDK's schemas check each request's params when it is handled. */
function isMessage(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const m = value;
    return m.jsonrpc === '2.0' && (typeof m.method === 'string' || m.id !== undefined);
}
function sessionHeader(req) {
    const value = req.headers['mcp-session-id'];
    return Array.isArray(value) ? value[0] : value;
}
function header(req, name) {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
/**
 * Whether a POST belongs to the modern era (2026-07-28), by the v2 SDK's own
 * classification: a `_meta` envelope claim, or a modern version header.
 * Requests of a legacy session (an `Mcp-Session-Id` and a body with no
 * `_meta`) skip it, so the legacy path costs what it did.
 */
function isModern(req, body) {
    if (req.headers['mcp-session-id'] !== undefined &&
        !Array.isArray(body) &&
        typeof body === 'object' &&
        body !== null &&
        body.params?._meta === undefined &&
        req.headers['mcp-method'] === undefined) {
        return false;
    }
    const outcome = classifyInboundRequest({
        httpMethod: 'POST',
        body,
        ...optional('protocolVersionHeader', header(req, 'mcp-protocol-version')),
        ...optional('mcpMethodHeader', header(req, 'mcp-method')),
        ...optional('mcpNameHeader', header(req, 'mcp-name')),
    });
    return outcome.kind !== 'legacy';
}
function optional(key, value) {
    return (value === undefined ? {} : { [key]: value });
}
/**
 * Serves a gateway over Streamable HTTP, one downstream session per MCP
 * session id. Guards, in order: `Host` and `Origin` against DNS rebinding
 * (403), the bearer token (401), the body size (413). With a session secret
 * the ids are sealed, and any replica sharing the secret serves any session.
 */
export async function startHttpGateway(gateway, options = {}) {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 3333;
    const path = options.path ?? '/mcp';
    const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const guards = createGuards(options);
    const sessions = createHttpSessions(gateway, options);
    const modern = new ModernHttpFront(gateway);
    const sockets = new Set();
    const log = gateway.logger;
    const post = async (req, res, settled) => {
        const type = req.headers['content-type'];
        if (type === undefined || !type.includes('application/json')) {
            throw new HttpError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
        }
        const body = await readJsonBody(req, maxBody);
        if (isModern(req, body)) {
            return modern.handle(req, res, body, principalOf(req.headers.authorization), settled);
        }
        if (!accepts(req, 'application/json') || !accepts(req, 'text/event-stream')) {
            throw new HttpError(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
        }
        const batch = Array.isArray(body);
        const messages = (batch ? body : [body]);
        if (messages.length === 0 || !messages.every(isMessage)) {
            throw new HttpError(400, -32700, 'Parse error: Invalid JSON-RPC message');
        }
        const init = messages.some((m) => m.method === 'initialize');
        const id = sessionHeader(req);
        if (init) {
            if (id !== undefined)
                throw new HttpError(400, -32600, 'Invalid Request: Server already initialized');
            if (messages.length > 1) {
                throw new HttpError(400, -32600, 'Invalid Request: Only one initialization request is allowed');
            }
            return sessions.open(req, res, messages);
        }
        checkVersion(req);
        if (id === undefined) {
            throw new HttpError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
        }
        const entry = await sessions.find(id, req);
        // The spec: an unknown or ended session gets 404, and the client initializes again.
        if (!entry)
            throw new HttpError(404, -32001, 'Session not found');
        entry.active++;
        entry.lastSeen = Date.now();
        try {
            await entry.transport.handlePost(req, res, messages, batch);
        }
        finally {
            entry.active--;
            entry.lastSeen = Date.now();
        }
    };
    const checkVersion = (req) => {
        const version = req.headers['mcp-protocol-version'];
        if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
            throw new HttpError(400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
        }
    };
    const handle = async (req, res, settled) => {
        guards.origin(req);
        guards.token(req);
        const url = req.url ?? '/';
        const at = url.indexOf('?');
        if ((at < 0 ? url : url.slice(0, at)) !== path) {
            throw new HttpError(404, -32000, `Not found: MCP is at ${path}`);
        }
        const method = req.method ?? 'GET';
        if (method === 'POST')
            return post(req, res, settled);
        if (method !== 'GET' && method !== 'DELETE') {
            throw new HttpError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
        }
        if (method === 'GET' && !accepts(req, 'text/event-stream')) {
            throw new HttpError(406, -32000, 'Not Acceptable: Client must accept text/event-stream');
        }
        checkVersion(req);
        const id = sessionHeader(req);
        if (id === undefined) {
            throw new HttpError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
        }
        if (method === 'DELETE') {
            if (!(await sessions.end(id, req)))
                throw new HttpError(404, -32001, 'Session not found');
            res.writeHead(200).end();
            return;
        }
        const entry = await sessions.find(id, req);
        if (!entry)
            throw new HttpError(404, -32001, 'Session not found');
        entry.lastSeen = Date.now();
        if (!entry.transport.handleGet(res)) {
            throw new HttpError(409, -32000, 'Conflict: Only one SSE stream is allowed per session');
        }
    };
    let inflight = 0;
    let idle;
    const fail = (req, res, error) => {
        const known = error instanceof HttpError;
        const status = known ? error.status : 500;
        if (known && status !== 404) {
            log.warn({ status, method: req.method, path: req.url }, error.message);
        }
        else if (!known) {
            log.error({ err: gateway.redact(String(error)) }, 'HTTP request failed');
        }
        if (res.headersSent) {
            res.destroy();
            return;
        }
        const headers = { ...JSON_HEADERS, ...(known ? error.headers : {}) };
        // Unread bytes of a refused body: close instead of draining them.
        if (status === 413)
            headers.connection = 'close';
        res.writeHead(status, headers);
        res.end(JSON.stringify({
            jsonrpc: '2.0',
            error: {
                code: known ? error.rpcCode : -32603,
                message: known ? error.message : 'Internal error',
            },
            id: null,
        }));
    };
    const server = createServer((req, res) => {
        if (answerProbe(gateway, req, res))
            return;
        let counted = req.method === 'POST';
        if (counted)
            inflight++;
        const settled = () => {
            if (!counted)
                return;
            counted = false;
            inflight--;
            if (inflight === 0)
                idle?.();
        };
        handle(req, res, settled)
            .catch((error) => fail(req, res, error))
            .finally(settled);
    });
    // Keep-alive a little longer than the usual client's pool, so that it never reuses a socket we are closing.
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket) => {
        socket.setNoDelay(true);
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const bound = server.address().port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    let closing;
    const close = () => {
        closing ??= (async () => {
            const stopped = new Promise((resolve) => server.close(() => resolve()));
            await Promise.all([sessions.closeAll(), modern.close()]);
            // Answers just written get a moment to leave before the sockets go.
            server.closeIdleConnections();
            await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 250).unref())]);
            server.closeAllConnections();
            for (const socket of sockets)
                socket.destroy();
            await stopped;
        })();
        return closing;
    };
    return {
        url: `http://${shownHost}:${bound}${path}`,
        host,
        port: bound,
        sessionCount: () => sessions.size,
        inflightCount: () => inflight,
        close,
        shutdown: async (drainMs = DEFAULT_DRAIN_MS, signal) => {
            gateway.drain();
            if (inflight > 0 && drainMs > 0 && !signal?.aborted) {
                log.info({ inflight, drainMs }, 'waiting for calls in flight');
                await new Promise((resolve) => {
                    const done = () => {
                        clearTimeout(timer);
                        signal?.removeEventListener('abort', done);
                        idle = undefined;
                        resolve();
                    };
                    const timer = setTimeout(done, drainMs);
                    signal?.addEventListener('abort', done, { once: true });
                    idle = done;
                });
            }
            if (inflight > 0)
                log.warn({ inflight }, 'drain time over: closing with calls in flight');
            await close();
        },
    };
}
//# sourceMappingURL=http.js.map