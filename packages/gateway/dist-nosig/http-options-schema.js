import { z } from 'zod';
/** The shortest session secret: 32 random characters. */
export const MIN_SECRET_LENGTH = 32;
/**
 * The rules of the HTTP options that both the configuration file and
 * `startHttpGateway` check, written once so that both say the same.
 */
export const httpOptionRules = {
    token: z.string().min(16, 'use a token of at least 16 characters'),
    allowedHosts: z.array(z.string().min(1)),
    allowedOrigins: z.array(z.url({ error: 'give an origin such as https://app.example.com' })),
    secret: z
        .string()
        .min(MIN_SECRET_LENGTH, 'use at least 32 random characters (openssl rand -base64 32)'),
};
/** The options `createGuards` checks when the gateway starts (never per request). */
export const guardOptionsSchema = z.object({
    token: httpOptionRules.token.optional(),
    allowedHosts: httpOptionRules.allowedHosts.optional(),
    allowedOrigins: httpOptionRules.allowedOrigins.optional(),
});
/** The secrets `createSessionSealer` checks once, when it is made. */
export const sealerSecretsSchema = z.object({
    sessionSecret: z.array(httpOptionRules.secret).min(1, 'give at least one secret'),
});
//# sourceMappingURL=http-options-schema.js.map