// `pnpm bench`: the cost of one pick for every strategy at 3, 100 and 10,000
// servers, beside a bare `candidates[i++ % n]` baseline, as a table. Runs on the
// built package: `pnpm build` first. `--quick` runs a few iterations only, to
// prove the benchmark works (CI).
import { measurePickCost, SIZES } from './pick-cost.mjs';

const quick = process.argv.includes('--quick');
const { strategies, nsPerPick, checksum } = await measurePickCost({ quick });

const fmt = (ns) => (ns < 1000 ? `${ns.toFixed(1)} ns` : `${(ns / 1000).toFixed(2)} µs`);
const header = ['strategy', ...SIZES.map((n) => `${n.toLocaleString('en-US')} servers`)];
const rows = strategies.map((label) => [
  label,
  ...SIZES.map((n) => fmt(nsPerPick(label, n).median)),
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
