/**
 * Process warnings (MaxListenersExceededWarning and friends) are counted
 * instead of printed one by one: the first of each kind goes to stderr, and
 * each part reports how many it caused.
 */
const counts = new Map<string, number>();
let installed = false;

export function captureWarnings(): void {
  if (installed) return;
  installed = true;
  // Node's default printer is a 'warning' listener: replace it with a counter.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const key = warning.name;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n === 1)
      process.stderr.write(`  ! ${warning.name}: ${warning.message} (further ones counted)\n`);
  });
}

/** Warnings by name since the last call. */
export function takeWarnings(): Record<string, number> {
  const out = Object.fromEntries(counts);
  counts.clear();
  return out;
}
