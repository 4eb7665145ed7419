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
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      failed: unknown[];
      parts: { id: string; text: string; data: Record<string, unknown> }[];
    };
    expect(report.failed).toEqual([]);
    expect(report.parts.map((p) => p.id)).toEqual([
      'overhead',
      'scaleout',
      'pick',
      'slow',
      'failover',
      'memory',
      'gateway',
      'discovery',
      'tracing',
      'eras',
    ]);
    for (const part of report.parts) expect(part.text, part.id).not.toBe('');
    // The tracing part measured the package's own work with no provider registered.
    const tracing = report.parts.find((p) => p.id === 'tracing')?.data as {
      middlewareNs: { added: { runs: number } };
    };
    expect(tracing.middlewareNs.added.runs).toBeGreaterThan(0);
    // The overhead part measured every setup over both transports at both concurrencies.
    const overhead = report.parts[0]?.data as {
      cells: {
        transport: string;
        concurrency: number;
        goalRatio: Record<'pool' | 'stack', { median: number }>;
        addedUs: Record<'pool' | 'stack', { median: number }>;
        cpuUs: Record<'sdk' | 'pool' | 'stack', { median: number }>;
      }[];
      references: { name: string; ratio: { median: number }; addedUs: { median: number } }[];
    };
    expect(overhead.cells.map((c) => `${c.transport} c=${c.concurrency}`)).toEqual([
      'memory c=1',
      'memory c=32',
      'http c=1',
      'http c=32',
    ]);
    for (const cell of overhead.cells) {
      for (const v of ['pool', 'stack'] as const) {
        expect(cell.goalRatio[v].median).toBeGreaterThan(0);
        expect(Number.isFinite(cell.goalRatio[v].median)).toBe(true);
        // The in-memory goal is judged in µs added per call: a finite difference, 0 for nothing added.
        expect(Number.isFinite(cell.addedUs[v].median)).toBe(true);
      }
      for (const v of ['sdk', 'pool', 'stack'] as const) {
        expect(cell.cpuUs[v].median).toBeGreaterThan(0);
      }
    }
    // The hand-written references were measured beside the bare client in memory.
    expect(overhead.references.map((r) => r.name)).toHaveLength(3);
    expect(overhead.references[0]?.ratio.median).toBe(1);
    expect(overhead.references[0]?.addedUs.median).toBe(0);
    for (const r of overhead.references) expect(Number.isFinite(r.ratio.median)).toBe(true);
  });
});
