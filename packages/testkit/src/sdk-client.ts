/** A plain SDK client for tests: connects over any test transport and records what it observed. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type ClientCapabilities,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { TestTransportConfig } from './transport-config.js';

/** A connected SDK client plus everything it observed. */
export interface TestClient {
  client: Client;
  transport: Transport;
  errors: Error[];
  toolListChanges: number;
  logs: LoggingMessageNotification['params'][];
  closed: boolean;
  close(): Promise<void>;
}

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

const ALL_CAPABILITIES: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {} },
  roots: { listChanged: true },
};

/** Connects a plain SDK client that supports sampling, elicitation and roots (unless told otherwise). */
export async function connectClient(
  config: TestTransportConfig,
  capabilities: ClientCapabilities = ALL_CAPABILITIES,
): Promise<TestClient> {
  const client = new Client({ name: 'testkit-test', version: '0.0.0' }, { capabilities });
  const transport = await transportFor(config);
  const observed: TestClient = {
    client,
    transport,
    errors: [],
    toolListChanges: 0,
    logs: [],
    closed: false,
    close: () => client.close(),
  };
  client.onerror = (error) => {
    observed.errors.push(error);
  };
  client.onclose = () => {
    observed.closed = true;
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    observed.toolListChanges += 1;
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    observed.logs.push(notification.params);
  });
  // The SDK refuses handlers for capabilities the client did not declare.
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const first = request.params.messages[0]?.content;
      const prompt = first && !Array.isArray(first) && first.type === 'text' ? first.text : '?';
      return {
        role: 'assistant',
        model: 'fake-model',
        content: { type: 'text', text: `sampled: ${prompt}` },
      };
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: 'accept',
      content: { answer: '42' },
    }));
  }
  if (capabilities.roots) {
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: 'file:///tmp/mcpool-root', name: 'root' }],
    }));
  }
  await client.connect(transport);
  return observed;
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
