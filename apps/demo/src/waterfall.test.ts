import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultiServerClient, ServerPool } from '@mcpool/core';
import { startInProcessServer } from '@mcpool/testkit';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Dashboard } from './dashboard.js';
import { demoTraces } from './traces.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function failoverRig() {
  const a = startInProcessServer({ id: 'alpha' });
  const b = startInProcessServer({ id: 'beta' });
  a.state.mode = 'error';
  const pool = new ServerPool({
    servers: [
      { id: 'alpha', transport: a.transport, priority: 10 },
      { id: 'beta', transport: b.transport },
    ],
  });
  let step = 'A server dies under load: failover';
  const traces = demoTraces({ step: () => step, env: {} });
  pool.use(traces.tracing);
  await pool.start({ strict: true });
  const client = new MultiServerClient(pool, {
    maxRetries: 0,
    fallback: { enabled: true, order: ['alpha', 'beta'] },
  });
  traces.tracing.traceClient(client);
  cleanups.push(async () => {
    await pool.close();
    await traces.close();
    await a.close();
    await b.close();
  });
  return {
    pool,
    client,
    traces,
    setStep: (s: string) => {
      step = s;
    },
  };
}

describe('the waterfall of traced calls', () => {
  it('keeps the last calls of each step, with the failed attempt and the one that answered', async () => {
    const { client, traces, setStep } = await failoverRig();
    // Round robin asks alpha first every other call; it fails and beta answers.
    for (let i = 0; i < 4; i++) await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    setStep('next step');
    await client.callTool({ name: 'whoami', arguments: {} });
    const kept = traces.waterfalls();
    const failover = kept['A server dies under load: failover'] ?? [];
    const moved = failover.find((c) => c.attempts.length === 2);
    expect(moved?.attempts.map((x) => [x.server, x.kind, x.outcome])).toEqual([
      ['alpha', 'first', 'server-error'],
      ['beta', 'fallback', 'success'],
    ]);
    expect(moved?.attempts[1]?.offsetMs).toBeGreaterThanOrEqual(moved?.attempts[0]?.offsetMs ?? 0);
    expect(kept['next step']?.map((c) => c.name)).toEqual(['tools/call whoami']);
  });

  it.skipIf(!haveChromium)('draws it on the live page', async () => {
    const { pool, client, traces } = await failoverRig();
    for (let i = 0; i < 2; i++) await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    const dashboard = new Dashboard({
      pool,
      client,
      port: 0,
      sampleMs: 100,
      traces: () => traces.waterfalls(),
    });
    cleanups.push(() => dashboard.close());
    const url = await dashboard.listen();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${url}/`);
    await page.waitForSelector('#traces .call .attempt[data-outcome="server-error"]');
    const failed = page.locator('.call:has(.attempt[data-outcome="server-error"])').first();
    expect(await failed.locator('.attempt').count()).toBe(2);
    expect(await failed.textContent()).toMatch(/alpha · first[\s\S]*beta · fallback/);
    expect(await failed.locator('.attempt[data-server="beta"] .bar.success').count()).toBe(1);
  });

  it('exports over OTLP/HTTP too when only OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const names: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
          };
          for (const r of body.resourceSpans)
            for (const s of r.scopeSpans) for (const span of s.spans) names.push(span.name);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(() => resolve())));
    const port = (receiver.address() as AddressInfo).port;
    const a = startInProcessServer({ id: 'alpha' });
    const pool = new ServerPool({ servers: [{ id: 'alpha', transport: a.transport }] });
    const traces = demoTraces({
      step: () => 'export',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    pool.use(traces.tracing);
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    traces.tracing.traceClient(client);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    await pool.close();
    await a.close();
    // Closing flushes the batch processor.
    await traces.close();
    expect(names).toEqual(expect.arrayContaining(['tools/call add', 'tools/call add on alpha']));
  });
});
