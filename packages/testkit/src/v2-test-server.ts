import {
  acceptedContent,
  type CallToolResult,
  inputRequired,
  inputResponse,
  McpServer,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  STANDARD_TOOL_NAMES,
  type StandardToolName,
  type TestServerOptions,
  type TestServerState,
} from './test-server.js';
import { delay } from './wait.js';

/** The protocol era one v2 server instance serves: `legacy` (2025-era, `initialize`) or `modern` (2026-07-28). */
export type ProtocolEra = 'legacy' | 'modern';

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

/**
 * Builds one v2 SDK (`@modelcontextprotocol/server` 2.x) McpServer instance for `state`'s logical
 * server, offering the same tools, resources and prompt as {@link createTestMcpServer} so that a
 * test can put a v1 and a v2 server side by side. The v2 entries call it once per HTTP request
 * (`createMcpHandler`) or once per stdio connection (`serveStdio`), each time telling the era.
 *
 * Differences from the v1 server, all forced by the 2026-07-28 era: `sample`, `elicit` and
 * `roots` return an `input_required` result (the era has no server-to-client requests; on a
 * 2025-era connection the SDK's shim turns it into the old requests), and the instance does not
 * follow `addTool`/`removeTool` itself: a per-request instance reads `state.extraTools` when it
 * is built, and the serving entry announces changes. `subscriptions` is not honoured.
 *
 * Modes and latency are applied by the serving entry, in front of the SDK, as for v1.
 */
export function createV2TestMcpServer(
  options: TestServerOptions,
  state: TestServerState,
  era: ProtocolEra,
): McpServer {
  const id = state.id;
  const server = new McpServer(
    { name: `mcpool-test-${id}`, version: '0.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        // No resources.subscribe: the modern era has no resources/subscribe (subscriptions/listen instead).
        resources: { listChanged: true },
        prompts: { listChanged: true },
        logging: {},
      },
    },
  );

  const answerSchema = z.object({ answer: z.string() });
  const wanted = new Set<string>(options.toolNames ?? STANDARD_TOOL_NAMES);
  const register: Record<StandardToolName, () => void> = {
    add: () =>
      server.registerTool(
        'add',
        {
          description: 'Adds a and b (plus the server answerOffset).',
          inputSchema: { a: z.number(), b: z.number() },
          outputSchema: { sum: z.number() },
          annotations: { readOnlyHint: true, idempotentHint: true },
        },
        ({ a, b }) => {
          const sum = a + b + state.answerOffset;
          return { ...text(String(sum)), structuredContent: { sum } };
        },
      ),
    echo: () =>
      server.registerTool(
        'echo',
        {
          description: 'Answers with the message.',
          inputSchema: { message: z.string() },
          annotations: { readOnlyHint: true },
        },
        ({ message }) => text(message),
      ),
    whoami: () =>
      server.registerTool(
        'whoami',
        { description: 'Answers with the server id.', annotations: { readOnlyHint: true } },
        () => text(id),
      ),
    sleep: () =>
      server.registerTool(
        'sleep',
        {
          description: 'Waits ms milliseconds (stops early when the request is cancelled).',
          inputSchema: { ms: z.number() },
          annotations: { readOnlyHint: true },
        },
        async ({ ms }, ctx) => {
          const signal = ctx.mcpReq.signal;
          const onCancel = () => {
            state.cancelled += 1;
          };
          signal.addEventListener('abort', onCancel, { once: true });
          try {
            await delay(ms, signal);
          } finally {
            signal.removeEventListener('abort', onCancel);
          }
          return text('slept');
        },
      ),
    fail: () =>
      server.registerTool('fail', { description: 'Always returns an isError result.' }, () => ({
        ...text('tool failed on purpose'),
        isError: true,
      })),
    counter: () =>
      // No annotations on purpose: this is the non-idempotent tool a pool must not retry blindly.
      server.registerTool(
        'counter',
        { description: 'Increments a counter shared by all connections and returns it.' },
        () => {
          state.counter += 1;
          return text(String(state.counter));
        },
      ),
    progress: () =>
      server.registerTool(
        'progress',
        {
          description:
            'Sends one progress notification per step (if asked for progress), intervalMs apart.',
          inputSchema: {
            steps: z.number().int().min(0),
            intervalMs: z.number().min(0).optional(),
          },
          annotations: { readOnlyHint: true },
        },
        async ({ steps, intervalMs = 10 }, ctx) => {
          const progressToken = ctx.mcpReq._meta?.progressToken;
          for (let step = 1; step <= steps; step++) {
            if (progressToken === undefined) break;
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken, progress: step, total: steps, message: `step ${step}` },
            });
            await delay(intervalMs, ctx.mcpReq.signal);
          }
          return text('done');
        },
      ),
    sample: () =>
      server.registerTool(
        'sample',
        {
          description: 'Asks the client to sample an LLM and returns its text.',
          inputSchema: { prompt: z.string() },
        },
        ({ prompt }, ctx) => {
          const answer = inputResponse(ctx.mcpReq.inputResponses, 'sample');
          if (answer.kind !== 'sampling') {
            return inputRequired({
              inputRequests: {
                sample: inputRequired.createMessage({
                  messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
                  maxTokens: 100,
                }),
              },
            });
          }
          const content = answer.result.content;
          const blocks = Array.isArray(content) ? content : [content];
          return text(blocks.map((block) => (block.type === 'text' ? block.text : '')).join(''));
        },
      ),
    elicit: () =>
      server.registerTool(
        'elicit',
        { description: 'Asks the client for input and returns the JSON of its answer.' },
        (ctx) => {
          const answer = acceptedContent(ctx.mcpReq.inputResponses, 'answer', answerSchema);
          if (answer === undefined) {
            return inputRequired({
              inputRequests: {
                answer: inputRequired.elicit({
                  message: `${id} needs an answer`,
                  requestedSchema: answerSchema,
                }),
              },
            });
          }
          return text(JSON.stringify({ action: 'accept', content: answer }));
        },
      ),
    roots: () =>
      server.registerTool(
        'roots',
        { description: "Returns the JSON of the client's roots/list answer." },
        (ctx) => {
          const answer = inputResponse(ctx.mcpReq.inputResponses, 'roots');
          if (answer.kind !== 'roots') {
            return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
          }
          return text(JSON.stringify({ roots: answer.roots }));
        },
      ),
    log: () =>
      server.registerTool(
        'log',
        {
          description: 'Sends a logging notification with the message.',
          inputSchema: { message: z.string() },
        },
        async ({ message }, ctx) => {
          // Deprecated in 2026-07-28 and sent only when the request's envelope asks for a level.
          await ctx.mcpReq.log('info', message, id);
          return text('logged');
        },
      ),
  };
  for (const name of STANDARD_TOOL_NAMES) {
    if (wanted.has(name)) register[name]();
  }
  for (const name of state.extraTools) {
    server.registerTool(
      name,
      {
        description: `Extra tool ${name}; answers with its name.`,
        annotations: { readOnlyHint: true },
      },
      () => text(name),
    );
  }

  server.registerResource(
    'info',
    `mcpool-test://${id}/info`,
    { mimeType: 'application/json', description: 'The server id.' },
    (uri) => ({
      contents: [
        { uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, era }) },
      ],
    }),
  );
  server.registerResource(
    'item',
    new ResourceTemplate(`mcpool-test://${id}/items/{item}`, { list: undefined }),
    { mimeType: 'application/json', description: 'Any item of this server.' },
    (uri, variables) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, item: variables.item }),
        },
      ],
    }),
  );
  server.registerPrompt(
    'greet',
    { description: 'Greets name.', argsSchema: { name: z.string() } },
    ({ name }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name} from ${id}` } }],
    }),
  );

  return server;
}
