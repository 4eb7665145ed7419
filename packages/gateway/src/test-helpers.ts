// Test-only helpers (tsconfig.build.json excludes src/test-*.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
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
import { z } from 'zod';
import type { Gateway } from './gateway.js';

/** A downstream SDK client and what it observed. */
export interface Downstream {
  client: Client;
  toolListChanges: number;
  updated: string[];
  logs: LoggingMessageNotification['params'][];
  sampled: string[];
  close(): Promise<void>;
}

const ALL: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {} },
  roots: { listChanged: true },
};

/** Makes an SDK client that answers sampling, elicitation and roots like a host would. */
export function downstreamClient(
  name: string,
  capabilities: ClientCapabilities = ALL,
): Omit<Downstream, 'close'> {
  const client = new Client({ name, version: '0.0.0' }, { capabilities });
  const observed: Omit<Downstream, 'close'> = {
    client,
    toolListChanges: 0,
    updated: [],
    logs: [],
    sampled: [],
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    observed.toolListChanges++;
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    observed.updated.push(n.params.uri);
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    observed.logs.push(n.params);
  });
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const first = request.params.messages[0]?.content;
      const prompt = first && !Array.isArray(first) && first.type === 'text' ? first.text : '?';
      observed.sampled.push(prompt);
      return {
        role: 'assistant',
        model: 'fake-model',
        content: { type: 'text', text: `${name} sampled: ${prompt}` },
      };
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: 'accept',
      content: { answer: name },
    }));
  }
  if (capabilities.roots) {
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: `file:///roots/${name}`, name }],
    }));
  }
  return observed;
}

/** Connects a downstream SDK client to the gateway over an in-memory transport pair. */
export async function connectInMemory(
  gateway: Gateway,
  name = 'host',
  capabilities: ClientCapabilities = ALL,
): Promise<Downstream> {
  const observed = downstreamClient(name, capabilities);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await gateway.connect(serverSide);
  await observed.client.connect(clientSide);
  return Object.assign(observed, { close: () => observed.client.close() });
}

/** Connects a downstream SDK client over any client transport. */
export async function connectOver(
  transport: Transport,
  name = 'host',
  capabilities: ClientCapabilities = ALL,
): Promise<Downstream> {
  const observed = downstreamClient(name, capabilities);
  await observed.client.connect(transport);
  return Object.assign(observed, { close: () => observed.client.close() });
}

export { resultText as text } from '@mcpool/testkit';

import { waitFor } from '@mcpool/testkit';

/**
 * An in-process server whose `echo` takes a number, not a string: it defines
 * `echo` differently from the testkit servers, so the names conflict.
 */
export function startOddServer(): {
  transport: { type: 'custom'; create: () => Promise<Transport> };
  close(): Promise<void>;
} {
  const live = new Set<McpServer>();
  return {
    transport: {
      type: 'custom',
      create: async () => {
        const server = new McpServer({ name: 'odd', version: '0.0.0' });
        server.registerTool(
          'echo',
          { description: 'Echoes a number.', inputSchema: { value: z.number() } },
          ({ value }) => ({ content: [{ type: 'text', text: `odd ${value}` }] }),
        );
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await server.connect(serverSide);
        live.add(server);
        return clientSide;
      },
    },
    close: async () => {
      await Promise.all([...live].map((s) => s.close()));
    },
  };
}

/** The built CLI; the CLI tests spawn it as a host would. */
export function cliPath(): string {
  const path = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist; run \`pnpm --filter @mcpool/gateway build\` first`);
  }
  return path;
}

/** A `mcpool serve --http` child process. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited(): Promise<number | string | null>;
  /** SIGKILL if still running, then waits for the exit. */
  kill(): Promise<void>;
}

/** Starts the built CLI as `mcpool serve --config FILE --http 127.0.0.1:0` and waits for its URL. */
export async function spawnServe(
  config: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [cliPath(), 'serve', '--config', config, '--http', '127.0.0.1:0', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exit = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  };
  let url: string;
  try {
    url = await waitFor(() => /serving \d+ servers at (\S+)/.exec(stderr)?.[1], {
      message: `the serving line (stderr so far: ${stderr})`,
      timeoutMs: 15_000,
    });
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    child,
    url,
    base: new URL(url).origin,
    stderr: () => stderr,
    exited: () => exit,
    kill,
  };
}
