import type { TransportConfig } from '@mcpool/core';
import { StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/**
 * A fresh, unstarted v2 transport for one connection. The base `StdioClientTransport` is used
 * as it is (not subclassed) so that the v2 client runs its era probe on a short-lived sibling
 * process and starts the connection's own process once, after the era is known.
 */
export function createV2Transport(serverId: string, config: TransportConfig): Transport {
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
      return new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: config.headers ?? {} },
      });
    case 'sse':
    case 'custom':
      throw new TypeError(
        `Server "${serverId}": the modern connector does not open '${config.type}' transports (the 2026-07-28 protocol runs over stdio and streamable-http). Set protocol: 'legacy' for this server to use the built-in connector.`,
      );
  }
}
