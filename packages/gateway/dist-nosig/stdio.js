import { PassThrough } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StdioServerTransport as ModernStdioTransport, serveStdio as serveModernStdio, } from '@modelcontextprotocol/server/stdio';
import { ModernTenant } from './modern.js';
/** The first line's bytes and a stream that gives them again, followed by the rest of `stdin`. */
async function peekFirstLine(stdin) {
    const chunks = [];
    const line = await new Promise((resolve) => {
        const onData = (chunk) => {
            const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            chunks.push(buffer);
            if (buffer.includes(0x0a))
                done();
        };
        const done = () => {
            stdin.off('data', onData);
            stdin.off('end', done);
            stdin.off('close', done);
            stdin.pause();
            const all = Buffer.concat(chunks).toString('utf8');
            const at = all.indexOf('\n');
            resolve(at < 0 ? all : all.slice(0, at));
        };
        stdin.on('data', onData);
        stdin.once('end', done);
        stdin.once('close', done);
    });
    const replay = new PassThrough();
    for (const chunk of chunks)
        replay.write(chunk);
    if (stdin.readableEnded || stdin.destroyed)
        replay.end();
    else
        stdin.pipe(replay);
    return { line, replay };
}
/**
 * Whether the opening message is of the modern era: a request carrying the
 * 2026-07-28 `_meta` envelope claim. An `initialize`, anything without the
 * claim, or a line that is not JSON opens a legacy session (which answers
 * bad JSON as it always did).
 */
function opensModern(line) {
    try {
        const message = JSON.parse(line);
        if (message.method === 'initialize')
            return false;
        return message.params?._meta?.['io.modelcontextprotocol/protocolVersion'] !== undefined;
    }
    catch {
        return false;
    }
}
/**
 * Serves one downstream client (a desktop host that spawned `mcpool serve`)
 * over stdin/stdout, in the era its first message opens: `initialize` (or
 * any message without the 2026-07-28 envelope) serves a legacy session as
 * before; a modern request is served by the v2 SDK's `serveStdio` with no
 * session, answered by the gateway's pools. Resolves once the first message
 * is read; the session closes when stdin ends.
 */
export async function serveStdio(gateway, options = {}) {
    const stdin = options.stdin ?? process.stdin;
    const stdout = options.stdout ?? process.stdout;
    const { line, replay } = await peekFirstLine(stdin);
    const session = opensModern(line)
        ? await serveModern(gateway, replay, stdout)
        : await gateway.connect(new StdioServerTransport(replay, stdout));
    // The stdio transports do not notice the end of their input; the host closing our stdin is the end.
    const onEnd = () => {
        void session.close();
    };
    if (stdin.readableEnded || stdin.destroyed)
        onEnd();
    stdin.once('end', onEnd);
    stdin.once('close', onEnd);
    void session.closed.then(() => {
        stdin.off('end', onEnd);
        stdin.off('close', onEnd);
    });
    return session;
}
async function serveModern(gateway, input, stdout) {
    const tenant = new ModernTenant(gateway, '');
    let pinned;
    // The pinned instance's change notifications reach the connection's listen subscriptions.
    tenant.follow((notification) => {
        pinned
            ?.notification(notification)
            .catch(() => { });
    });
    const session = await tenant.ready();
    const handle = serveModernStdio(() => {
        pinned = tenant.createServer(gateway.serverInfo, gateway.instructions);
        return pinned;
    }, { legacy: 'reject', transport: new ModernStdioTransport(input, stdout) });
    void session.closed.then(async () => {
        await handle.close().catch(() => { });
        await tenant.close();
    });
    return session;
}
//# sourceMappingURL=stdio.js.map