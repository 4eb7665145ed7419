// Test-only helpers (tsconfig.build.json excludes src/test-*.ts).
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  connectObserved,
  type InProcessTestServer,
  type ObservedClient,
  type ProcessRun,
  runProcess,
  type StartedProcess,
  startProcess,
  waitFor,
} from '@mcpool/testkit';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  type ClientCapabilities,
  LATEST_PROTOCOL_VERSION,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Gateway } from './gateway.js';

/** A downstream SDK client and what it observed (the testkit's observed client). */
export type Downstream = ObservedClient;

const ALL: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {} },
  roots: { listChanged: true },
};

/**
 * Has the downstream client call `sleep` and abort it once `upstream` runs
 * it; resolves with what the call settled with, once `upstream` saw the cancel.
 */
export async function cancelSleep(
  host: Downstream,
  upstream: InProcessTestServer,
): Promise<unknown> {
  const controller = new AbortController();
  const pending = host.client
    .callTool({ name: 'sleep', arguments: { ms: 10_000 } }, CallToolResultSchema, {
      signal: controller.signal,
    })
    .catch((e: unknown) => e);
  await waitFor(() => upstream.state.calls.sleep === 1);
  controller.abort('user stopped');
  const outcome = await pending;
  await waitFor(() => upstream.state.cancelled === 1, { message: 'upstream saw the cancellation' });
  return outcome;
}

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
export interface ServeProcess extends StartedProcess {
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
}

/**
 * Starts the built CLI as `mcpool serve --config FILE --http 127.0.0.1:0 ARGS`
 * and waits for its serving line; `env` is added to this process's (a key set
 * to `undefined` is left out).
 */
export async function spawnServe(
  config: string,
  env: Record<string, string | undefined> = {},
  args: readonly string[] = [],
): Promise<ServeProcess> {
  const started = startCli(['serve', '--config', config, '--http', '127.0.0.1:0', ...args], env);
  const [, url = ''] = await started.waitForStderr(/serving \d+ servers at (\S+)/);
  return { ...started, url, base: new URL(url).origin };
}

/** Starts the built CLI with `args`; register its `kill` for cleanup. */
export function startCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): StartedProcess {
  return startProcess(process.execPath, [cliPath(), ...args], { env });
}

/** Runs the built CLI with `args` to its end. */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<ProcessRun> {
  return runProcess(process.execPath, [cliPath(), ...args], { env });
}

/** An `initialize` request (id 1) from a client called `name`, to send as a raw body. */
export function initializeRequest(
  name: string,
  capabilities: ClientCapabilities = {},
  version = '0',
) {
  return {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities,
      clientInfo: { name, version },
    },
  } as const;
}

/** What a plain HTTP request got back. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain HTTP request, so that Host and every other header are exactly as given. */
export function rawPost(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
  } = {},
): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: options.method ?? 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        // No content-length: the limit must hold while the body streams in.
        const body = Buffer.from(options.body);
        const step = 256 * 1024;
        for (let at = 0; at < body.length; at += step) req.write(body.subarray(at, at + step));
        req.end();
      } else {
        req.end(options.body);
      }
    } else {
      req.end();
    }
  });
}
