#!/usr/bin/env node
/**
 * A demo MCP server: a calculator and a few other tools, over Streamable
 * HTTP on 127.0.0.1. Knobs (environment at start, `POST /control` at run
 * time): latency, a wrong-answer offset for the calculator, and a failure
 * rate that answers tools/call with a JSON-RPC internal error.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface DemoKnobs {
  latencyMs: number;
  wrongOffset: number;
  failRate: number;
}

const id = process.env.DEMO_SERVER_ID ?? 'demo';
const port = Number(process.env.PORT ?? 0);
const knobs: DemoKnobs = {
  latencyMs: Number(process.env.DEMO_LATENCY_MS ?? 0),
  wrongOffset: Number(process.env.DEMO_WRONG_OFFSET ?? 0),
  failRate: Number(process.env.DEMO_FAIL_RATE ?? 0),
};
let calls = 0;
let tickets = 0;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

function build(): McpServer {
  const server = new McpServer({ name: `mcpool-demo-${id}`, version: '1.0.0' });
  const binary = { a: z.number(), b: z.number() };
  const pure = { readOnlyHint: true, idempotentHint: true };
  const ops: Record<string, (a: number, b: number) => number> = {
    add: (a, b) => a + b,
    subtract: (a, b) => a - b,
    multiply: (a, b) => a * b,
    divide: (a, b) => a / b,
  };
  for (const [name, op] of Object.entries(ops)) {
    server.registerTool(
      name,
      {
        description: `Calculator: ${name} a and b.`,
        inputSchema: binary,
        outputSchema: { result: z.number() },
        annotations: pure,
      },
      async ({ a, b }) => {
        await wait(knobs.latencyMs);
        if (name === 'divide' && b === 0)
          return { ...text('cannot divide by zero'), isError: true };
        const result = op(a, b) + knobs.wrongOffset;
        return { ...text(String(result)), structuredContent: { result } };
      },
    );
  }
  server.registerTool(
    'server_info',
    { description: 'Which demo server answered.', annotations: pure },
    async () => {
      await wait(knobs.latencyMs);
      return text(id);
    },
  );
  server.registerTool(
    'create_ticket',
    {
      description: 'Opens a ticket. Not idempotent: calling twice opens two tickets.',
      inputSchema: { title: z.string() },
      annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
    },
    async ({ title }) => {
      await wait(knobs.latencyMs);
      tickets++;
      return text(`ticket ${id}-${tickets}: ${title}`);
    },
  );
  server.registerResource(
    'status',
    `demo://${id}/status`,
    { description: 'Live status of this demo server.', mimeType: 'application/json' },
    async (uri) => ({
      contents: [{ uri: uri.href, text: JSON.stringify({ id, calls, tickets, knobs }) }],
    }),
  );
  return server;
}

const sessions = new Map<string, StreamableHTTPServerTransport>();

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? JSON.parse(raw) : undefined;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/control') {
    if (req.method === 'POST') Object.assign(knobs, (await readBody(req)) as Partial<DemoKnobs>);
    json(res, 200, { id, calls, tickets, knobs });
    return;
  }
  if (url.pathname !== '/mcp') {
    json(res, 404, { error: 'not found' });
    return;
  }
  const sessionId = req.headers['mcp-session-id'];
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  const message = body as { method?: string; id?: unknown } | undefined;
  if (message?.method === 'tools/call') {
    calls++;
    if (Math.random() < knobs.failRate) {
      json(res, 500, {
        jsonrpc: '2.0',
        id: message.id ?? null,
        error: { code: -32603, message: `demo server ${id} failed on purpose` },
      });
      return;
    }
  }
  let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (!transport) {
    if (typeof sessionId === 'string') {
      json(res, 404, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32001, message: 'Session not found' },
      });
      return;
    }
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        sessions.set(sid, created);
      },
    });
    created.onclose = () => {
      if (created.sessionId) sessions.delete(created.sessionId);
    };
    await build().connect(created);
    transport = created;
  }
  await transport.handleRequest(req, res, body);
}

const http = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    if (!res.headersSent) json(res, 500, { error: String(error) });
  });
});
http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ listening: actual, id })}\n`);
});
const shutdown = () => {
  for (const t of sessions.values()) t.close().catch(() => {});
  http.closeAllConnections();
  http.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
