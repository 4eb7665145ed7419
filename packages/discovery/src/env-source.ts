import { serversFromEnv } from '@mcpool/core';
import type { Source } from './source.js';

/** Options of {@link envSource}. */
export interface EnvSourceOptions {
  /** Where to read `MCP_SERVERS`. @default process.env */
  env?: Record<string, string | undefined> | undefined;
}

/**
 * The seed's `MCP_SERVERS` variable (`url,url` or `id=url,...` or an
 * `mcpServers` JSON document), read with core's parser on every resolution.
 */
export function envSource(options: EnvSourceOptions = {}): Source {
  return {
    name: 'env:MCP_SERVERS',
    async resolve(signal) {
      signal?.throwIfAborted();
      const servers = serversFromEnv(options.env ?? process.env);
      return { entries: servers.map((config, i) => ({ config, origin: `MCP_SERVERS[${i}]` })) };
    },
  };
}
