import { describe, expect, it } from 'vitest';
import type { EntryMeta } from './entry.js';
import { InvalidationLog, ruleMatches } from './invalidation.js';

const meta = (over: Partial<EntryMeta>): EntryMeta => ({
  method: 'tools/call',
  kind: 'tool',
  scope: null,
  servers: ['s1'],
  ...over,
});

describe('ruleMatches', () => {
  it('matches a server’s pinned entries and the unpinned ones it answered, not the others', () => {
    const rule = { server: 's1' };
    expect(ruleMatches(rule, meta({ scope: 's1', servers: ['s1'] }))).toBe(true);
    expect(ruleMatches(rule, meta({ scope: 's2', servers: ['s2'] }))).toBe(false);
    expect(ruleMatches(rule, meta({ servers: ['s1', 's2'] }))).toBe(true);
    expect(ruleMatches(rule, meta({ servers: ['s2'] }))).toBe(false);
    // Unknown origin (or the merged catalog) may have come from anyone.
    expect(ruleMatches(rule, meta({ servers: null }))).toBe(true);
  });

  it('narrows by method, URI and pinning', () => {
    const lists = new Set(['tools/list']);
    expect(ruleMatches({ methods: lists }, meta({}))).toBe(false);
    expect(ruleMatches({ methods: lists }, meta({ method: 'tools/list', kind: 'catalog' }))).toBe(
      true,
    );
    const read = meta({ method: 'resources/read', kind: 'resource', uri: 'a://1' });
    expect(ruleMatches({ uri: 'a://1' }, read)).toBe(true);
    expect(ruleMatches({ uri: 'a://2' }, read)).toBe(false);
    expect(ruleMatches({ unpinnedOnly: true }, meta({ scope: 's1' }))).toBe(false);
    expect(ruleMatches({}, meta({ scope: 's1' }))).toBe(true);
  });
});

describe('InvalidationLog', () => {
  it('covers entries fetched before a matching invalidation only', () => {
    const log = new InvalidationLog(10_000);
    log.add({ server: 's1' }, 1_000);
    expect(log.covers(meta({}), 999)).toBe(true);
    expect(log.covers(meta({}), 1_000)).toBe(true);
    expect(log.covers(meta({}), 1_001)).toBe(false);
    expect(log.covers(meta({ servers: ['s2'] }), 999)).toBe(false);
  });

  it('forgets rules older than its horizon', () => {
    const log = new InvalidationLog(100);
    log.add({ server: 's1' }, 1_000);
    log.add({ server: 's2' }, 1_200);
    expect(log.size).toBe(1);
    expect(log.covers(meta({}), 900)).toBe(false);
  });

  it('collapses the oldest rules into one that matches everything when full', () => {
    const log = new InvalidationLog(1_000_000, 10);
    for (let i = 0; i < 11; i++) log.add({ uri: `u${i}` }, 1_000 + i);
    expect(log.size).toBeLessThanOrEqual(10);
    // Everything fetched before the collapsed rules is stale, whatever it is.
    expect(log.covers(meta({ servers: ['s9'] }), 1_000)).toBe(true);
    expect(log.covers(meta({ servers: ['s9'] }), 1_011)).toBe(false);
  });
});
