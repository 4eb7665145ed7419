import { z } from 'zod';
import type { StandardToolName, TestServerState } from './test-server.js';
import { delay } from './wait.js';

/*
 * The standard tools (and the item resource and greet prompt) as the v1 and
 * the v2 test servers both offer them: what each tool is (description,
 * schemas, annotations) and what it does where that needs no SDK. Each
 * server adds only its SDK's glue (how a handler reaches its signal,
 * notifications and the client).
 */

/** A tools/call result with one text block. */
export function textResult(value: string): { content: { type: 'text'; text: string }[] } {
  return { content: [{ type: 'text', text: value }] };
}

/** Each standard tool's registration config, the same for both SDKs. */
export const STANDARD_TOOLS = {
  add: {
    description: 'Adds a and b (plus the server answerOffset).',
    inputSchema: { a: z.number(), b: z.number() },
    outputSchema: { sum: z.number() },
    annotations: { readOnlyHint: true, idempotentHint: true },
  },
  echo: {
    description: 'Answers with the message.',
    inputSchema: { message: z.string() },
    annotations: { readOnlyHint: true },
  },
  whoami: { description: 'Answers with the server id.', annotations: { readOnlyHint: true } },
  sleep: {
    description: 'Waits ms milliseconds (stops early when the request is cancelled).',
    inputSchema: { ms: z.number() },
    annotations: { readOnlyHint: true },
  },
  fail: { description: 'Always returns an isError result.' },
  // No annotations on purpose: this is the non-idempotent tool a pool must not retry blindly.
  counter: { description: 'Increments a counter shared by all connections and returns it.' },
  progress: {
    description:
      'Sends one progress notification per step (if asked for progress), intervalMs apart.',
    inputSchema: {
      steps: z.number().int().min(0),
      intervalMs: z.number().min(0).optional(),
    },
    annotations: { readOnlyHint: true },
  },
  sample: {
    description: 'Asks the client to sample an LLM and returns its text.',
    inputSchema: { prompt: z.string() },
  },
  elicit: { description: 'Asks the client for input and returns the JSON of its answer.' },
  roots: { description: "Returns the JSON of the client's roots/list answer." },
  log: {
    description: 'Sends a logging notification with the message.',
    inputSchema: { message: z.string() },
  },
} satisfies Record<StandardToolName, { description: string; [key: string]: unknown }>;

/** `add`: the sum, shifted by the server's `answerOffset` (how a test makes a replica answer wrong). */
export function addResult(state: TestServerState, a: number, b: number) {
  const sum = a + b + state.answerOffset;
  return { ...textResult(String(sum)), structuredContent: { sum } };
}

/** `sleep`: waits, counting a cancellation the server saw. */
export async function sleepFor(
  state: TestServerState,
  ms: number,
  signal: AbortSignal,
): Promise<ReturnType<typeof textResult>> {
  const onCancel = () => {
    state.cancelled += 1;
  };
  signal.addEventListener('abort', onCancel, { once: true });
  try {
    await delay(ms, signal);
  } finally {
    signal.removeEventListener('abort', onCancel);
  }
  return textResult('slept');
}

/** `fail`: an answer that is an error, not a sick server. */
export function failResult() {
  return { ...textResult('tool failed on purpose'), isError: true };
}

/** `counter`: one more than last time, across every connection. */
export function counterResult(state: TestServerState) {
  state.counter += 1;
  return textResult(String(state.counter));
}

/** The text of the blocks of a sampling answer. */
export function sampledText(content: unknown): string {
  const blocks = (Array.isArray(content) ? content : [content]) as {
    type: string;
    text?: string;
  }[];
  return blocks.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
}

/** `items/{item}` resource: which server and which item. */
export function itemContents(id: string, href: string, item: unknown) {
  return {
    contents: [{ uri: href, mimeType: 'application/json', text: JSON.stringify({ id, item }) }],
  };
}

/** The `greet` prompt's messages. */
export function greetMessages(id: string, name: string) {
  return {
    messages: [
      {
        role: 'user' as const,
        content: { type: 'text' as const, text: `Hello, ${name} from ${id}` },
      },
    ],
  };
}

/**
 * What the shared registrations need of an McpServer: the v1 and v2 SDKs'
 * methods have this shape (their types differ only in their generics).
 */
export interface StandardContentHost<Template> {
  registerResource(
    name: string,
    uri: string,
    config: { mimeType: string; description: string },
    read: (uri: URL) => { contents: { uri: string; mimeType: string; text: string }[] },
  ): unknown;
  registerResource(
    name: string,
    template: Template,
    config: { mimeType: string; description: string },
    read: (
      uri: URL,
      variables: Record<string, string | string[]>,
    ) => { contents: { uri: string; mimeType: string; text: string }[] },
  ): unknown;
  registerPrompt(
    name: string,
    config: { description: string; argsSchema: { name: z.ZodString } },
    build: (args: { name: string }) => ReturnType<typeof greetMessages>,
  ): unknown;
}

/**
 * Registers the resources and the prompt every test server offers: `info`
 * (`mcpool-test://<id>/info`, whose JSON is `info`), the `item` template and
 * the `greet` prompt. `template` makes the SDK's ResourceTemplate of a URI template.
 */
export function registerStandardContent<Template>(
  server: StandardContentHost<Template>,
  id: string,
  info: Record<string, unknown>,
  template: (uriTemplate: string) => Template,
): void {
  server.registerResource(
    'info',
    `mcpool-test://${id}/info`,
    { mimeType: 'application/json', description: 'The server id.' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(info) }],
    }),
  );
  server.registerResource(
    'item',
    template(`mcpool-test://${id}/items/{item}`),
    { mimeType: 'application/json', description: 'Any item of this server.' },
    (uri, variables) => itemContents(id, uri.href, variables.item),
  );
  server.registerPrompt(
    'greet',
    { description: 'Greets name.', argsSchema: { name: z.string() } },
    ({ name }) => greetMessages(id, name),
  );
}

/** The config of an extra tool, which answers with its name. */
export function extraToolConfig(name: string) {
  return {
    description: `Extra tool ${name}; answers with its name.`,
    annotations: { readOnlyHint: true },
  };
}
