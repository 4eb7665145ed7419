import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiServerClient, ServerPool } from '@mcpool/core';
import { startInProcessServer } from '@mcpool/testkit';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Dashboard } from './dashboard.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
if (!haveChromium && process.env.CI) {
  throw new Error(
    `CI=${process.env.CI} but there is no Chromium at ${CHROMIUM}: run .ci/run, or set CHROMIUM_PATH.`,
  );
}
if (!haveChromium) {
  process.stdout.write(
    `page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`,
  );
}

describe.skipIf(!haveChromium)('the live page in headless Chromium', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('shows each server’s health, in-flight and request figures, and who left selection and why', async () => {
    const a = startInProcessServer({ id: 'alpha' });
    const b = startInProcessServer({ id: 'beta' });
    const pool = new ServerPool();
    pool.addServer({ id: 'alpha', transport: a.transport });
    pool.addServer({ id: 'beta', transport: b.transport });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    const dashboard = new Dashboard({ pool, client, port: 0, sampleMs: 100 });
    cleanups.push(async () => {
      await dashboard.close();
      await pool.close();
      await a.close();
      await b.close();
    });
    const url = await dashboard.listen();
    for (let i = 0; i < 10; i++) await client.callTool({ name: 'whoami', arguments: {} });
    pool.exclude('beta', 'health', '3 failed checks');
    dashboard.state.step = 'page test';

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/`);
    await page.waitForSelector('.card[data-server="beta"].down');
    const alpha = await page.textContent('.card[data-server="alpha"]');
    const beta = await page.textContent('.card[data-server="beta"]');
    expect(alpha).toContain('healthy');
    expect(alpha).toMatch(/requests: 5/);
    expect(beta).toContain('unhealthy');
    expect(beta).toContain('health: 3 failed checks');
    expect(await page.locator('#rate polyline').count()).toBe(2);
    expect(await page.textContent('#step')).toContain('page test');
    const shot = join(mkdtempSync(join(tmpdir(), 'mcpool-page-')), 'page.png');
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    process.stdout.write(`page screenshot: ${shot}\n`);
  });
});
