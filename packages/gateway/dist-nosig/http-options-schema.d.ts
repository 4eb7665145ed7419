import { z } from 'zod';
/** The shortest session secret: 32 random characters. */
export declare const MIN_SECRET_LENGTH = 32;
/**
 * The rules of the HTTP options that both the configuration file and
 * `startHttpGateway` check, written once so that both say the same.
 */
export declare const httpOptionRules: {
    token: z.ZodString;
    allowedHosts: z.ZodArray<z.ZodString>;
    allowedOrigins: z.ZodArray<z.ZodURL>;
    secret: z.ZodString;
};
/** The options `createGuards` checks when the gateway starts (never per request). */
export declare const guardOptionsSchema: z.ZodObject<{
    token: z.ZodOptional<z.ZodString>;
    allowedHosts: z.ZodOptional<z.ZodArray<z.ZodString>>;
    allowedOrigins: z.ZodOptional<z.ZodArray<z.ZodURL>>;
}, z.core.$strip>;
/** The secrets `createSessionSealer` checks once, when it is made. */
export declare const sealerSecretsSchema: z.ZodObject<{
    sessionSecret: z.ZodArray<z.ZodString>;
}, z.core.$strip>;
//# sourceMappingURL=http-options-schema.d.ts.map