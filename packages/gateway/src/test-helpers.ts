// Test-only helpers (tsconfig.build.json excludes src/test-*.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectObserved, type ObservedClient, waitFor } from '@mcpool/testkit';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Gateway } from './gateway.js';

/** A downstream SDK client and what it observed (the testkit's observed client). */
export type Downstream = ObservedClient;

const ALL: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {} },
  roots: { listChanged: true },
};

/** Connects a downstream client, whose answers carry `name`, to the gateway over an in-memory pair. */
export async function connectInMemory(
  gateway: Gateway,
  name = 'host',
  capabilities: ClientCapabilities = ALL,
): Promise<Downstream> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await gateway.connect(serverSide);
  return connectObserved(clientSide, { label: name, capabilities });
}

/** Connects a downstream client, whose answers carry `name`, over any client transport. */
export function connectOver(
  transport: Transport,
  name = 'host',
  capabilities: ClientCapabilities = ALL,
): Promise<Downstream> {
  return connectObserved(transport, { label: name, capabilities });
}

export { resultText as text } from '@mcpool/testkit';

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
