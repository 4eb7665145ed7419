/** A plain SDK client for tests: connects over any test transport and records what it observed. */
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { connectObserved, type ObservedClient } from './observed-client.js';
import type { TestTransportConfig } from './transport-config.js';

/** A connected SDK client plus everything it observed. */
export type TestClient = ObservedClient & { transport: Transport };

export async function transportFor(config: TestTransportConfig): Promise<Transport> {
  switch (config.type) {
    case 'stdio':
      return new StdioClientTransport({
        command: config.command,
        ...(config.args ? { args: config.args } : {}),
        ...(config.env ? { env: config.env } : {}),
        ...(config.cwd ? { cwd: config.cwd } : {}),
        // Keeps child chatter (server-everything logs to stderr) out of the test output.
        stderr: 'ignore',
      });
    case 'streamable-http':
      return new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: config.headers ?? {} },
      });
    case 'sse':
      return new SSEClientTransport(new URL(config.url), {
        requestInit: { headers: config.headers ?? {} },
      });
    case 'custom':
      return config.create();
  }
}

/** Connects a plain SDK client that supports sampling, elicitation and roots (unless told otherwise). */
export async function connectClient(
  config: TestTransportConfig,
  capabilities?: ClientCapabilities,
): Promise<TestClient> {
  const transport = await transportFor(config);
  // The same object, not a copy: its counters keep moving as notifications arrive.
  return (await connectObserved(transport, capabilities ? { capabilities } : {})) as TestClient;
}

/** The text of the first content block of a tools/call result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  const block = content?.[0];
  if (block?.type !== 'text' || block.text === undefined) {
    throw new Error(`no text content in ${JSON.stringify(result)}`);
  }
  return block.text;
}
