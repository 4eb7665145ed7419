import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Spawn a child process and speak MCP over its stdin/stdout. */
export interface TestStdioTransportConfig {
  type: 'stdio';
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Connect to a Streamable HTTP MCP endpoint. */
export interface TestStreamableHttpTransportConfig {
  type: 'streamable-http';
  url: string;
  headers?: Record<string, string>;
}

/** Connect to a legacy HTTP+SSE MCP endpoint (the GET stream URL). */
export interface TestSseTransportConfig {
  type: 'sse';
  url: string;
  headers?: Record<string, string>;
}

/** Bring your own client-side transport; `create` is called once per new connection. */
export interface TestCustomTransportConfig {
  type: 'custom';
  create: () => Transport | Promise<Transport>;
}

/**
 * Structurally identical to `@mcpool/core`'s `TransportConfig`. It is duplicated here on purpose:
 * testkit must not depend on core (core's tests depend on testkit).
 */
export type TestTransportConfig =
  | TestStdioTransportConfig
  | TestStreamableHttpTransportConfig
  | TestSseTransportConfig
  | TestCustomTransportConfig;
