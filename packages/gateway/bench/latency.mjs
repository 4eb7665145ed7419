// Added latency per call through the gateway, against a direct client in the
// same run, on loopback Streamable HTTP.
//
//   direct:  SDK Client --HTTP--> testkit server
//   gateway: SDK Client --HTTP--> Gateway (as `mcpool serve --http` sets it up) --HTTP--> the same server
//
// Each run makes N sequential `add` calls on each path (in alternating order)
// and takes p50/p99 per path; "added" is gateway minus direct within the run.
// The table reports the median over the runs. The goal is under 0.3 ms added
// p50. A second pair, over in-memory transports (client -> gateway -> an
// in-process testkit server, against client -> that server), isolates the
// gateway's own work from the HTTP hop it adds.
//
// Everything runs in this one process (one event loop), like the tests do; a
// sequential call has nothing to overlap with, so the added time is the work
// on the extra hop. Build the gateway and @mcpool/testkit first (both dist/).
//
//   node bench/latency.mjs            3000 calls per path, 5 runs
//   node bench/latency.mjs --quick    300 calls per path, 3 runs (< 20 s)
//   node bench/latency.mjs --calls N --runs N --json
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { startHttpServer, startInProcessServer } from '../../testkit/dist/index.js';
import {
  Gateway,
  gatewayOptionsFromConfig,
  parseGatewayConfig,
  startHttpGateway,
} from '../dist/index.js';

const GOAL_MS = 0.3;

// The SDK's StreamableHTTPClientTransport hands one AbortSignal to every
// fetch; undici adds an abort listener to it per request and removes it only
// when that request is garbage-collected. A long run of cheap calls outpaces
// the collector and Node warns once per listener past 1500. Counted, not printed.
let abortListenerWarnings = 0;
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (
    warning.name === 'MaxListenersExceededWarning' &&
    warning.message.includes('abort listeners')
  ) {
    abortListenerWarnings++;
    return;
  }
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    calls: { type: 'string' },
    runs: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: node bench/latency.mjs [--quick] [--calls N] [--runs N] [--json]\n' +
      '  --quick    300 calls per path, 3 runs (default 3000 calls, 5 runs)\n',
  );
  process.exit(0);
}

function positive(text, name, fallback) {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`latency: --${name} must be a positive integer\n`);
    process.exit(2);
  }
  return n;
}
const calls = positive(values.calls, 'calls', values.quick ? 300 : 3000);
const runs = positive(values.runs, 'runs', values.quick ? 3 : 5);
const warmup = Math.min(500, Math.max(100, Math.round(calls / 5)));

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

let checked = 0;
/** N sequential `add` calls; p50/p99/mean in milliseconds. */
async function measure(client, n) {
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const result = await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    times[i] = performance.now() - start;
    if (result.structuredContent?.sum !== i + 1) {
      throw new Error(`add(${i}, 1) answered ${JSON.stringify(result)}`);
    }
    checked++;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mean = sorted.reduce((s, t) => s + t, 0) / n;
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean };
}

async function connect(transport) {
  const client = new Client({ name: 'latency-bench', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

/** Options exactly as `mcpool serve` builds them from `{ mcpServers: { up: { url } } }`. */
async function gatewayFor(server) {
  const config = parseGatewayConfig({ mcpServers: { up: server } });
  return new Gateway(await gatewayOptionsFromConfig(config));
}

const cleanups = [];
async function cleanup() {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      // best effort
    }
  }
}

async function main() {
  // Loopback Streamable HTTP: the pair the goal is about.
  const up = await startHttpServer({ id: 'up', toolNames: ['add'] });
  cleanups.push(() => up.close());
  const httpGateway = await gatewayFor({ url: up.url });
  cleanups.push(() => httpGateway.close());
  const served = await startHttpGateway(httpGateway, { port: 0 });
  cleanups.push(() => served.close());
  const direct = await connect(new StreamableHTTPClientTransport(new URL(up.url)));
  cleanups.push(() => direct.close());
  const through = await connect(new StreamableHTTPClientTransport(new URL(served.url)));
  cleanups.push(() => through.close());

  // In-memory: the gateway's own work, without any HTTP.
  const mem = startInProcessServer({ id: 'mem', toolNames: ['add'] });
  cleanups.push(() => mem.close());
  const memDirect = await connect(await mem.transport.create());
  cleanups.push(() => memDirect.close());
  const memGateway = new Gateway({ servers: [{ id: 'mem', transport: mem.transport }] });
  cleanups.push(() => memGateway.close());
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await memGateway.connect(serverSide);
  const memThrough = await connect(clientSide);
  cleanups.push(() => memThrough.close());

  const pairs = [
    { name: 'Streamable HTTP (loopback)', direct, through, results: [] },
    { name: 'in-memory (gateway work only)', direct: memDirect, through: memThrough, results: [] },
  ];
  for (const pair of pairs) {
    await measure(pair.direct, warmup);
    await measure(pair.through, warmup);
  }

  const started = performance.now();
  for (let run = 0; run < runs; run++) {
    for (const pair of pairs) {
      // Alternate the order so that drift (other load, GC, JIT) does not favour one path.
      let d;
      let g;
      if (run % 2 === 0) {
        d = await measure(pair.direct, calls);
        g = await measure(pair.through, calls);
      } else {
        g = await measure(pair.through, calls);
        d = await measure(pair.direct, calls);
      }
      pair.results.push({ direct: d, gateway: g });
    }
  }
  const seconds = (performance.now() - started) / 1000;

  const rows = pairs.map((pair) => {
    const m = (f) => median(pair.results.map(f));
    return {
      transport: pair.name,
      directP50: m((r) => r.direct.p50),
      gatewayP50: m((r) => r.gateway.p50),
      addedP50: m((r) => r.gateway.p50 - r.direct.p50),
      directP99: m((r) => r.direct.p99),
      gatewayP99: m((r) => r.gateway.p99),
      addedP99: m((r) => r.gateway.p99 - r.direct.p99),
      addedP50Runs: pair.results.map((r) => r.gateway.p50 - r.direct.p50),
    };
  });
  const machine = {
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
  };
  const http = rows[0];
  const goalMet = http.addedP50 < GOAL_MS;

  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ calls, runs, warmup, machine, rows, goalMs: GOAL_MS, goalMet }, null, 2)}\n`,
    );
    return;
  }
  const ms = (x) => `${x.toFixed(3)} ms`;
  const header = [
    'transport',
    'direct p50',
    'gateway p50',
    'added p50',
    'direct p99',
    'gateway p99',
    'added p99',
  ];
  const table = [
    header,
    ...rows.map((r) => [
      r.transport,
      ms(r.directP50),
      ms(r.gatewayP50),
      ms(r.addedP50),
      ms(r.directP99),
      ms(r.gatewayP99),
      ms(r.addedP99),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [
    `latency: ${calls} sequential add calls per path, ${runs} runs (median shown), ` +
      `${warmup} warm-up; ${checked} calls checked in ${seconds.toFixed(1)} s`,
    `machine: ${machine.cores} cores, ${machine.cpu}, node ${machine.node}`,
    '',
    line(table[0]),
    ...table.slice(1).map(line),
    '',
    `added = gateway - direct within a run; added p50 per run (HTTP): ${http.addedP50Runs.map((x) => x.toFixed(3)).join(', ')} ms`,
    `goal: under ${GOAL_MS} ms added p50 on loopback HTTP: ${goalMet ? 'met' : 'NOT met'} ` +
      `(${ms(http.addedP50)})`,
  ];
  if (abortListenerWarnings > 0) {
    out.push(
      `note: ${abortListenerWarnings} MaxListenersExceededWarning (abort listeners on the SDK ` +
        "HTTP client transport's AbortSignal, released only by GC) were not printed",
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`latency: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
