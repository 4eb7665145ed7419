import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual, } from 'node:crypto';
import { checkOptions } from '@mcpool/core/internal';
import { sealerSecretsSchema } from './http-options-schema.js';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 4;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES;
/** Binds every token to its purpose, so that a ciphertext of another use of the key cannot pass. */
const AAD = Buffer.from('mcpool session id v1');
export const DEFAULT_SESSION_MAX_AGE_MS = 24 * 60 * 60_000;
function deriveKey(secret) {
    // A hash, not a password KDF: secrets are random strings of 32+ characters, not passwords.
    const key = createHash('sha256').update('mcpool session key\u0000').update(secret).digest();
    const id = createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES);
    return { id, key };
}
/** The principal of a request: a hash of its bearer token, so that the token is never stored. */
export function principalOf(authorization) {
    const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization);
    const token = match?.[1]?.trim();
    if (!token)
        return '';
    return createHash('sha256').update(token).digest('base64url');
}
/** Splits `MCPOOL_SESSION_SECRET` (comma-separated, newest first). */
export function secretsFromEnv(value) {
    if (value === undefined)
        return [];
    return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}
/** Creates the sealer of session ids; throws `InvalidConfigError` for a missing or short secret. */
export function createSessionSealer(options) {
    checkOptions('session secret', sealerSecretsSchema, { sessionSecret: options.secrets });
    const keys = options.secrets.map(deriveKey);
    const sealing = keys[0];
    const maxAge = options.maxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS;
    return {
        seal(claims, now = Date.now()) {
            const full = { ...claims, iat: now, exp: now + maxAge };
            const iv = randomBytes(IV_BYTES);
            const cipher = createCipheriv('aes-256-gcm', sealing.key, iv);
            cipher.setAAD(AAD);
            const body = Buffer.concat([cipher.update(JSON.stringify(full), 'utf8'), cipher.final()]);
            return Buffer.concat([
                Buffer.from([VERSION]),
                sealing.id,
                iv,
                body,
                cipher.getAuthTag(),
            ]).toString('base64url');
        },
        open(id, principal, now = Date.now()) {
            // Checked by hand, not zod: a session id is opened on every request that carries one.
            // Session ids are visible ASCII; base64url decoding skips other characters, so check first.
            if (id.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(id))
                return undefined;
            const raw = Buffer.from(id, 'base64url');
            if (raw.length <= HEADER_BYTES + TAG_BYTES || raw[0] !== VERSION)
                return undefined;
            const keyId = raw.subarray(1, 1 + KEY_ID_BYTES);
            const key = keys.find((k) => k.id.equals(keyId));
            if (!key)
                return undefined;
            let claims;
            try {
                const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(1 + KEY_ID_BYTES, HEADER_BYTES));
                decipher.setAAD(AAD);
                decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
                const text = Buffer.concat([
                    decipher.update(raw.subarray(HEADER_BYTES, raw.length - TAG_BYTES)),
                    decipher.final(),
                ]).toString('utf8');
                claims = JSON.parse(text);
            }
            catch {
                return undefined;
            }
            if (typeof claims.exp !== 'number' || claims.exp <= now)
                return undefined;
            if (!samePrincipal(claims.principal, principal))
                return undefined;
            return claims;
        },
    };
}
/** Constant-time comparison of two principals (hashes of equal length, or '' for none). */
export function samePrincipal(a, b) {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}
//# sourceMappingURL=session-token.js.map