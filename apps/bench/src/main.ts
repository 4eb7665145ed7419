/**
 * mcpool benchmarks: what the pool costs and what it buys, each figure beside
 * its baseline from the same run.
 *
 *   node --expose-gc dist/main.js [part ...] [--quick] [--out file.json]
 *
 * Parts: overhead, scaleout, pick, slow, failover, memory, gateway, discovery, tracing
 * (all by default).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discovery } from './parts/discovery.js';
import { eras } from './parts/eras.js';
import { failover } from './parts/failover.js';
import { gateway } from './parts/gateway.js';
import { memory } from './parts/memory.js';
import { overhead } from './parts/overhead.js';
import { pick } from './parts/pick.js';
import { scaleout } from './parts/scaleout.js';
import { slow } from './parts/slow.js';
import { tracingPart } from './parts/tracing.js';
import { type Context, type Part, type PartResult, type Report, renderPart } from './report.js';
import { gcFunction } from './util/gc.js';
import { machineInfo } from './util/machine.js';
import { captureWarnings, takeWarnings } from './util/warnings.js';

const PARTS: readonly Part[] = [
  overhead,
  scaleout,
  pick,
  slow,
  failover,
  memory,
  gateway,
  discovery,
  tracingPart,
  eras,
];
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = resolve(HERE, '../results');

function usage(): string {
  return [
    'usage: node --expose-gc dist/main.js [part ...] [--quick] [--out file.json]',
    `parts: ${PARTS.map((p) => p.id).join(', ')} (default: all)`,
    '--quick  small counts, whole run well under a minute: proves the benchmarks work, figures are rough',
    '--out    where to write the JSON report (default: results/latest.json, results/quick.json in quick mode)',
  ].join('\n');
}

interface Args {
  parts: Part[];
  quick: boolean;
  out: string;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let out: string | undefined;
  const wanted: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--out') {
      out = argv[++i];
      if (!out) throw new Error('--out needs a file name');
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}\n${usage()}`);
    else wanted.push(...arg.split(','));
  }
  const parts =
    wanted.length === 0
      ? [...PARTS]
      : wanted.map((id) => {
          const part = PARTS.find((p) => p.id === id);
          if (!part) throw new Error(`unknown part "${id}"\n${usage()}`);
          return part;
        });
  const name =
    wanted.length === 0
      ? quick
        ? 'quick'
        : 'latest'
      : `${quick ? 'quick' : 'partial'}-${wanted.join('-')}`;
  return { parts, quick, out: resolve(out ?? resolve(RESULTS, `${name}.json`)) };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  gcFunction(); // fail early if GC cannot be exposed
  captureWarnings();
  const started = performance.now();
  const context: Context = {
    quick: args.quick,
    log: (message) => process.stderr.write(`  … ${message}\n`),
  };
  const machine = machineInfo();
  const command = `node --expose-gc apps/bench/dist/main.js${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(
    `# mcpool benchmarks${args.quick ? ' (quick mode: small counts, figures are rough)' : ''}`,
  );
  console.log('');
  console.log(
    `${machine.cpuModel}, nproc ${machine.nproc}, Node ${machine.node}, ${machine.platform}, load ${machine.loadAverage1m}`,
  );
  console.log('');
  const results: PartResult[] = [];
  const failed: Report['failed'] = [];
  for (const part of args.parts) {
    process.stderr.write(`[${part.id}] ${part.title}\n`);
    const t0 = performance.now();
    try {
      takeWarnings();
      const result = await part.run(context);
      const warnings = Object.entries(takeWarnings());
      const full: PartResult = {
        id: part.id,
        title: part.title,
        ...result,
        notes:
          warnings.length === 0
            ? result.notes
            : [
                ...result.notes,
                `Process warnings during this part: ${warnings.map(([k, v]) => `${k} ×${v}`).join(', ')}.`,
              ],
        durationMs: performance.now() - t0,
      };
      results.push(full);
      console.log(renderPart(full));
      console.log('');
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failed.push({ id: part.id, error: message });
      console.log(`## ${part.title}\n\nFAILED: ${message}\n`);
    }
  }
  const report: Report = {
    tool: '@mcpool/bench',
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    mode: args.quick ? 'quick' : 'full',
    command,
    machine,
    durationMs: performance.now() - started,
    parts: results,
    failed,
  };
  const goals = results.flatMap((r) => r.goals.map((g) => ({ part: r.id, ...g })));
  console.log('## Goals');
  console.log('');
  if (goals.length === 0) console.log('(none for the parts that ran)');
  for (const g of goals) {
    console.log(
      `- [${g.met === null ? 'not judged' : g.met ? 'met' : 'NOT MET'}] ${g.part}: ${g.text}`,
    );
  }
  console.log('');
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `Total ${(report.durationMs / 1000).toFixed(1)} s. JSON report: ${relative(process.cwd(), args.out) || args.out}`,
  );
  if (failed.length > 0) {
    console.log(`${failed.length} part(s) failed: ${failed.map((f) => f.id).join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything was closed: the process should now exit by itself. If a handle
    // was left open, say which instead of hanging CI.
    setTimeout(() => {
      console.error(
        `bench: still running 15 s after the report; open resources: ${process.getActiveResourcesInfo().join(', ')}`,
      );
      process.exit(2);
    }, 15_000).unref();
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
