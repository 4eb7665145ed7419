// A real third-party MCP client, @modelcontextprotocol/inspector-cli (the
// CLI mode of the MCP Inspector v1: its own program and client code, on
// `@modelcontextprotocol/sdk` ^1.25), lists and calls tools through the built
// `mcpool` command, over stdio and over Streamable HTTP.
//
// Two quirks of inspector-cli 1.0.3, both worked around here:
// - Its `build/index.js` reads its own package.json with
//   `fs.existsSync('../package.json') ? '../package.json' : '../../package.json'`:
//   the test is made against the working directory, the import against the
//   module, so from most directories it fails with "Cannot find module
//   '.../node_modules/@modelcontextprotocol/package.json'". It is run from its
//   own `build/` directory, where both agree.
// - Its launcher (`build/cli.js`, the package's bin) has a `--config` option
//   of its own (an mcpServers file to pick the server from), so the gateway's
//   `--config FILE` goes after `--`, which the launcher does not parse.
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { useTempDir } from '@mcpool/core/testing';
import {
  type HttpTestServer,
  type ProcessRun,
  runProcess,
  startHttpServer,
  stdioServerConfig,
  waitFor,
} from '@mcpool/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, spawnServe } from './test-helpers.js';

const cli = cliPath();
const inspectorDir = join(
  dirname(
    createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json'),
  ),
  'build',
);
const inspectorBin = join(inspectorDir, 'cli.js');
const TOKEN = 'inspector-token-0123456789';

/** The merged catalog: `add` and `whoami` from both replicas (once each), `echo` and `stdio-only` from `kid`. */
const CATALOG = ['add', 'echo', 'stdio-only', 'whoami'];

const tmp = useTempDir('mcpool-inspector-');
let config: string;
let r1: HttpTestServer;
let r2: HttpTestServer;

beforeAll(async () => {
  r1 = await startHttpServer({ id: 'r1', toolNames: ['add', 'whoami'] });
  r2 = await startHttpServer({ id: 'r2', toolNames: ['add', 'whoami'] });
  const kid = stdioServerConfig({ id: 'kid', toolNames: ['echo'], extraTools: ['stdio-only'] });
  config = tmp.path('mcpool.json');
  await writeFile(
    config,
    JSON.stringify({
      mcpServers: {
        r1: { url: r1.url },
        r2: { url: r2.url },
        kid: { command: kid.command, args: kid.args, env: kid.env },
      },
      strategy: 'round_robin',
    }),
  );
});

afterAll(async () => {
  await Promise.all([r1?.close(), r2?.close()]);
});

/** Runs `mcp-inspector-cli --cli ARGS` to its end. */
function inspector(args: string[]): Promise<ProcessRun> {
  return runProcess(process.execPath, [inspectorBin, '--cli', ...args], {
    cwd: inspectorDir,
    timeoutMs: 30_000,
  });
}

/** The JSON the inspector printed, or a failure carrying what it said. */
function answer<T>(ran: ProcessRun): T {
  if (ran.code !== 0) {
    throw new Error(`inspector exited with ${ran.code}:\n${ran.stderr}\n${ran.stdout}`);
  }
  return JSON.parse(ran.stdout) as T;
}

interface ToolList {
  tools: { name: string; inputSchema: { properties?: Record<string, unknown> } }[];
}

interface ToolResult {
  content: { type: string; text: string }[];
  structuredContent?: unknown;
  isError?: boolean;
}

const addCalls = () => (r1.state.calls.add ?? 0) + (r2.state.calls.add ?? 0);

describe('@modelcontextprotocol/inspector-cli through the gateway', () => {
  it('lists and calls tools over stdio (the inspector spawns `mcpool serve`)', async () => {
    // The inspector's stdio target: everything before `--` but the method options, then the rest.
    const target = (method: string[]) => [
      process.execPath,
      cli,
      'serve',
      ...method,
      '--',
      '--config',
      config,
    ];

    const list = answer<ToolList>(await inspector(target(['--method', 'tools/list'])));
    const names = list.tools.map((t) => t.name);
    expect([...names].sort()).toEqual(CATALOG);
    expect(list.tools.find((t) => t.name === 'add')?.inputSchema.properties).toHaveProperty('a');

    const before = addCalls();
    const sum = answer<ToolResult>(
      await inspector(
        target(['--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=2', 'b=3']),
      ),
    );
    expect(sum.isError).toBeFalsy();
    expect(sum.content).toEqual([{ type: 'text', text: '5' }]);
    expect(sum.structuredContent).toEqual({ sum: 5 });
    expect(addCalls()).toBe(before + 1);

    const echoed = answer<ToolResult>(
      await inspector(
        target(['--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=hi']),
      ),
    );
    expect(echoed.content[0]?.text).toContain('hi');

    // The inspector exits, the gateway sees stdin close and ends its upstream sessions.
    await waitFor(() => r1.sessionCount() === 0 && r2.sessionCount() === 0, {
      message: 'upstream sessions ended after the inspector left',
      timeoutMs: 10_000,
    });
  }, 90_000);

  it('lists and calls tools over Streamable HTTP with a bearer token', async () => {
    const gateway = await spawnServe(config, { MCPOOL_TOKEN: TOKEN });
    const stderr = gateway.stderr;
    try {
      const url = gateway.url;
      expect(stderr()).toContain(`serving 3 servers at ${url}`);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const auth = ['--header', `Authorization: Bearer ${TOKEN}`];

      const refused = await inspector([url, '--transport', 'http', '--method', 'tools/list']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Failed to connect to MCP server');
      expect(refused.stderr).toContain('Unauthorized: give the bearer token');

      const list = answer<ToolList>(
        await inspector([url, '--transport', 'http', ...auth, '--method', 'tools/list']),
      );
      expect(list.tools.map((t) => t.name).sort()).toEqual(CATALOG);

      const before = addCalls();
      const sum = answer<ToolResult>(
        await inspector([
          url,
          '--transport',
          'http',
          ...auth,
          '--method',
          'tools/call',
          '--tool-name',
          'add',
          '--tool-arg',
          'a=20',
          'b=22',
        ]),
      );
      expect(sum.isError).toBeFalsy();
      expect(sum.content).toEqual([{ type: 'text', text: '42' }]);
      expect(sum.structuredContent).toEqual({ sum: 42 });
      expect(addCalls()).toBe(before + 1);
      expect(stderr()).not.toContain(TOKEN);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited();
    }
  }, 90_000);
});
