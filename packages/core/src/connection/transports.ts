import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { TransportConfig } from '../spec/server.js';
import { NodeHttpClientTransport } from './node-http-transport.js';

/** A fresh, unstarted SDK transport for one connection to a server. */
export async function createTransport(config: TransportConfig): Promise<Transport> {
  switch (config.type) {
    case 'stdio':
      return new StdioClientTransport({
        command: config.command,
        args: config.args ?? [],
        env: { ...getDefaultEnvironment(), ...(config.env ?? {}) },
        ...(config.cwd ? { cwd: config.cwd } : {}),
        stderr: config.stderr ?? 'inherit',
      });
    case 'streamable-http':
      return new NodeHttpClientTransport(new URL(config.url), { headers: config.headers });
    case 'sse':
      return new SSEClientTransport(new URL(config.url), {
        requestInit: { headers: config.headers ?? {} },
      });
    case 'custom':
      return config.create();
  }
}
