import { createHash } from 'node:crypto';
import type { RequestInfo } from '@mcpool/core';
import { canonicalJson } from '@mcpool/core/internal';

/**
 * The cache key of a request: method, params in canonical JSON (so argument
 * order does not matter), the name as the caller spelled it (`s1__add` and
 * `s2__add` both send `add` upstream but are different tools), the pinned
 * server and, for a fan-out aggregation (answers of several servers
 * combined), its name; hashed so keys stay short in any store. Calls that take
 * one server's answer keep the key they always had.
 */
export function cacheKey(
  request: RequestInfo,
  scope: string | null,
  fanOut: string | null = null,
): string {
  const material = canonicalJson({
    m: request.method,
    p: request.params ?? null,
    t: request.target ?? null,
    s: scope,
    ...(fanOut === null ? {} : { a: fanOut }),
  });
  const digest = createHash('sha256').update(material).digest('base64url');
  return `v1:${request.method}:${digest}`;
}
