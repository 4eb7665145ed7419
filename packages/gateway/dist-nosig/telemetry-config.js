import { z } from 'zod';
export const telemetrySchema = z.strictObject({
    enabled: z.boolean().optional(),
    endpoint: z
        .url({ protocol: /^https?$/, error: 'give the OTLP/HTTP base URL, e.g. http://127.0.0.1:4318' })
        .optional(),
    serviceName: z.string().min(1).optional(),
    samplingRatio: z
        .number({ error: 'give a number from 0 to 1, e.g. 0.1 to record one trace in ten' })
        .min(0, 'must be from 0 to 1')
        .max(1, 'must be from 0 to 1')
        .optional(),
});
//# sourceMappingURL=telemetry-config.js.map