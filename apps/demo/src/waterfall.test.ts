import { existsSync } from 'node:fs';
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
});
