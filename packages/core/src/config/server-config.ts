import { z } from 'zod';
import { type ConfigIssue, InvalidConfigError } from '../spec/errors.js';
import type { ServerConfig, TransportConfig } from '../spec/server.js';

const SERVER_ID = /^[A-Za-z0-9_-]{1,64}$/;

const headers = z.record(z.string(), z.string());

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

/** Checks that no server id contains the namespacing separator, which would make names ambiguous. */
export function checkSeparator(id: string, separator: string, path: string): void {
  if (id.includes(separator)) {
    throw new InvalidConfigError('server configuration', [
      {
        path: `${path}.id`,
        message: `the id "${id}" contains the namespacing separator "${separator}"; rename the server or choose another separator`,
      },
    ]);
  }
}

/** One entry of the `mcpServers` format used by Claude Desktop, Cursor and VS Code. */
const mcpServerEntry = z.union([
  z.object({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
    type: z.literal('stdio').optional(),
  }),
  z.object({
    url: z.url(),
    type: z.enum(['http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
    headers: headers.optional(),
  }),
]);

const mcpServersFile = z.object({ mcpServers: z.record(z.string(), mcpServerEntry) });

/**
 * Reads the `{ "mcpServers": { name: { command, args, env } | { url, type } } }`
 * format that desktop MCP hosts use, as pool servers. A `url` entry is
 * Streamable HTTP unless its `type` says `sse`. Accepts the object or its JSON text.
 */
export function serversFromMcpConfig(input: unknown): ServerConfig[] {
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
    if ('command' in entry) {
      transport = {
        type: 'stdio',
        command: entry.command,
        args: entry.args,
        env: entry.env,
        cwd: entry.cwd,
      };
    } else if (entry.type === 'sse') {
      transport = { type: 'sse', url: entry.url, headers: entry.headers };
    } else {
      transport = { type: 'streamable-http', url: entry.url, headers: entry.headers };
    }
    servers.push({ id, name, transport });
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
