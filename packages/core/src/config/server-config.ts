import { z } from 'zod';
import { PROTOCOL_SETTINGS, type ProtocolSetting } from '../spec/connector.js';
import { type ConfigIssue, InvalidConfigError } from '../spec/errors.js';
import type { ServerConfig, TransportConfig } from '../spec/server.js';
import { emitConfigWarning, unknownKeys } from './unknown-keys.js';

const SERVER_ID = /^[A-Za-z0-9_-]{1,64}$/;

const headers = z.record(z.string(), z.string());

/** A server's `protocol` setting. */
export const protocolSchema = z.enum(PROTOCOL_SETTINGS as [ProtocolSetting, ...ProtocolSetting[]], {
  error: `use one of ${PROTOCOL_SETTINGS.map((p) => `"${p}"`).join(', ')}`,
});

export const transportSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stdio'),
    command: z.string().min(1, 'give the command that starts the server'),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
    stderr: z.enum(['inherit', 'ignore', 'pipe']).optional(),
  }),
  z.object({
    type: z.literal('streamable-http'),
    url: z.url({ protocol: /^https?$/, error: 'give an http:// or https:// URL' }),
    headers: headers.optional(),
  }),
  z.object({
    type: z.literal('sse'),
    url: z.url({ protocol: /^https?$/, error: 'give an http:// or https:// URL' }),
    headers: headers.optional(),
  }),
  z.object({
    type: z.literal('custom'),
    create: z.custom<() => unknown>(
      (v) => typeof v === 'function',
      'give a function that returns a Transport',
    ),
  }),
]);

export const serverConfigSchema = z.object({
  id: z
    .string()
    .regex(SERVER_ID, 'use 1-64 letters, digits, "-" or "_" (the id prefixes tool names)'),
  name: z.string().optional(),
  transport: transportSchema,
  priority: z.number().finite().optional(),
  weight: z.number().finite().min(0, 'weight cannot be negative (0 drains the server)').optional(),
  tags: z.array(z.string()).optional(),
  maxConnections: z.number().int().min(1).optional(),
  protocol: protocolSchema.optional(),
});

/**
 * Turns zod's issues into mcpool's `{ path, message }` list, paths written as
 * in JavaScript: `buckets[1]`, `servers[0].id`.
 */
export function toIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.reduce<string>(
      (path, key) =>
        typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${String(key)}` : String(key),
      prefix,
    ),
    message: issue.message,
  }));
}

/** Validates one server config; throws `InvalidConfigError` naming every problem. */
export function validateServerConfig(input: unknown, path = 'server'): ServerConfig {
  const result = serverConfigSchema.safeParse(input);
  if (!result.success)
    throw new InvalidConfigError('server configuration', toIssues(result.error, path));
  return input as ServerConfig;
}

/** What is wrong with an id that contains the namespacing separator. */
export function separatorMessage(id: string, separator: string): string {
  return `the id "${id}" contains the namespacing separator "${separator}"; rename the server or choose another separator`;
}

/** Checks that no server id contains the namespacing separator, which would make names ambiguous. */
export function checkSeparator(id: string, separator: string, path: string): void {
  if (id.includes(separator)) {
    throw new InvalidConfigError('server configuration', [
      { path: `${path}.id`, message: separatorMessage(id, separator) },
    ]);
  }
}

/**
 * The rules of a set of servers under the namespacing `separator`: each
 * config valid, no id holding the separator, no id twice. The set's rules
 * run even when a config is wrong, so that one check names every problem.
 */
export function serverSetSchema(separator: string) {
  return z.array(serverConfigSchema).superRefine(
    (configs, ctx) => {
      if (!Array.isArray(configs)) return;
      const seen = new Set<string>();
      configs.forEach((server: unknown, i) => {
        const id = (server as { id?: unknown } | null | undefined)?.id;
        if (typeof id !== 'string') return;
        if (id.includes(separator)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'id'],
            message: separatorMessage(id, separator),
          });
        }
        if (seen.has(id)) {
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${id}" appears twice` });
        }
        seen.add(id);
      });
    },
    { when: () => true },
  );
}

/**
 * The keys of one entry of the `mcpServers` format (Claude Desktop, Cursor,
 * VS Code) that mcpool reads. Lax: other hosts' keys may sit there too (see
 * `mcpServerEntryWarnings`). The gateway's `mcpool.json` extends it.
 */
export const mcpServerEntryObject = z.object({
  command: z.string().min(1, 'give the command that starts the server').optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  url: z.url({ protocol: /^https?$/, error: 'give an http:// or https:// URL' }).optional(),
  type: z.enum(['stdio', 'http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
  headers: headers.optional(),
  protocol: protocolSchema.optional(),
  weight: z.number().finite().min(0, 'weight cannot be negative (0 drains the server)').optional(),
  priority: z.number().finite().optional(),
  tags: z.array(z.string()).optional(),
  maxConnections: z.number().int().min(1).optional(),
});

/** The rules across an entry's keys: `command` (stdio) or `url` (HTTP), and a `type` that fits. */
export function checkMcpServerEntry(
  entry: { command?: string | undefined; url?: string | undefined; type?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (entry.command === undefined && entry.url === undefined) {
    ctx.addIssue({ code: 'custom', message: 'give either "command" (stdio) or "url" (HTTP)' });
  } else if (entry.command !== undefined && entry.url !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give "command" or "url", not both' });
  } else if (entry.command !== undefined && entry.type !== undefined && entry.type !== 'stdio') {
    ctx.addIssue({ code: 'custom', path: ['type'], message: 'a "command" server is stdio' });
  } else if (entry.url !== undefined && entry.type === 'stdio') {
    ctx.addIssue({ code: 'custom', path: ['type'], message: 'a "url" server is http or sse' });
  }
}

const mcpServerEntry = mcpServerEntryObject.superRefine(checkMcpServerEntry);

const mcpServersFile = z.object({ mcpServers: z.record(z.string(), mcpServerEntry) });

const MCP_SERVER_ENTRY_KEYS: readonly string[] = Object.keys(mcpServerEntryObject.shape);
const SERVER_CONFIG_KEYS: readonly string[] = Object.keys(serverConfigSchema.shape);
const TRANSPORT_KEYS = new Map<string, readonly string[]>(
  transportSchema.options.map((o) => [o.shape.type.value, Object.keys(o.shape)]),
);

/**
 * Warnings for the keys of each `mcpServers` entry that mcpool does not know
 * (`"protocl"`), each naming the nearest known key. `extraKeys` are keys the
 * caller reads itself (the gateway's `stateless`, say).
 */
export function mcpServerEntryWarnings(
  mcpServers: unknown,
  extraKeys: readonly string[] = [],
): ConfigIssue[] {
  if (typeof mcpServers !== 'object' || mcpServers === null) return [];
  const known = [...MCP_SERVER_ENTRY_KEYS, ...extraKeys];
  return Object.entries(mcpServers).flatMap(([name, entry]) =>
    unknownKeys(entry, known, `mcpServers.${name}`),
  );
}

/** Warnings for the keys of a `ServerConfig` (and of its transport) that mcpool does not know. */
export function serverConfigWarnings(config: unknown, path: string): ConfigIssue[] {
  const issues = unknownKeys(config, SERVER_CONFIG_KEYS, path);
  const transport = (config as { transport?: unknown } | null)?.transport;
  const type = (transport as { type?: unknown } | null | undefined)?.type;
  const keys = typeof type === 'string' ? TRANSPORT_KEYS.get(type) : undefined;
  if (keys) issues.push(...unknownKeys(transport, keys, `${path}.transport`));
  return issues;
}

/** Options of `serversFromMcpConfig`. */
export interface McpConfigOptions {
  /**
   * Told of each warning (an unknown key in an entry). @default Node's
   * `process.emitWarning`, type `McpoolConfigWarning`
   */
  onWarning?: ((warning: ConfigIssue) => void) | undefined;
}

/**
 * Reads the `{ "mcpServers": { name: { command, args, env } | { url, type } } }`
 * format that desktop MCP hosts use, as pool servers. A `url` entry is
 * Streamable HTTP unless its `type` says `sse`. Accepts the object or its JSON text.
 */
export function serversFromMcpConfig(
  input: unknown,
  options: McpConfigOptions = {},
): ServerConfig[] {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new InvalidConfigError('mcpServers configuration', [
        { path: '', message: `not valid JSON: ${(error as Error).message}` },
      ]);
    }
  }
  const result = mcpServersFile.safeParse(value);
  if (!result.success)
    throw new InvalidConfigError('mcpServers configuration', toIssues(result.error));
  const warn = options.onWarning ?? emitConfigWarning;
  for (const warning of mcpServerEntryWarnings((value as { mcpServers: unknown }).mcpServers)) {
    warn(warning);
  }
  const servers: ServerConfig[] = [];
  const issues: ConfigIssue[] = [];
  for (const [name, entry] of Object.entries(result.data.mcpServers)) {
    const id = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    if (!SERVER_ID.test(id)) {
      issues.push({
        path: `mcpServers.${name}`,
        message: 'the server name cannot be turned into an id',
      });
      continue;
    }
    let transport: TransportConfig;
    if (entry.command !== undefined) {
      transport = {
        type: 'stdio',
        command: entry.command,
        args: entry.args,
        env: entry.env,
        cwd: entry.cwd,
      };
    } else if (entry.type === 'sse') {
      transport = { type: 'sse', url: entry.url as string, headers: entry.headers };
    } else {
      transport = { type: 'streamable-http', url: entry.url as string, headers: entry.headers };
    }
    const server: ServerConfig = { id, name, transport };
    if (entry.protocol !== undefined) server.protocol = entry.protocol;
    if (entry.weight !== undefined) server.weight = entry.weight;
    if (entry.priority !== undefined) server.priority = entry.priority;
    if (entry.tags !== undefined) server.tags = entry.tags;
    if (entry.maxConnections !== undefined) server.maxConnections = entry.maxConnections;
    servers.push(server);
  }
  if (issues.length > 0) throw new InvalidConfigError('mcpServers configuration', issues);
  return servers;
}

/**
 * Reads the seed's `MCP_SERVERS` environment variable: a comma-separated list
 * of URLs (`http://host:8081/mcp,http://host:8082/mcp`), each optionally named
 * `id=url`; or an `mcpServers` JSON document.
 */
export function serversFromEnv(
  env: Record<string, string | undefined> = process.env,
): ServerConfig[] {
  const raw = env.MCP_SERVERS?.trim();
  if (!raw) return [];
  if (raw.startsWith('{')) return serversFromMcpConfig(raw);
  const servers: ServerConfig[] = [];
  const issues: ConfigIssue[] = [];
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const eq = entry.indexOf('=');
      const hasId = eq > 0 && !entry.slice(0, eq).includes(':');
      const id = hasId ? entry.slice(0, eq) : `server-${i + 1}`;
      const url = hasId ? entry.slice(eq + 1) : entry;
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        issues.push({ path: `MCP_SERVERS[${i}]`, message: `"${url}" is not an http(s) URL` });
        return;
      }
      if (!SERVER_ID.test(id)) {
        issues.push({ path: `MCP_SERVERS[${i}]`, message: `"${id}" is not a valid server id` });
        return;
      }
      servers.push({ id, transport: { type: 'streamable-http', url } });
    });
  if (issues.length > 0) throw new InvalidConfigError('MCP_SERVERS', issues);
  return servers;
}
