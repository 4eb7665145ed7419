#!/usr/bin/env node
// Runs the MCP conformance suite once per suite version: its server scenarios against
// `mcpool serve --http` (packages/gateway/dist) in front of real MCP servers, and its
// client scenarios against the pool's client (scripts/conformance-client.mjs: core's
// `ServerPool` and `MultiServerClient` with the modern connector, under this Node). The
// failing scenarios are compared with that version's expected-failures files:
// packages/gateway/conformance/<version>.yml (server) and
// packages/core/conformance/client-<version>.yml (client).
//
// The suite needs Node 22 or later (it imports `fs.globSync`) while mcpool runs on
// Node 20, so a Node 22 binary comes from the npm registry's `node` package into a
// cache directory; nothing else changes the Node the project runs on.
//
//   node scripts/conformance.mjs [--json FILE] [--cache DIR] [--install-only]
//
// The cache directory (Node 22 and each suite version, installed once) is
// $MCPOOL_CONFORMANCE_CACHE, else ~/.cache/mcpool-conformance (outside the checkout, so
// that `pnpm install` never meets it and checkouts share one download).
//
// Exit codes: 0 every suite failed exactly where expected; 1 it did not (or a
// suite could not run); 2 bad usage or setup (gateway not built, bad
// expected-failures file); 3 Node 22 or the suite could not be installed.
// With --json the result is also written as JSON (`suites` for the server scenarios,
// `clientSuites` for the client ones), which is what
// packages/gateway/src/conformance.test.ts reads. It runs under plain Node 20 with
// nothing installed; only the client it hands the suite needs the built packages.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_PACKAGE = 'node@22';
const SUITE_PACKAGE = '@modelcontextprotocol/conformance';

/**
 * The suite versions run. The 0.1 line checks the legacy (2025) revisions with its
 * default active scenarios; the 0.2 pre-release checks what revision 2026-07-28
 * requires. Versions are pinned: the expected failures are only true of one version.
 */
const SUITES = [
  { version: '0.1.16', args: [], clientArgs: [] },
  {
    version: '0.2.0-alpha.12',
    args: ['--requirements', '2026-07-28'],
    clientArgs: ['--requirements', '2026-07-28'],
    optional: true,
  },
];

/** How many client scenarios run at once. */
const CLIENT_CONCURRENCY = 3;

const USAGE = 'usage: node scripts/conformance.mjs [--json FILE] [--cache DIR] [--install-only]';

function parseArgs(argv) {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by a plain script, not a turbo task
  const cache = process.env.MCPOOL_CONFORMANCE_CACHE;
  const options = {
    json: undefined,
    cache: cache ? resolve(cache) : join(homedir(), '.cache', 'mcpool-conformance'),
    installOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json' && argv[i + 1]) options.json = resolve(argv[++i]);
    else if (arg === '--cache' && argv[i + 1]) options.cache = resolve(argv[++i]);
    else if (arg === '--install-only') options.installOnly = true;
    else {
      process.stderr.write(`conformance: unknown argument '${arg}'\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return options;
}

function log(line) {
  process.stderr.write(`conformance: ${line}\n`);
}

/** Runs a command to its end; never rejects. `timeoutMs` kills it. */
function run(command, args, { cwd = ROOT, timeoutMs = 300_000, env = process.env } = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      done({ code: -1, stdout, stderr: `${stderr}${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm i --prefix dir spec` unless `marker` already exists; returns an error text or undefined. */
async function install(dir, spec, marker) {
  if (existsSync(marker)) return undefined;
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    return `cannot create ${dir}: ${error.message}`;
  }
  const ran = await run(
    npm,
    [
      'install',
      '--prefix',
      dir,
      '--no-audit',
      '--no-fund',
      '--no-save',
      '--loglevel=error',
      '--fetch-retries=1',
      spec,
    ],
    { timeoutMs: 180_000 },
  );
  if (ran.code !== 0 || !existsSync(marker)) {
    return `npm install ${spec} failed (exit ${ran.code}): ${ran.stderr.trim().slice(-400)}`;
  }
  return undefined;
}

/** Whether the registry has `version` of the suite (a pre-release may be withdrawn). */
async function published(version) {
  const ran = await run(npm, ['view', SUITE_PACKAGE, 'versions', '--json'], { timeoutMs: 60_000 });
  if (ran.code !== 0) return false;
  try {
    return JSON.parse(ran.stdout).includes(version);
  } catch {
    return false;
  }
}

/**
 * Reads an expected-failures file: the suite's own baseline format (YAML, a `server:`
 * or `client:` list, as `section` says), in which every entry must carry a `# reason`
 * comment.
 */
async function readExpected(path, section = 'server') {
  const text = await readFile(path, 'utf8');
  const expected = new Map();
  const problems = [];
  let inSection = false;
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^\w+:\s*(\[\s*\])?\s*(#.*)?$/.test(trimmed)) {
      inSection = trimmed.startsWith(`${section}:`);
      continue;
    }
    const entry = /^-\s*([\w./-]+)\s*(?:#\s*(.*))?$/.exec(trimmed);
    if (!inSection || !entry) {
      problems.push(`${path}:${index + 1}: not a '- scenario # reason' line under '${section}:'`);
      continue;
    }
    const [, scenario, reason] = entry;
    if (!reason?.trim()) problems.push(`${path}:${index + 1}: '${scenario}' does not say why`);
    expected.set(scenario, reason?.trim() ?? '');
  }
  return { expected, problems };
}

/**
 * Scenario directories are `server-<scenario>-<ISO time with dashes>` for the server
 * scenarios and `<scenario>-<time>` for the client ones, where a scenario named
 * `auth/x` makes a subdirectory.
 */
const RESULT_DIR = {
  server: /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/,
  client: /^(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/,
};

/** Per scenario: its check counts and, when it failed, the first failing (or warning) check's message. */
async function readResults(outDir, mode = 'server') {
  const scenarios = {};
  const names = (await readdir(outDir, { recursive: true })).filter((name) =>
    name.endsWith('checks.json'),
  );
  for (const file of names) {
    const name = dirname(file).split('\\').join('/');
    const match = RESULT_DIR[mode].exec(name);
    if (!match) continue;
    const checksPath = join(outDir, file);
    let checks = [];
    try {
      checks = JSON.parse(await readFile(checksPath, 'utf8'));
    } catch {
      scenarios[match[1]] = { passed: 0, failed: 1, message: `no readable ${checksPath}` };
      continue;
    }
    // A warning (a SHOULD not met) fails a scenario for the suite's own baseline check too.
    const failures = checks.filter(
      (check) => check.status === 'FAILURE' || check.status === 'WARNING',
    );
    scenarios[match[1]] = {
      passed: checks.filter((check) => check.status === 'SUCCESS').length,
      failed: failures.length,
      ...(failures.length > 0
        ? { message: String(failures[0].errorMessage ?? failures[0].description ?? '') }
        : {}),
    };
  }
  return scenarios;
}

/**
 * The `mode` scenarios `--requirements REV` scores (it runs extension and pending ones
 * too); without a revision, all the suite's `mode` scenarios.
 */
async function requiredScenarios(node, cli, revision, mode = 'server') {
  const ran = await run(node, [
    cli,
    'list',
    `--${mode}`,
    ...(revision ? ['--requirements', revision] : []),
  ]);
  if (ran.code !== 0) return undefined;
  const names = [];
  const heading = mode === 'server' ? /^Server scenarios/ : /^Client scenarios/;
  let inSection = false;
  for (const line of ran.stdout.split('\n')) {
    if (heading.test(line)) inSection = true;
    else if (/^\S/.test(line)) inSection = false;
    else if (inSection) {
      const match = /^\s+-\s+(\S+)/.exec(line);
      if (match) names.push(match[1]);
    }
  }
  return names;
}

/** Starts `mcpool serve --http 127.0.0.1:0 --config FILE`; resolves once it prints its URL. */
async function startGateway(config) {
  const cli = join(ROOT, 'packages', 'gateway', 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`);
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--config', config, '--http', '127.0.0.1:0'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`mcpool serve printed no URL:\n${stderr}`)),
      30_000,
    );
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      const match = /serving \d+ servers? at (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        done(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`mcpool serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * The servers behind the gateway, both started by it over stdio: the testkit's
 * conformance fixtures (the tools, resources and prompts the scenarios call by
 * name) and the reference server-everything (legacy), whose catalog is merged in.
 */
function upstreams() {
  const fixtures = join(ROOT, 'packages', 'testkit', 'dist', 'conformance-fixtures-main.js');
  if (!existsSync(fixtures)) throw new Error(`${fixtures} is missing: run \`pnpm build\` first`);
  const testkit = createRequire(join(ROOT, 'packages', 'testkit', 'package.json'));
  const everything = testkit.resolve('@modelcontextprotocol/server-everything/dist/index.js');
  return {
    mcpServers: {
      fixtures: { command: process.execPath, args: [fixtures] },
      everything: { command: process.execPath, args: [everything, 'stdio'] },
    },
  };
}

/** A path as one shell word (the client harness runs its command through a shell). */
function quoted(path) {
  if (/^[\w./:-]+$/.test(path)) return path;
  throw new Error(`the client harness splits its command at spaces: cannot pass '${path}'`);
}

/** Where a suite version's expected failures are, for the server or the client scenarios. */
function expectedFileOf(mode, version) {
  return mode === 'server'
    ? join(ROOT, 'packages', 'gateway', 'conformance', `${version}.yml`)
    : join(ROOT, 'packages', 'core', 'conformance', `client-${version}.yml`);
}

/**
 * Runs one suite version's `mode` scenarios (`target` says against what) and scores them
 * against the expected-failures file.
 */
async function runSuite({ mode, suite, node, cli, work, started }, target) {
  const expectedFile = expectedFileOf(mode, suite.version);
  if (!existsSync(expectedFile)) throw new Error(`${expectedFile} is missing`);
  const { expected, problems } = await readExpected(expectedFile, mode);
  const outDir = join(work, `${mode}-${suite.version}`);
  const args = mode === 'server' ? suite.args : suite.clientArgs;
  const revision = args.includes('--requirements')
    ? args[args.indexOf('--requirements') + 1]
    : undefined;
  let ran;
  let scored;
  if (mode === 'server') {
    ran = await run(
      node,
      [cli, mode, ...target, '-o', outDir, '--expected-failures', expectedFile, ...args],
      { timeoutMs: 180_000 },
    );
    scored = revision ? await requiredScenarios(node, cli, revision, mode) : undefined;
  } else {
    // The harness would start every client scenario at once (`--suite`, `--requirements`);
    // on a busy CI machine dozens of clients starting together miss the scenarios' timing,
    // so they run a few at a time, each with `--scenario` at the suite's wire revision.
    scored = (await requiredScenarios(node, cli, revision, mode)) ?? [];
    ran = { code: 0, stderr: '' };
    const queue = [...scored];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const one = await run(
          node,
          [
            cli,
            mode,
            ...target,
            '--scenario',
            name,
            ...(revision ? ['--spec-version', revision] : []),
            '-o',
            outDir,
            '--expected-failures',
            expectedFile,
          ],
          { timeoutMs: 90_000 },
        );
        if (one.code !== 0) ran = { code: one.code, stderr: `${name}: ${one.stderr}` };
      }
    };
    await Promise.all(Array.from({ length: CLIENT_CONCURRENCY }, worker));
  }
  const all = existsSync(outDir) ? await readResults(outDir, mode) : {};
  const scenarios = Object.fromEntries(
    (scored ?? Object.keys(all)).map((name) => [
      name,
      all[name] ?? { passed: 0, failed: 1, message: 'the suite did not run it' },
    ]),
  );
  const failed = Object.keys(scenarios).filter((name) => scenarios[name].failed > 0);
  const passed = Object.keys(scenarios).filter((name) => scenarios[name].failed === 0);
  const entry = {
    version: suite.version,
    mode,
    expectedFile,
    exitCode: ran.code,
    scenarios,
    passed,
    failed,
    expected: Object.fromEntries(expected),
    problems,
    unexpectedFailures: failed.filter((name) => !expected.has(name)),
    unexpectedPasses: passed.filter((name) => expected.has(name)),
    notRun: [...expected.keys()].filter((name) => !(name in scenarios)),
  };
  if (Object.keys(all).length === 0) {
    entry.problems.push(
      `the suite produced no results (exit ${ran.code}): ${ran.stderr.slice(-400)}`,
    );
  }
  log(
    `${SUITE_PACKAGE}@${suite.version} ${mode}: ${passed.length} passed, ${failed.length} failed ` +
      `(${expected.size} expected to fail) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const name of entry.unexpectedFailures) {
    log(`  unexpected failure: ${name}: ${scenarios[name].message ?? ''}`);
  }
  for (const name of entry.unexpectedPasses) log(`  passes but is expected to fail: ${name}`);
  for (const name of entry.notRun) log(`  expected to fail but not run: ${name}`);
  for (const problem of entry.problems) log(`  ${problem}`);
  return entry;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const nodeDir = join(options.cache, 'node22');
  const node = join(
    nodeDir,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'node.cmd' : 'node',
  );
  const suiteDir = (version) => join(options.cache, `conformance-${version}`);
  const suiteCli = (version) =>
    join(
      suiteDir(version),
      'node_modules',
      '@modelcontextprotocol',
      'conformance',
      'dist',
      'index.js',
    );

  const wanted = [];
  const notPublished = [];
  for (const suite of SUITES) {
    if (
      suite.optional &&
      !existsSync(suiteCli(suite.version)) &&
      !(await published(suite.version))
    ) {
      log(`${SUITE_PACKAGE}@${suite.version} is not on the registry; that suite is not run`);
      notPublished.push(suite.version);
      continue;
    }
    wanted.push(suite);
  }
  const installErrors = (
    await Promise.all([
      install(nodeDir, NODE_PACKAGE, node),
      ...wanted.map((suite) =>
        install(
          suiteDir(suite.version),
          `${SUITE_PACKAGE}@${suite.version}`,
          suiteCli(suite.version),
        ),
      ),
    ])
  ).filter(Boolean);
  if (installErrors.length === 0) {
    const version = await run(node, ['--version']);
    if (!/^v2[2-9]\./.test(version.stdout.trim())) {
      installErrors.push(`${node} is not Node 22 or later: ${version.stdout}${version.stderr}`);
    }
  }
  const result = {
    unavailable: installErrors.length > 0 ? installErrors.join('\n') : undefined,
    notPublished,
    suites: [],
    clientSuites: [],
  };
  if (result.unavailable) {
    log(result.unavailable);
    await finish(options, result);
    return 3;
  }
  if (options.installOnly) {
    log(`Node 22 and ${wanted.map((suite) => suite.version).join(', ')} are in ${options.cache}`);
    return 0;
  }

  const work = await mkdtemp(join(tmpdir(), 'mcpool-conformance-'));
  let gateway;
  try {
    const config = join(work, 'mcpool.json');
    await writeFile(config, JSON.stringify(upstreams(), null, 2));
    gateway = await startGateway(config);
    log(`mcpool serve at ${gateway.url}`);
    for (const suite of wanted) {
      result.suites.push(
        await runSuite(
          { mode: 'server', suite, node, cli: suiteCli(suite.version), work, started },
          ['--url', gateway.url],
        ),
      );
    }
    await gateway.stop();
    gateway = undefined;
    const client = join(ROOT, 'scripts', 'conformance-client.mjs');
    // The harness splits the command at spaces (and runs it through a shell).
    const command = [process.execPath, client].map(quoted).join(' ');
    for (const suite of wanted) {
      result.clientSuites.push(
        await runSuite(
          { mode: 'client', suite, node, cli: suiteCli(suite.version), work, started },
          ['--command', command, '--timeout', '30000'],
        ),
      );
    }
  } finally {
    await gateway?.stop();
    await rm(work, { recursive: true, force: true });
  }
  await finish(options, result);
  const clean = [...result.suites, ...result.clientSuites].every(
    (suite) =>
      suite.unexpectedFailures.length === 0 &&
      suite.unexpectedPasses.length === 0 &&
      suite.notRun.length === 0 &&
      suite.problems.length === 0,
  );
  return clean ? 0 : 1;
}

async function finish(options, result) {
  if (options.json) await writeFile(options.json, `${JSON.stringify(result, null, 2)}\n`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    log(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
