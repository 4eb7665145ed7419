import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2HttpTransport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport as V2StdioTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  TestStdioTransportConfig,
  TestStreamableHttpTransportConfig,
} from './transport-config.js';
import type { ProtocolEra } from './v2-test-server.js';

/**
 * The four kinds of client the 2026-07-28 compatibility matrix talks about: the v1 SDK client,
 * and the v2 client in its default (legacy) mode, in `auto` mode, and pinned to `2026-07-28`.
 */
export type EraClientKind = 'v1' | 'v2-default' | 'v2-auto' | 'v2-pinned';

export const ERA_CLIENT_KINDS: readonly EraClientKind[] = [
  'v1',
  'v2-default',
  'v2-auto',
  'v2-pinned',
];

/** What the tests need of a tool result, in both SDKs' shapes. */
export interface EraToolResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
}

/** One connected client of either SDK, reduced to what the tests use. */
export interface EraClient {
  readonly kind: EraClientKind;
  /** The era the connection speaks (the v1 client always speaks the legacy one). */
  readonly era: ProtocolEra;
  callTool(
    name: string,
    args?: Record<string, unknown>,
    options?: { signal?: AbortSignal; timeout?: number },
  ): Promise<EraToolResult>;
  listToolNames(): Promise<string[]>;
  close(): Promise<void>;
}

type Target = TestStreamableHttpTransportConfig | TestStdioTransportConfig;

function v2Mode(kind: EraClientKind) {
  if (kind === 'v2-auto') return { versionNegotiation: { mode: 'auto' as const } };
  if (kind === 'v2-pinned') return { versionNegotiation: { mode: { pin: '2026-07-28' } } };
  return {};
}

/** Connects a client of `kind` to `target`; rejects as that client's connect() rejects. */
export async function connectEraClient(kind: EraClientKind, target: Target): Promise<EraClient> {
  const info = { name: `mcpool-test-${kind}`, version: '0.0.0' };
  if (kind === 'v1') {
    const client = new V1Client(info);
    const transport =
      target.type === 'stdio'
        ? new V1StdioTransport({
            command: target.command,
            args: target.args ?? [],
            env: { ...process.env, ...target.env } as Record<string, string>,
            stderr: 'ignore',
          })
        : new V1HttpTransport(new URL(target.url));
    await client.connect(transport);
    return {
      kind,
      era: 'legacy',
      callTool: async (name, args, options) =>
        (await client.callTool(
          { name, arguments: args ?? {} },
          undefined,
          options,
        )) as EraToolResult,
      listToolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
      close: () => client.close(),
    };
  }
  const client = new V2Client(info, v2Mode(kind));
  const transport =
    target.type === 'stdio'
      ? new V2StdioTransport({
          command: target.command,
          args: target.args ?? [],
          env: { ...process.env, ...target.env } as Record<string, string>,
          stderr: 'ignore',
        })
      : new V2HttpTransport(new URL(target.url));
  await client.connect(transport);
  const era = client.getProtocolEra();
  if (era === undefined) throw new Error('v2 client connected without an era');
  return {
    kind,
    era,
    callTool: async (name, args, options) =>
      (await client.callTool({ name, arguments: args ?? {} }, options)) as EraToolResult,
    listToolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
    close: () => client.close(),
  };
}

/** The text of a tool result's first content block. */
export function eraText(result: EraToolResult): string | undefined {
  const first = (result.content as { type?: string; text?: string }[] | undefined)?.[0];
  return first?.type === 'text' ? first.text : undefined;
}
