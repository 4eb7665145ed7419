import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from './main.js';

describe('the demo scenario', () => {
  it('runs once on real server processes and every step does what it claims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpool-demo-'));
    const logFile = join(dir, 'app.log');
    const report = await runDemo({ once: true, port: 0, quiet: true, logFile, env: {} });
    const failed = report.steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(report.steps.length).toBeGreaterThanOrEqual(10);
    expect(report.steps.every((s) => !s.skipped)).toBe(true);
    const log = readFileSync(logFile, 'utf8');
    for (const needle of ['Load balancing', 'Health check', 'Failover', 'Fallback']) {
      expect(log, `app.log mentions "${needle}"`).toContain(needle);
    }
    // Every line is one JSON object (pino).
    for (const line of log.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
