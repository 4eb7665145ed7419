import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// CI does not judge the figures; it makes sure every benchmark still runs to the end.
describe('the benchmarks in --quick mode', () => {
  it('runs every part of the report and writes it as JSON', () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const out = join(mkdtempSync(join(tmpdir(), 'mcpool-bench-')), 'quick.json');
    const run = spawnSync(process.execPath, ['--expose-gc', main, '--quick', '--out', out], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const text = JSON.stringify(report);
    for (const part of ['overhead', 'scaleout', 'pick', 'slow', 'failover', 'memory']) {
      expect(text, `report has ${part}`).toContain(part);
    }
  });
});
