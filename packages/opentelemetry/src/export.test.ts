import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultiServerClient, ServerPool } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { freePort, startInProcessServer } from '@mcpool/testkit';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { tracing } from './tracing.js';

const cleanup = useCleanup();

/** An OTLP/HTTP receiver on 127.0.0.1 that keeps the span names it is sent. */
async function startReceiver(): Promise<{ url: string; names: string[]; server: Server }> {
  const names: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
        };
        for (const r of body.resourceSpans)
          for (const s of r.scopeSpans) for (const span of s.spans) names.push(span.name);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, names, server };
}

async function tracedPool(provider: BasicTracerProvider) {
  const a = startInProcessServer({ id: 'a' });
  const pool = new ServerPool({ servers: [{ id: 'a', transport: a.transport }] });
  const telemetry = tracing({ tracerProvider: provider });
  pool.use(telemetry);
  await pool.start();
  const client = new MultiServerClient(pool);
  telemetry.traceClient(client);
  cleanup(async () => {
    await pool.close();
    await a.close();
  });
  return client;
}

describe('export over OTLP/HTTP', () => {
  it('delivers the spans of a call to a receiver', async () => {
    const receiver = await startReceiver();
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: receiver.url }))],
    });
    cleanup(() => provider.shutdown());
    const client = await tracedPool(provider);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await provider.forceFlush();
    expect(receiver.names).toEqual(
      expect.arrayContaining(['tools/call add', 'tools/call add on a', 'mcpool server connected']),
    );
  });

  it('an endpoint that refuses is reported by the SDK, and calls still answer', async () => {
    const port = await freePort();
    const reported: unknown[] = [];
    setGlobalErrorHandler((error) => reported.push(error));
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: `http://127.0.0.1:${port}/v1/traces`,
            timeoutMillis: 2_000,
          }),
        ),
      ],
    });
    cleanup(() => provider.shutdown().catch(() => {}));
    const client = await tracedPool(provider);
    const result = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(result.structuredContent).toEqual({ sum: 3 });
    await provider.forceFlush().catch((error: unknown) => reported.push(error));
    expect(reported.map(String).join('\n')).toMatch(/ECONNREFUSED|refused|export/i);
  });
});
