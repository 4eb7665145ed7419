/*
 * Over 350 lines: one MCP server with every standard tool, resource and
 * prompt the tests use, each a few lines; failure knobs wrap them all.
 */
import {
  McpServer,
  type RegisteredTool,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
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
import { delay } from './wait.js';

/**
 * How a test server answers `tools/call` (every other request is always answered normally):
 * - `ok`: normally;
 * - `error`: a JSON-RPC error (InternalError, -32603);
 * - `hang`: never (the client has to time out or cancel);
 * - `garbage`: something the client cannot parse (see each transport for the exact bytes);
 * - `crash`: the server dies the way its transport dies (process exit, sockets destroyed, or
 *   in-process transport closed).
 */
export type TestServerMode = 'ok' | 'error' | 'hang' | 'garbage' | 'crash';

/** Names of the tools every test server offers unless `toolNames` filters them. */
export const STANDARD_TOOL_NAMES = [
  'add',
  'echo',
  'whoami',
  'sleep',
  'fail',
  'counter',
  'progress',
  'sample',
  'elicit',
  'roots',
  'log',
] as const;

/** One of {@link STANDARD_TOOL_NAMES}. */
export type StandardToolName = (typeof STANDARD_TOOL_NAMES)[number];

/** Static description of a logical test server. Must be JSON-serialisable (stdio passes it via env). */
export interface TestServerOptions {
  /** Shows up in `whoami`, resource URIs and prompts; keep it URL-host safe (e.g. `alpha`, `s1`). */
  id: string;
  /** Delay before every tools/call answer. Default 0. */
  latencyMs?: number;
  /** Default `ok`. */
  mode?: TestServerMode;
  /** Added to every `add` result, so a server can be made to answer wrong. Default 0. */
  answerOffset?: number;
  /** Which standard tools to offer. Default: all of them. */
  toolNames?: readonly StandardToolName[];
  /** Extra tools (each answers with its own name) offered from the start. */
  extraTools?: readonly string[];
  /**
   * Accept `resources/subscribe` and `resources/unsubscribe` (and advertise
   * `resources.subscribe`); `state.touch(uri)` then sends
   * `notifications/resources/updated` to every session subscribed to `uri`.
   * Default false.
   */
  subscriptions?: boolean;
}

interface UpdateListener {
  /** The URIs it is subscribed to; `all` for a serving entry that filters on its own. */
  readonly uris: ReadonlySet<string> | 'all';
  updated(uri: string): void;
}

interface ToolListListener {
  added(name: string): void;
  removed(name: string): void;
}

/**
 * The mutable state of one logical test server, shared by every connection/session it serves.
 * Mutate the fields at runtime (in-process and HTTP servers read them on every tools/call).
 */
export class TestServerState {
  readonly id: string;
  latencyMs: number;
  mode: TestServerMode;
  answerOffset: number;
  /** tools/call requests received, whatever the mode did with them. */
  callCount = 0;
  /** tools/call requests received, per tool name. */
  readonly calls: Record<string, number> = {};
  /** The value behind the `counter` tool. */
  counter = 0;
  /** Tool calls whose handler saw the client cancel them (`notifications/cancelled`). */
  cancelled = 0;
  /** Extra tools currently offered; change it only through {@link addTool}/{@link removeTool}. */
  readonly extraTools: string[];
  readonly #listeners = new Set<ToolListListener>();
  /** `resources/subscribe` requests received (with `subscriptions` on). */
  subscribes = 0;
  /** `resources/unsubscribe` requests received (with `subscriptions` on). */
  unsubscribes = 0;
  readonly #updates = new Set<UpdateListener>();

  constructor(options: TestServerOptions) {
    this.id = options.id;
    this.latencyMs = options.latencyMs ?? 0;
    this.mode = options.mode ?? 'ok';
    this.answerOffset = options.answerOffset ?? 0;
    this.extraTools = [...(options.extraTools ?? [])];
  }

  /** Offers a new tool `name` (answering with its name) on every live connection, each of which sends `notifications/tools/list_changed`. */
  addTool(name: string): void {
    if ((STANDARD_TOOL_NAMES as readonly string[]).includes(name)) {
      throw new Error(`addTool: '${name}' is a standard tool name`);
    }
    if (this.extraTools.includes(name)) return;
    this.extraTools.push(name);
    for (const listener of this.#listeners) listener.added(name);
  }

  /** Withdraws an extra tool from every live connection (each sends `notifications/tools/list_changed`). */
  removeTool(name: string): void {
    const index = this.extraTools.indexOf(name);
    if (index === -1) return;
    this.extraTools.splice(index, 1);
    for (const listener of this.#listeners) listener.removed(name);
  }

  /** Number of McpServer instances (connections/sessions) currently attached to this state. */
  get liveServers(): number {
    return this.#listeners.size;
  }

  /**
   * The `params._meta` of each tools/call received, in order (`undefined` when
   * it had none): trace context travels there, so tests read it back.
   */
  readonly metas: (Record<string, unknown> | undefined)[] = [];

  /**
   * The JSON-RPC id of each tools/call received, in order, beside `metas`
   * (`undefined` where the transport does not say): tests match it with the
   * id the client reports.
   */
  readonly requestIds: (string | number | undefined)[] = [];

  /** Counts a received tools/call. Called by the transports' interceptor, not by tests. */
  recordCall(toolName: string, meta?: Record<string, unknown>, requestId?: string | number): void {
    this.callCount += 1;
    this.calls[toolName] = (this.calls[toolName] ?? 0) + 1;
    // Bounded: a long-running test server must not grow without end.
    if (this.metas.length >= 1000) {
      this.metas.shift();
      this.requestIds.shift();
    }
    this.metas.push(meta);
    this.requestIds.push(requestId);
  }

  /**
   * Tells every live session subscribed to `uri` that it changed
   * (`notifications/resources/updated`); returns how many were told.
   */
  touch(uri: string): number {
    let told = 0;
    for (const listener of this.#updates) {
      if (listener.uris !== 'all' && !listener.uris.has(uri)) continue;
      listener.updated(uri);
      told++;
    }
    return told;
  }

  /** Lets a server instance hear of {@link touch}; returns what stops it. */
  followUpdates(listener: UpdateListener): () => void {
    this.#updates.add(listener);
    return () => {
      this.#updates.delete(listener);
    };
  }

  /** Lets a server instance follow addTool/removeTool; returns the unsubscribe function. */
  subscribe(listener: ToolListListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

/**
 * Builds one McpServer instance for `state`'s logical server (one per connection or session).
 * Modes and latency are not applied here but by the transport interceptor, because McpServer
 * turns anything a tool handler throws into an `isError` result instead of a JSON-RPC error.
 */
export function createTestMcpServer(
  options: TestServerOptions,
  state: TestServerState = new TestServerState(options),
): McpServer {
  const id = state.id;
  const server = new McpServer(
    { name: `mcpool-test-${id}`, version: '0.0.0' },
    {
      // Declared up front so tools/list_changed is advertised even before extra tools exist.
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true, ...(options.subscriptions ? { subscribe: true } : {}) },
        prompts: { listChanged: true },
        logging: {},
      },
    },
  );

  const wanted = new Set<string>(options.toolNames ?? STANDARD_TOOL_NAMES);
  const register: Record<StandardToolName, () => void> = {
    add: () => server.registerTool('add', STANDARD_TOOLS.add, ({ a, b }) => addResult(state, a, b)),
    echo: () => server.registerTool('echo', STANDARD_TOOLS.echo, ({ message }) => text(message)),
    whoami: () => server.registerTool('whoami', STANDARD_TOOLS.whoami, () => text(id)),
    sleep: () =>
      server.registerTool('sleep', STANDARD_TOOLS.sleep, ({ ms }, extra) =>
        sleepFor(state, ms, extra.signal),
      ),
    fail: () => server.registerTool('fail', STANDARD_TOOLS.fail, () => failResult()),
    counter: () =>
      server.registerTool('counter', STANDARD_TOOLS.counter, () => counterResult(state)),
    progress: () =>
      server.registerTool(
        'progress',
        STANDARD_TOOLS.progress,
        async ({ steps, intervalMs = 10 }, extra) => {
          const progressToken = extra._meta?.progressToken;
          for (let step = 1; step <= steps; step++) {
            if (progressToken === undefined) break;
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress: step, total: steps, message: `step ${step}` },
            });
            // The SDK client runs notification handlers a microtask late but handles the answer
            // at once: a progress notification read in the same chunk as the answer is dropped
            // ("unknown token"). The pause keeps them apart; intervalMs 0 reproduces the race.
            await delay(intervalMs, extra.signal);
          }
          return text('done');
        },
      ),
    sample: () =>
      server.registerTool('sample', STANDARD_TOOLS.sample, async ({ prompt }, extra) => {
        const result = await server.server.createMessage(
          {
            messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
            maxTokens: 100,
          },
          // Related to the tools/call so Streamable HTTP sends it on that request's stream.
          { relatedRequestId: extra.requestId, signal: extra.signal },
        );
        return text(sampledText(result.content));
      }),
    elicit: () =>
      server.registerTool('elicit', STANDARD_TOOLS.elicit, async (extra) => {
        const result = await server.server.elicitInput(
          {
            message: `${id} needs an answer`,
            requestedSchema: {
              type: 'object',
              properties: { answer: { type: 'string' } },
              required: ['answer'],
            },
          },
          { relatedRequestId: extra.requestId, signal: extra.signal },
        );
        return text(JSON.stringify(result));
      }),
    roots: () =>
      server.registerTool('roots', STANDARD_TOOLS.roots, async (extra) => {
        const result = await server.server.listRoots(undefined, {
          relatedRequestId: extra.requestId,
          signal: extra.signal,
        });
        return text(JSON.stringify(result));
      }),
    log: () =>
      server.registerTool('log', STANDARD_TOOLS.log, async ({ message }, extra) => {
        // Not tied to the request: over Streamable HTTP it travels on the GET stream, if open.
        await server.server.sendLoggingMessage(
          { level: 'info', logger: id, data: message },
          extra.sessionId,
        );
        return text('logged');
      }),
  };
  for (const name of STANDARD_TOOL_NAMES) {
    if (wanted.has(name)) register[name]();
  }

  const extraTools = new Map<string, RegisteredTool>();
  const addExtra = (name: string) => {
    if (extraTools.has(name)) return;
    extraTools.set(
      name,
      server.registerTool(name, extraToolConfig(name), () => text(name)),
    );
  };
  for (const name of state.extraTools) addExtra(name);
  // registerTool/remove() send tools/list_changed by themselves once connected.
  const unsubscribe = state.subscribe({
    added: addExtra,
    removed: (name) => {
      extraTools.get(name)?.remove();
      extraTools.delete(name);
    },
  });
  let stopUpdates = () => {};
  if (options.subscriptions) {
    const uris = new Set<string>();
    server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
      state.subscribes++;
      uris.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
      state.unsubscribes++;
      uris.delete(request.params.uri);
      return {};
    });
    stopUpdates = state.followUpdates({
      uris,
      updated: (uri) => {
        server.server.sendResourceUpdated({ uri }).catch(() => {});
      },
    });
  }
  server.server.onclose = () => {
    unsubscribe();
    stopUpdates();
  };

  registerStandardContent(
    server,
    id,
    { id },
    (uri) => new ResourceTemplate(uri, { list: undefined }),
  );

  return server;
}
