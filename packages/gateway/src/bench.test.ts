import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// CI does not judge the figures; it makes sure the benchmark still runs to the end.
describe('the benchmark in --quick mode', () => {
  it('runs and prints its table', () => {
    const script = fileURLToPath(new URL('../bench/latency.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--quick'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Streamable HTTP \(loopback\) .* ms/);
    // As long as the child may take: on a busy machine the quick run alone passes 20 s.
  }, 130_000);
});
