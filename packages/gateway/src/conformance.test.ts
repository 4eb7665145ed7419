// The MCP conformance suite through scripts/conformance.mjs (which fetches a Node 22 binary
// and the suite from the npm registry): its server scenarios against the built
// `mcpool serve --http`, in front of real servers, and its client scenarios against the
// pool's client (scripts/conformance-client.mjs over the built core and connector-modern).
// Each scenario is one test: it passes when the scenario passes, or when it fails and the
// version's expected-failures file (packages/gateway/conformance/<version>.yml for the
// server, packages/core/conformance/client-<version>.yml for the client) expects it to.
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface ScenarioResult {
  passed: number;
  failed: number;
  message?: string;
}

interface SuiteResult {
  version: string;
  mode: 'server' | 'client';
  expectedFile: string;
  exitCode: number;
  scenarios: Record<string, ScenarioResult>;
  expected: Record<string, string>;
  problems: string[];
  notRun: string[];
}

interface ConformanceResult {
  unavailable?: string;
  /** Optional (pre-release) suite versions the registry no longer has. */
  notPublished: string[];
  suites: SuiteResult[];
  clientSuites: SuiteResult[];
}

const root = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(root, 'scripts', 'conformance.mjs');
const output = join(tmpdir(), `mcpool-conformance-${process.pid}.json`);

const ran = await new Promise<{ code: number; stderr: string }>((resolve) => {
  execFile(
    process.execPath,
    [script, '--json', output],
    { cwd: root, timeout: 480_000, maxBuffer: 16 * 1024 * 1024 },
    (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stderr });
    },
  );
});
if (ran.code === 2) throw new Error(`scripts/conformance.mjs could not run:\n${ran.stderr}`);
const result = JSON.parse(await readFile(output, 'utf8')) as ConformanceResult;
await rm(output, { force: true });

// CI installs what the suite needs (.ci/run): there an unavailable Node 22 is a failure.
if (result.unavailable && process.env.CI) {
  throw new Error(
    `CI=${process.env.CI} but the conformance suite could not be installed:\n${result.unavailable}`,
  );
}
if (result.unavailable) {
  console.warn(
    `[@mcpool/gateway] Skipping the conformance suite: ${result.unavailable.split('\n')[0]}`,
  );
}

describe.skipIf(Boolean(result.unavailable))('MCP conformance suite', () => {
  it('ran every suite version (a withdrawn pre-release aside)', () => {
    expect(result.suites.map((suite) => suite.version)).toContain('0.1.16');
    const accounted = [...result.suites.map((suite) => suite.version), ...result.notPublished];
    expect(accounted.sort()).toEqual(['0.1.16', '0.2.0-alpha.12']);
  });

  it('ran the client scenarios of every suite version it ran', () => {
    expect(result.clientSuites.map((suite) => suite.version)).toEqual(
      result.suites.map((suite) => suite.version),
    );
  });

  for (const suite of [...result.suites, ...result.clientSuites]) {
    const against =
      suite.mode === 'client' ? "the pool's client (client scenarios)" : 'mcpool serve --http';
    // The client suites hold fewer scenarios: 0.1.16 all of its own, 2026-07-28 what it requires.
    const least = suite.mode === 'client' ? 20 : 25;
    describe(`@modelcontextprotocol/conformance ${suite.version} against ${against}`, () => {
      it('has an expected-failures file in which every entry says why', () => {
        expect(suite.problems).toEqual([]);
      });

      it("ran every scenario of the file, and the suite's own baseline check agrees", () => {
        expect(suite.notRun).toEqual([]);
        expect(Object.keys(suite.scenarios).length).toBeGreaterThanOrEqual(least);
        expect(suite.exitCode).toBe(0);
      });

      for (const [name, scenario] of Object.entries(suite.scenarios)) {
        const reason = suite.expected[name];
        if (reason === undefined) {
          it(`${name} passes`, () => {
            expect(scenario.message ?? '', `${scenario.failed} check(s) failed`).toBe('');
            expect(scenario.failed).toBe(0);
          });
        } else {
          it(`${name} fails as expected: ${reason}`, () => {
            expect(
              scenario.failed,
              `passes now: remove it from ${suite.expectedFile}`,
            ).toBeGreaterThan(0);
          });
        }
      }
    });
  }
});
