import {
  acceptedContent,
  inputRequired,
  inputResponse,
  McpServer,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  addResult,
  counterResult,
  extraToolConfig,
  failResult,
  registerStandardContent,
  STANDARD_TOOLS,
  sampledText,
  sleepFor,
  textResult as text,
} from './standard-tools.js';
import {
  STANDARD_TOOL_NAMES,
  type StandardToolName,
  type TestServerOptions,
  type TestServerState,
} from './test-server.js';
import { delay } from './wait.js';

/** The protocol era one v2 server instance serves: `legacy` (2025-era, `initialize`) or `modern` (2026-07-28). */
export type ProtocolEra = 'legacy' | 'modern';

/** The 2026-07-28 cache hints a v2 server puts on its cacheable results, by method. */
export type V2CacheHints = Partial<
  Record<
    | 'tools/list'
    | 'prompts/list'
    | 'resources/list'
    | 'resources/templates/list'
    | 'resources/read'
    | 'server/discover',
    { ttlMs?: number; cacheScope?: 'public' | 'private' }
  >
>;

/** Options of a v2 test server: the shared ones, and what only the v2 SDK can do. */
export interface V2TestServerOptions extends TestServerOptions {
  /**
   * `ttlMs`/`cacheScope` on the cacheable results of modern requests (the SDK's `cacheHints`).
   * @default none: `ttlMs: 0`, `cacheScope: 'private'`
   */
  cacheHints?: V2CacheHints;
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
 * is built, and the serving entry announces changes. `subscriptions` holds for the modern era
 * only (declaring `resources.subscribe`): over HTTP the serving entry sends `state.touch(uri)` to
 * the listen streams whose filter holds `uri`; a legacy-era instance answers no subscribe.
 *
 * Modes and latency are applied by the serving entry, in front of the SDK, as for v1.
 */
export function createV2TestMcpServer(
  options: V2TestServerOptions,
  state: TestServerState,
  era: ProtocolEra,
): McpServer {
  const id = state.id;
  const server = new McpServer(
    { name: `mcpool-test-${id}`, version: '0.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        // Modern, with `subscriptions`: resources.subscribe lets subscriptions/listen honour a
        // resourceSubscriptions filter. Legacy: never, as the instance answers no resources/subscribe.
        resources:
          era === 'modern' && options.subscriptions === true
            ? { listChanged: true, subscribe: true }
            : { listChanged: true },
        prompts: { listChanged: true },
        logging: {},
      },
      ...(options.cacheHints ? { cacheHints: options.cacheHints } : {}),
    },
  );

  const answerSchema = z.object({ answer: z.string() });
  const wanted = new Set<string>(options.toolNames ?? STANDARD_TOOL_NAMES);
  const register: Record<StandardToolName, () => void> = {
    add: () => server.registerTool('add', STANDARD_TOOLS.add, ({ a, b }) => addResult(state, a, b)),
    echo: () => server.registerTool('echo', STANDARD_TOOLS.echo, ({ message }) => text(message)),
    whoami: () => server.registerTool('whoami', STANDARD_TOOLS.whoami, () => text(id)),
    sleep: () =>
      server.registerTool('sleep', STANDARD_TOOLS.sleep, ({ ms }, ctx) =>
        sleepFor(state, ms, ctx.mcpReq.signal),
      ),
    fail: () => server.registerTool('fail', STANDARD_TOOLS.fail, () => failResult()),
    counter: () =>
      server.registerTool('counter', STANDARD_TOOLS.counter, () => counterResult(state)),
    progress: () =>
      server.registerTool(
        'progress',
        STANDARD_TOOLS.progress,
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
      server.registerTool('sample', STANDARD_TOOLS.sample, ({ prompt }, ctx) => {
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
        return text(sampledText(answer.result.content));
      }),
    elicit: () =>
      server.registerTool('elicit', STANDARD_TOOLS.elicit, (ctx) => {
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
      }),
    roots: () =>
      server.registerTool('roots', STANDARD_TOOLS.roots, (ctx) => {
        const answer = inputResponse(ctx.mcpReq.inputResponses, 'roots');
        if (answer.kind !== 'roots') {
          return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
        }
        return text(JSON.stringify({ roots: answer.roots }));
      }),
    log: () =>
      server.registerTool('log', STANDARD_TOOLS.log, async ({ message }, ctx) => {
        // Deprecated in 2026-07-28 and sent only when the request's envelope asks for a level.
        await ctx.mcpReq.log('info', message, id);
        return text('logged');
      }),
  };
  for (const name of STANDARD_TOOL_NAMES) {
    if (wanted.has(name)) register[name]();
  }
  for (const name of state.extraTools) {
    server.registerTool(name, extraToolConfig(name), () => text(name));
  }

  registerStandardContent(
    server,
    id,
    { id, era },
    (uri) => new ResourceTemplate(uri, { list: undefined }),
  );

  return server;
}
