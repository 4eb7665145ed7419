import { createHash, timingSafeEqual } from 'node:crypto';
import { checkOptions } from '@mcpool/core/internal';
import { guardOptionsSchema } from './http-options-schema.js';
/** A refusal with its HTTP status, JSON-RPC code and headers. */
export class HttpError extends Error {
    status;
    rpcCode;
    headers;
    constructor(status, rpcCode, message, headers = {}) {
        super(message);
        this.status = status;
        this.rpcCode = rpcCode;
        this.headers = headers;
    }
}
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
/** The host name of a `Host` header (`example.com:80` → `example.com`, `[::1]:3333` → `[::1]`). */
export function hostName(host) {
    if (host.startsWith('[')) {
        const end = host.indexOf(']');
        return end < 0 ? host : host.slice(0, end + 1).toLowerCase();
    }
    const colon = host.indexOf(':');
    return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}
function digest(text) {
    return createHash('sha256').update(text).digest();
}
/**
 * The guards of one gateway; throws `InvalidConfigError` for bad options. The
 * options are checked with zod once, here; the per-request checks below are
 * hand-written because they run on every request.
 */
export function createGuards(options) {
    checkOptions('http options', guardOptionsSchema, {
        token: options.token,
        allowedHosts: options.allowedHosts,
        allowedOrigins: options.allowedOrigins,
    });
    const tokenDigest = options.token === undefined ? undefined : digest(options.token);
    const allowedHosts = new Set([...LOOPBACK_HOSTS, ...(options.allowedHosts ?? [])].map((h) => hostName(h)));
    const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin));
    return {
        origin(req) {
            const hostHeader = req.headers.host;
            if (!hostHeader || !allowedHosts.has(hostName(hostHeader))) {
                throw new HttpError(403, -32000, 'Forbidden: Host not allowed');
            }
            const origin = req.headers.origin;
            if (origin === undefined)
                return;
            let parsed;
            try {
                parsed = new URL(origin);
            }
            catch {
                parsed = undefined;
            }
            const ok = parsed !== undefined &&
                (allowedOrigins.has(parsed.origin) ||
                    ((parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
                        LOOPBACK_HOSTS.includes(parsed.hostname.toLowerCase()) &&
                        // A loopback page is only trusted when the Host is loopback too.
                        LOOPBACK_HOSTS.includes(hostName(hostHeader))));
            if (!ok)
                throw new HttpError(403, -32000, 'Forbidden: Origin not allowed');
        },
        token(req) {
            if (!tokenDigest)
                return;
            const header = req.headers.authorization ?? '';
            const match = /^Bearer\s+(.+)$/i.exec(header);
            if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), tokenDigest)) {
                throw new HttpError(401, -32001, 'Unauthorized: give the bearer token', {
                    'www-authenticate': 'Bearer realm="mcpool"',
                });
            }
        },
    };
}
/** Reads a JSON body of at most `maxBody` bytes: 413 beyond, 400 when it is not JSON. */
export async function readJsonBody(req, maxBody) {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
        throw new HttpError(413, -32000, `Payload too large: the limit is ${maxBody} bytes`);
    }
    // Events, not `for await`: breaking out of the loop would destroy the socket before the 413.
    const text = await new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        let refused = false;
        req.on('data', (chunk) => {
            if (refused)
                return;
            size += chunk.length;
            if (size > maxBody) {
                refused = true;
                chunks.length = 0;
                reject(new HttpError(413, -32000, `Payload too large: the limit is ${maxBody} bytes`));
                return;
            }
            chunks.push(chunk);
        });
        req.once('end', () => {
            if (refused)
                return;
            resolve(chunks.length === 1
                ? chunks[0].toString('utf8')
                : Buffer.concat(chunks).toString('utf8'));
        });
        req.once('error', reject);
    });
    try {
        return JSON.parse(text);
    }
    catch {
        throw new HttpError(400, -32700, 'Parse error: the body is not JSON');
    }
}
/** Whether the `Accept` header names a media type or any type; a missing header names none, as in the SDK. */
export function accepts(req, type) {
    const accept = req.headers.accept;
    if (accept === undefined)
        return false;
    return accept.includes(type) || accept.includes('*/*');
}
//# sourceMappingURL=http-guards.js.map