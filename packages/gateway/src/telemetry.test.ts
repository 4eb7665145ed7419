import { writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { listenOnLoopback, readBody, startHttpServer } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config-file.js';
import { startTelemetry, telemetryWanted } from './telemetry.js';
import { connectOver, spawnServe, text } from './test-helpers.js';

const cleanup = useCleanup();
const tmp = useTempDir('mcpool-otel-');

interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** An OTLP/HTTP (JSON) receiver on 127.0.0.1 that keeps every span it is sent. */
async function startReceiver(): Promise<{ base: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const sockets = new Set<Socket>();
  const { server, port } = await listenOnLoopback(
    0,
    async (req, res) => {
      const text = await readBody(req);
      if (req.url === '/v1/traces') {
        const body = JSON.parse(text) as {
          resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[];
        };
        for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    },
    (res) => res.writeHead(500).end(),
    sockets,
  );
  cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${port}`, spans };
}

/** Hex trace id of an OTLP/JSON span (the exporter writes ids as hex). */
const traceOf = (s: ReceivedSpan) => s.traceId.toLowerCase();

describe('mcpool serve with tracing', () => {
  it('continues the caller’s trace through the gateway to the server, and exports with only OTEL_EXPORTER_OTLP_ENDPOINT set', async () => {
    const receiver = await startReceiver();
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const file = tmp.path('mcpool.json');
    await writeFile(file, JSON.stringify({ mcpServers: { up: { url: up.url } } }));
    // Only the endpoint variable: every other OTEL_ variable of this process is left out.
    const env: Record<string, string | undefined> = {};
    for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) env[key] = undefined;
    env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.base;
    const served = await spawnServe(file, env);
    cleanup(served.kill);
    const url = served.url;
    expect(served.stderr()).toContain(`serving 1 servers at ${url}`);
    expect(served.stderr()).toContain(`traces to ${receiver.base}/v1/traces`);

    const fromMeta = '4bf92f3577b34da6a3ce929d0e0e4736';
    const fromHeader = '0af7651916cd43dd8448eb211c80319c';
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { traceparent: `00-${fromHeader}-b7ad6b7169203331-01` } },
    });
    const host = await connectOver(transport, 'traced-host');
    // _meta wins over the header.
    const answer = await host.client.callTool({
      name: 'add',
      arguments: { a: 2, b: 2 },
      _meta: { traceparent: `00-${fromMeta}-00f067aa0ba902b7-01` },
    });
    expect(text(answer)).toBe('4');
    expect(String(up.state.metas.at(-1)?.traceparent).split('-')[1]).toBe(fromMeta);
    // Without _meta, the HTTP header's trace continues.
    await host.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(String(up.state.metas.at(-1)?.traceparent).split('-')[1]).toBe(fromHeader);

    await host.close();
    served.child.kill('SIGTERM');
    expect(await served.exited()).toBe(0);
    // Shutdown flushes the batch processor.
    const inTrace = receiver.spans.filter((s) => traceOf(s) === fromMeta).map((s) => s.name);
    expect(inTrace).toEqual(expect.arrayContaining(['tools/call add', 'tools/call add on up']));
    // The gateway's server span and the pool's client span.
    const kinds = receiver.spans
      .filter((s) => traceOf(s) === fromMeta && s.name === 'tools/call add')
      .map((s) => s.kind)
      .sort();
    expect(kinds).toEqual([2, 3]);
    expect(receiver.spans.some((s) => traceOf(s) === fromHeader)).toBe(true);
  });
});

describe('the telemetry block', () => {
  it('is checked with the rest of the file: a malformed sampling ratio names its path', async () => {
    const file = tmp.path('bad.json');
    await writeFile(
      file,
      JSON.stringify({
        mcpServers: { a: { url: 'http://127.0.0.1:1/mcp' } },
        telemetry: { samplingRatio: 'half', endpoint: 'not a url' },
      }),
    );
    const error = await loadGatewayConfig(file, {}).catch((e: unknown) => e);
    const issues = (error as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path).sort()).toEqual([
      'telemetry.endpoint',
      'telemetry.samplingRatio',
    ]);
    expect(issues.find((i) => i.path === 'telemetry.samplingRatio')?.message).toMatch(/0 to 1/);
  });

  it('is on with the block or the OTLP endpoint variable, off with OTEL_SDK_DISABLED', () => {
    expect(telemetryWanted(undefined, {})).toBe(false);
    expect(telemetryWanted({}, {})).toBe(true);
    expect(telemetryWanted({ enabled: false }, {})).toBe(false);
    expect(
      telemetryWanted(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
    ).toBe(true);
    expect(telemetryWanted({}, { OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('warns about a malformed OTEL_TRACES_SAMPLER_ARG and uses the file’s ratio', async () => {
    const warnings: string[] = [];
    const telemetry = await startTelemetry(
      { samplingRatio: 0.5, endpoint: 'http://127.0.0.1:4318', serviceName: 'gw' },
      { OTEL_TRACES_SAMPLER_ARG: 'lots' },
      (m) => warnings.push(m),
    );
    cleanup(async () => telemetry?.shutdown());
    expect(telemetry?.samplingRatio).toBe(0.5);
    expect(telemetry?.serviceName).toBe('gw');
    expect(telemetry?.endpoint).toBe('http://127.0.0.1:4318/v1/traces');
    expect(warnings.join('\n')).toMatch(
      /OTEL_TRACES_SAMPLER_ARG="lots" is not a number from 0 to 1/,
    );
  });
});
