import { InvalidConfigError } from '@mcpool/core';
import { describe, expect, it } from 'vitest';
import { createSessionSealer, principalOf, secretsFromEnv } from './session-token.js';

const OLD = 'old-secret-0123456789abcdefghijklmnop';
const NEW = 'new-secret-0123456789abcdefghijklmnop';
const ALICE = principalOf('Bearer alice-token');
const claims = {
  sid: 'f3b0c1d2',
  protocolVersion: '2025-06-18',
  clientInfo: { name: 'host', version: '1.0.0' },
  capabilities: { sampling: {} },
  principal: ALICE,
};

describe('sealed session ids', () => {
  it('open to the claims they were sealed with, for the same principal', () => {
    const sealer = createSessionSealer({ secrets: [NEW] });
    const id = sealer.seal(claims, 1_000);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).not.toContain('host');
    const opened = sealer.open(id, ALICE, 2_000);
    expect(opened).toMatchObject({ ...claims, iat: 1_000, exp: 1_000 + 86_400_000 });
  });

  it('refuse a tampered id', () => {
    const sealer = createSessionSealer({ secrets: [NEW] });
    const raw = Buffer.from(sealer.seal(claims), 'base64url');
    for (const at of [0, 3, 20, raw.length - 20, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[at] = (bad[at] as number) ^ 0x01;
      expect(sealer.open(bad.toString('base64url'), ALICE)).toBeUndefined();
    }
  });

  it('refuse a truncated id', () => {
    const sealer = createSessionSealer({ secrets: [NEW] });
    const id = sealer.seal(claims);
    for (const length of [0, 4, 30, id.length - 1]) {
      expect(sealer.open(id.slice(0, length), ALICE)).toBeUndefined();
    }
    expect(sealer.open(`${id}!`, ALICE)).toBeUndefined();
  });

  it('refuse an expired id', () => {
    const sealer = createSessionSealer({ secrets: [NEW], maxAgeMs: 60_000 });
    const id = sealer.seal(claims, 1_000_000);
    expect(sealer.open(id, ALICE, 1_059_999)).toBeDefined();
    expect(sealer.open(id, ALICE, 1_060_000)).toBeUndefined();
  });

  it('refuse an id presented with another bearer token, or with none', () => {
    const sealer = createSessionSealer({ secrets: [NEW] });
    const id = sealer.seal(claims);
    expect(sealer.open(id, principalOf('Bearer bob-token'))).toBeUndefined();
    expect(sealer.open(id, principalOf(undefined))).toBeUndefined();
  });

  it('rotate: the first secret seals, every secret opens until the id expires', () => {
    const before = createSessionSealer({ secrets: [OLD] });
    const during = createSessionSealer({ secrets: [NEW, OLD] });
    const after = createSessionSealer({ secrets: [NEW] });
    const old = before.seal(claims);
    expect(during.open(old, ALICE)?.sid).toBe(claims.sid);
    const fresh = during.seal(claims);
    expect(after.open(fresh, ALICE)?.sid).toBe(claims.sid);
    expect(before.open(fresh, ALICE)).toBeUndefined();
    expect(after.open(old, ALICE)).toBeUndefined();
  });

  it('names a short or missing secret', () => {
    expect(() => createSessionSealer({ secrets: ['short'] })).toThrow(InvalidConfigError);
    expect(() => createSessionSealer({ secrets: [] })).toThrow(/at least one secret/);
    expect(secretsFromEnv(` ${NEW}, ${OLD} ,`)).toEqual([NEW, OLD]);
  });
});
