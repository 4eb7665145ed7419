import type { RequestInfo, ServerView } from '@mcpool/core';
import { viewOf } from '@mcpool/core/testing';

/** A ServerView whose figures a test can change. */
export type FakeServer = { -readonly [K in keyof ServerView]: ServerView[K] };

export function server(id: string, fields: Partial<FakeServer> = {}): FakeServer {
  return { ...viewOf(id), ...fields };
}

export function servers(count: number, fields: Partial<FakeServer> = {}): FakeServer[] {
  return Array.from({ length: count }, (_, i) => server(`s${i}`, fields));
}

export function request(key?: string): RequestInfo {
  return { method: 'tools/call', params: {}, safe: true, key };
}

export const plain: RequestInfo = request();

/** Mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many times each id was picked. */
export function tally(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
