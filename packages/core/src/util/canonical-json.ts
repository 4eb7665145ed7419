/**
 * Canonical JSON in the spirit of RFC 8785: object keys sorted, no whitespace,
 * `undefined` members dropped. Two values that mean the same serialize to the
 * same string, so it serves as a key for caches and a ballot for majority votes.
 */
export function canonicalJson(
  value: unknown,
  options: { ignoreKeys?: ReadonlySet<string> } = {},
): string {
  return write(value, options.ignoreKeys);
}

function write(value: unknown, ignore: ReadonlySet<string> | undefined): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
      return 'null';
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], ignore);
    }
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || ignore?.has(key)) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${write(member, ignore)}`;
  }
  return `${out}}`;
}
