import type { ConfigIssue } from '../spec/errors.js';

/*
 * Keys a server entry does not know are ignored, but not silently: a
 * misspelled `"protocl"` or `"wieght"` would otherwise leave the server on
 * its defaults with nothing said. They are warnings, not errors, because
 * entries of the `mcpServers` format are shared with other hosts, which put
 * their own keys there.
 */

/** The edit distance (insert, delete, replace, swap two neighbours) between two short words. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The known key nearest to `key`, when it is near enough to be a misspelling of it. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Two edits for words of five letters or more, one for shorter ones.
  const allowed = Math.max(1, Math.min(2, Math.floor(key.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * One warning per key of `value` (an object) that is not in `known`, naming
 * the key, where it is and the known key it may be a misspelling of.
 */
export function unknownKeys(value: unknown, known: readonly string[], path: string): ConfigIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = nearestKey(key, known);
    issues.push({
      path: path === '' ? key : `${path}.${key}`,
      message: near
        ? `unknown key "${key}" is ignored; did you mean "${near}"?`
        : `unknown key "${key}" is ignored (known: ${known.join(', ')})`,
    });
  }
  return issues;
}

/**
 * Where a configuration warning goes when nobody listens for it: Node's own
 * warning channel (printed on stderr, or to a `process.on('warning')` listener).
 */
export function emitConfigWarning(warning: ConfigIssue): void {
  process.emitWarning(`${warning.path}: ${warning.message}`, {
    type: 'McpoolConfigWarning',
    code: 'MCPOOL_UNKNOWN_KEY',
  });
}
