import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type ClientCapabilities,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** A plain SDK client plus everything it observed. */
export interface ObservedClient {
  client: Client;
  /** The transport it was connected over (undefined before `connect`). */
  transport: Transport | undefined;
  errors: Error[];
  toolListChanges: number;
  /** URIs of `notifications/resources/updated`, in order. */
  updated: string[];
  logs: LoggingMessageNotification['params'][];
  /** Prompts of the sampling requests it answered. */
  sampled: string[];
  closed: boolean;
  close(): Promise<void>;
}

/** Options of {@link observeClient} and {@link connectObserved}. */
export interface ObservedClientOptions {
  /** What the client declares. @default sampling, elicitation (form) and roots */
  capabilities?: ClientCapabilities;
  /**
   * Marks the client's answers, so that a test sees whose client answered:
   * sampling "LABEL sampled: PROMPT", elicitation `{ answer: LABEL }`, root
   * `file:///roots/LABEL`. @default unmarked: "sampled: PROMPT", `{ answer: '42' }`, `file:///tmp/mcpool-root`
   */
  label?: string;
}

const ALL_CAPABILITIES: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {} },
  roots: { listChanged: true },
};

/**
 * An SDK client that answers sampling, elicitation and roots as a host
 * would (for the capabilities it declares) and records what reaches it.
 * Connect it yourself (`observed.client.connect(transport)`) or with {@link connectObserved}.
 */
export function observeClient(options: ObservedClientOptions = {}): ObservedClient {
  const capabilities = options.capabilities ?? ALL_CAPABILITIES;
  const label = options.label;
  const client = new Client({ name: label ?? 'testkit-test', version: '0.0.0' }, { capabilities });
  const observed: ObservedClient = {
    client,
    transport: undefined,
    errors: [],
    toolListChanges: 0,
    updated: [],
    logs: [],
    sampled: [],
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
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    observed.updated.push(n.params.uri);
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    observed.logs.push(n.params);
  });
  // The SDK refuses handlers for capabilities the client did not declare.
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const first = request.params.messages[0]?.content;
      const prompt = first && !Array.isArray(first) && first.type === 'text' ? first.text : '?';
      observed.sampled.push(prompt);
      return {
        role: 'assistant',
        model: 'fake-model',
        content: { type: 'text', text: `${label ? `${label} ` : ''}sampled: ${prompt}` },
      };
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: 'accept',
      content: { answer: label ?? '42' },
    }));
  }
  if (capabilities.roots) {
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: label
        ? [{ uri: `file:///roots/${label}`, name: label }]
        : [{ uri: 'file:///tmp/mcpool-root', name: 'root' }],
    }));
  }
  return observed;
}

/** {@link observeClient}, connected over `transport`. */
export async function connectObserved(
  transport: Transport,
  options: ObservedClientOptions = {},
): Promise<ObservedClient> {
  const observed = observeClient(options);
  observed.transport = transport;
  await observed.client.connect(transport);
  return observed;
}
