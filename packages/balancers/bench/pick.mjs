// `pnpm bench`: the cost of one pick for every strategy at 3, 100, 10,000 and
// 100,000 servers, beside a bare `candidates[i++ % n]` baseline, as a table;
// then at 10,000 with a new array per pick, and the first pick of each (which
// builds a strategy's structure for the set). Runs on the built package:
// `pnpm build` first. `--quick` runs a few iterations only, to prove the
// benchmark works (CI).
import { FRESH_SIZE, measurePickCost, SIZES } from './pick-cost.mjs';

const quick = process.argv.includes('--quick');
const { strategies, nsPerPick, fresh, firstPickMs, checksum } = await measurePickCost({ quick });

const fmt = (ns) => (ns < 1000 ? `${ns.toFixed(1)} ns` : `${(ns / 1000).toFixed(2)} µs`);
const ms = (v) => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(1)} ms`);
const header = [
  'strategy',
  ...SIZES.map((n) => `${n.toLocaleString('en-US')} servers`),
  `new array @ ${FRESH_SIZE.toLocaleString('en-US')}`,
  `first pick @ ${SIZES.at(-1).toLocaleString('en-US')}`,
];
const rows = strategies.map((label) => [
  label,
  ...SIZES.map((n) => fmt(nsPerPick(label, n).median)),
  fmt(fresh(label).median),
  ms(firstPickMs(label, SIZES.at(-1))),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

console.log(
  `Median cost of one pick${quick ? ' (quick mode: few iterations, figures are rough)' : ''}, Node ${process.version}`,
);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
// Printed so the picks cannot be optimised away.
console.log(`(checksum ${checksum})`);
