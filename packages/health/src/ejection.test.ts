import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decayedMultiplier, ejectionDuration, maxEjected } from './ejection.js';
import { OutlierTracker } from './outlier-tracker.js';

describe('ejection arithmetic', () => {
  it('lasts base × times ejected, capped (Envoy: 30 s × n up to 300 s)', () => {
    expect([1, 2, 3, 9, 10, 11, 50].map((n) => ejectionDuration(n, 30_000, 300_000))).toEqual([
      30_000, 60_000, 90_000, 270_000, 300_000, 300_000, 300_000,
    ]);
    expect(ejectionDuration(0, 30_000, 300_000)).toBe(30_000);
  });

  it('forgets one ejection per base period spent back in selection', () => {
    expect(decayedMultiplier(3, 0, 30_000)).toBe(3);
    expect(decayedMultiplier(3, 29_999, 30_000)).toBe(3);
    expect(decayedMultiplier(3, 30_000, 30_000)).toBe(2);
    expect(decayedMultiplier(3, 95_000, 30_000)).toBe(0);
    expect(decayedMultiplier(0, 95_000, 30_000)).toBe(0);
  });

  it('lets at least one server out, never more than the share (rounded down)', () => {
    expect(maxEjected(3, 10)).toBe(1);
    expect(maxEjected(3, 50)).toBe(1);
    expect(maxEjected(4, 50)).toBe(2);
    expect(maxEjected(10, 10)).toBe(1);
    expect(maxEjected(20, 10)).toBe(2);
    expect(maxEjected(3, 100)).toBe(3);
    expect(maxEjected(3, 0)).toBe(0);
    expect(maxEjected(0, 50)).toBe(0);
  });
});

describe('OutlierTracker (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const settings = {
    consecutiveErrors: 5,
    consecutiveRefused: 1,
    baseEjectionTime: 30_000,
    maxEjectionTime: 300_000,
  };
  const fault = { kind: 'fault', detail: 'server-error: boom' } as const;
  const answer = { kind: 'answer' } as const;

  it('ejects after 5 consecutive faults, not when an answer breaks the run', () => {
    const t = new OutlierTracker(settings);
    for (let i = 0; i < 4; i++) expect(t.observe('a', fault)).toBeUndefined();
    expect(t.observe('a', answer)).toBeUndefined();
    for (let i = 0; i < 4; i++) expect(t.observe('a', fault)).toBeUndefined();
    expect(t.observe('a', fault)).toMatch(
      /^5 consecutive server faults \(last: server-error: boom\)/,
    );
  });

  it('ejects at once on a refused connection', () => {
    const t = new OutlierTracker(settings);
    expect(t.observe('a', { kind: 'refused', detail: 'ECONNREFUSED' })).toMatch(
      /connection refused/,
    );
  });

  it('ejects for longer each time and straight back on a fault during probation', () => {
    const t = new OutlierTracker(settings);
    const started = Date.now();
    expect(t.eject('a', 'x')).toBe(30_000);
    expect(t.get('a').ejectedUntil).toBe(started + 30_000);
    expect(t.isEjected('a')).toBe(true);
    expect(t.ejectedCount()).toBe(1);
    // Faults of attempts that end while ejected are ignored.
    expect(t.observe('a', fault)).toBeUndefined();
    vi.advanceTimersByTime(30_000);
    t.release('a');
    expect(t.get('a').probation).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(t.observe('a', fault)).toMatch(/failed again right after its last ejection/);
    expect(t.eject('a', 'again')).toBe(60_000);
    vi.advanceTimersByTime(60_000);
    t.release('a');
    expect(t.observe('a', fault)).toBeDefined();
    expect(t.eject('a', 'again')).toBe(90_000);
    expect(t.get('a').ejections).toBe(3);
  });

  it('caps the ejection time and decays the multiplier while the server behaves', () => {
    const t = new OutlierTracker(settings);
    for (let i = 0; i < 12; i++) {
      t.eject('a', 'x');
      t.release('a');
    }
    expect(t.get('a').multiplier).toBe(12);
    expect(t.eject('a', 'x')).toBe(300_000);
    t.release('a');
    expect(t.observe('a', answer)).toBeUndefined();
    expect(t.get('a').probation).toBe(false);
    // 13 ejections in a row; 12 base periods of good behaviour bring it back to the first step.
    vi.advanceTimersByTime(12 * 30_000);
    expect(t.eject('a', 'x')).toBe(60_000);
  });
});
