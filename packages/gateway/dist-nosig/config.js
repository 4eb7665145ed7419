// Over 350 lines: the one zod schema of mcpool.json and its mapping to
// gateway options; env expansion, issue paths and file loading live beside it.
import { InvalidConfigError, serversFromMcpConfig, } from '@mcpool/core';
import { backoffFields, checkMcpServerEntry, fallbackFields, mcpServerEntryObject, mcpServerEntryWarnings, namespacingSchema, retryBudgetFields, } from '@mcpool/core/internal';
import { z } from 'zod';
import { expandEnv } from './config-env.js';
import { checkNames, dedupe, isRecord, zodIssues } from './config-issues.js';
import { httpOptionRules } from './http-options-schema.js';
import { telemetrySchema } from './telemetry-config.js';
const ms = z.number().int().positive();
const secret = httpOptionRules.secret;
const featureOptions = z
    .union([z.literal(true), z.record(z.string(), z.unknown())])
    .transform((v) => (v === true ? {} : v));
// Entries stay lax (hosts put their own keys in them, so unknown keys are
// warnings); everything else is strict so typos show. Core reads the keys an
// entry shares with the mcpServers format; the gateway adds its own.
const GATEWAY_ENTRY_KEYS = ['stateless', 'sessionState', 'disabled'];
const serverEntry = mcpServerEntryObject
    .extend({
    stateless: z.boolean().optional(),
    sessionState: z.boolean().optional(),
    disabled: z.boolean().optional(),
})
    .superRefine(checkMcpServerEntry);
const sourceOptions = z.record(z.string(), z.unknown());
const discoverySchema = z.strictObject({
    dns: sourceOptions.optional(),
    kubernetes: sourceOptions.optional(),
    consul: sourceOptions.optional(),
    etcd: sourceOptions.optional(),
    file: z.union([z.string().min(1), z.strictObject({ path: z.string().min(1) })]).optional(),
    stateless: z.boolean().optional(),
    interval: ms.optional(),
    settle: z.number().int().min(0).optional(),
    maxRemoveRatio: z.number().min(0).max(1).optional(),
    minServers: z.number().int().min(0).optional(),
});
const fileSchema = z.strictObject({
    $schema: z.string().optional(),
    mcpServers: z.record(z.string(), serverEntry).default({}),
    discovery: discoverySchema.optional(),
    strategy: z.string().optional(),
    aggregation: z.string().optional(),
    namespacing: z.strictObject(namespacingSchema.shape).optional(),
    maxConnectionsPerServer: z.number().int().min(1).max(1000).optional(),
    timeouts: z
        .strictObject({
        connect: ms.optional(),
        request: ms.optional(),
        attempt: ms.optional(),
        idle: ms.optional(),
        drain: z.number().int().min(0).optional(),
    })
        .optional(),
    reconnect: z.strictObject({ baseMs: ms.optional(), maxMs: ms.optional() }).optional(),
    retries: z
        .strictObject({
        max: z.number().int().min(0).max(100).optional(),
        safeTools: z.array(z.string()).optional(),
        unsafeTools: z.array(z.string()).optional(),
        budget: z.union([z.literal(false), z.strictObject(retryBudgetFields)]).optional(),
        backoff: z.strictObject(backoffFields).optional(),
    })
        .optional(),
    fallback: z.strictObject(fallbackFields).optional(),
    health: featureOptions.optional(),
    breaker: featureOptions.optional(),
    cache: featureOptions.optional(),
    telemetry: telemetrySchema.optional(),
    http: z
        .strictObject({
        host: z.string().min(1).optional(),
        port: z.number().int().min(0).max(65_535).optional(),
        path: z.string().startsWith('/', 'must start with "/"').optional(),
        token: httpOptionRules.token.optional(),
        allowedHosts: httpOptionRules.allowedHosts.optional(),
        allowedOrigins: httpOptionRules.allowedOrigins.optional(),
        maxBodyBytes: z.number().int().min(1024).optional(),
        sessionIdleTimeout: ms.optional(),
        maxSessions: z.number().int().min(1).optional(),
        sessionSecret: z
            .union([secret, z.array(secret).min(1, 'give at least one secret')])
            .optional(),
        sessionMaxAge: ms.optional(),
    })
        .optional(),
});
/**
 * Validates a gateway configuration document (the `mcpServers` format plus
 * mcpool's options) and resolves it. Throws `InvalidConfigError` listing every
 * problem with its path; messages never repeat configured values.
 */
export function parseGatewayConfig(input, env = process.env) {
    const issues = [];
    const expanded = expandEnv(input, env, '', issues);
    const parsed = fileSchema.safeParse(expanded);
    if (!parsed.success) {
        issues.push(...zodIssues(parsed.error));
        // Go on with what can be checked, so that one run names every problem.
        if (isRecord(expanded)) {
            const names = isRecord(expanded.mcpServers) ? Object.keys(expanded.mcpServers) : [];
            checkNames(expanded.strategy, expanded.aggregation, issues);
            const order = isRecord(expanded.fallback) ? expanded.fallback.order : undefined;
            if (Array.isArray(order)) {
                order.forEach((name, i) => {
                    if (typeof name === 'string' && !names.includes(name)) {
                        issues.push({
                            path: `fallback.order[${i}]`,
                            message: `no server named "${name}" in mcpServers`,
                        });
                    }
                });
            }
        }
        throw new InvalidConfigError('mcpool configuration', dedupe(issues));
    }
    if (issues.length > 0)
        throw new InvalidConfigError('mcpool configuration', dedupe(issues));
    const file = parsed.data;
    const warnings = mcpServerEntryWarnings(isRecord(expanded) ? expanded.mcpServers : undefined, GATEWAY_ENTRY_KEYS);
    const enabled = Object.entries(file.mcpServers).filter(([, e]) => e.disabled !== true);
    if (enabled.length === 0 && !file.discovery) {
        issues.push({
            path: 'mcpServers',
            message: 'configure at least one (enabled) server, or a discovery source',
        });
    }
    let discovery;
    if (file.discovery) {
        const { stateless, interval, settle, maxRemoveRatio, minServers, ...source } = file.discovery;
        const kinds = Object.keys(source);
        if (kinds.length !== 1) {
            issues.push({
                path: 'discovery',
                message: `name exactly one source (dns, kubernetes, consul, etcd or file)${kinds.length > 1 ? `, not ${kinds.join(' and ')}` : ''}`,
            });
        }
        const rules = Object.fromEntries(Object.entries({ interval, settle, maxRemoveRatio, minServers }).filter(([, v]) => v !== undefined));
        discovery = { source, ...(stateless !== undefined ? { stateless } : {}), rules };
    }
    // Let core turn each entry into a transport: one format, one reader.
    const plain = {};
    for (const [name, e] of enabled) {
        plain[name] =
            e.command !== undefined
                ? { command: e.command, args: e.args, env: e.env, cwd: e.cwd, protocol: e.protocol }
                : {
                    url: e.url,
                    type: e.type === 'stdio' ? undefined : e.type,
                    headers: e.headers,
                    protocol: e.protocol,
                };
    }
    let servers = [];
    try {
        servers = serversFromMcpConfig({ mcpServers: plain });
    }
    catch (error) {
        if (error instanceof InvalidConfigError)
            issues.push(...error.issues);
        else
            throw error;
    }
    const separator = file.namespacing?.separator ?? '__';
    const idOf = new Map();
    const nameOfId = new Map();
    const gatewayServers = [];
    for (const server of servers) {
        const name = server.name ?? server.id;
        const entry = file.mcpServers[name];
        if (!entry)
            continue;
        const clash = nameOfId.get(server.id);
        if (clash !== undefined) {
            issues.push({
                path: `mcpServers.${name}`,
                message: `its id "${server.id}" is the same as that of mcpServers.${clash}; rename one`,
            });
            continue;
        }
        if (server.id.includes(separator)) {
            issues.push({
                path: `mcpServers.${name}`,
                message: `the name contains the namespacing separator "${separator}"; rename the server or set namespacing.separator`,
            });
        }
        nameOfId.set(server.id, name);
        idOf.set(name, server.id);
        gatewayServers.push({
            ...server,
            ...(entry.weight !== undefined ? { weight: entry.weight } : {}),
            ...(entry.priority !== undefined ? { priority: entry.priority } : {}),
            ...(entry.tags !== undefined ? { tags: entry.tags } : {}),
            ...(entry.maxConnections !== undefined ? { maxConnections: entry.maxConnections } : {}),
            stateless: entry.stateless === true,
            ...(entry.sessionState === true ? { sessionState: true } : {}),
        });
    }
    const strategy = file.strategy ?? 'round_robin';
    const aggregation = file.aggregation ?? 'first';
    checkNames(strategy, aggregation, issues);
    let fallback;
    if (file.fallback) {
        const order = file.fallback.order?.map((name, i) => {
            const id = idOf.get(name);
            if (id === undefined) {
                issues.push({
                    path: `fallback.order[${i}]`,
                    message: `no server named "${name}" in mcpServers`,
                });
            }
            return id ?? name;
        });
        fallback = {
            ...(file.fallback.enabled !== undefined ? { enabled: file.fallback.enabled } : {}),
            ...(order ? { order } : {}),
        };
    }
    if (issues.length > 0)
        throw new InvalidConfigError('mcpool configuration', dedupe(issues));
    return {
        servers: gatewayServers,
        strategy,
        aggregation,
        ...(file.namespacing ? { namespacing: file.namespacing } : {}),
        ...(file.maxConnectionsPerServer !== undefined
            ? { maxConnectionsPerServer: file.maxConnectionsPerServer }
            : {}),
        timeouts: file.timeouts ?? {},
        ...(file.reconnect ? { reconnect: file.reconnect } : {}),
        retries: file.retries ?? {},
        ...(fallback ? { fallback } : {}),
        ...(file.health ? { health: file.health } : {}),
        ...(file.breaker ? { breaker: file.breaker } : {}),
        ...(file.cache ? { cache: file.cache } : {}),
        ...(discovery ? { discovery } : {}),
        ...(file.telemetry ? { telemetry: file.telemetry } : {}),
        http: file.http ?? {},
        ...(warnings.length > 0 ? { warnings } : {}),
    };
}
//# sourceMappingURL=config.js.map