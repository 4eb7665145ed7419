import { describe, expect, it } from 'vitest';
import type { Balancer } from '../spec/balancer.js';
import { NoServerAvailableError } from '../spec/errors.js';
import type { RequestInfo, ServerView } from '../spec/server.js';

/** A server view for balancer tests: healthy, idle, weight 1, unless told otherwise. */
export function viewOf(id: string, extra: Partial<ServerView> = {}): ServerView {
  return {
    id,
    name: id,
    weight: 1,
    priority: 0,
    tags: [],
    state: 'connected',
    healthy: true,
    inFlight: 0,
    latencyEwmaMs: undefined,
    ...extra,
  };
}

const REQUEST: RequestInfo = { method: 'tools/call', params: { name: 'echo' }, safe: true };

/**
 * The contract every `Balancer` keeps, as a suite of tests:
 * `testBalancer('roundRobin', () => roundRobin())`.
 */
export function testBalancer(name: string, create: () => Balancer): void {
  describe(`${name}: the Balancer contract`, () => {
    it('has a name', () => {
      expect(typeof create().name).toBe('string');
      expect(create().name.length).toBeGreaterThan(0);
    });

    it('picks one of the candidates it is given, and leaves the list as it was', () => {
      const balancer = create();
      const candidates = [viewOf('a'), viewOf('b'), viewOf('c')];
      const copy = [...candidates];
      for (let i = 0; i < 50; i++) {
        const picked = balancer.pick(candidates, { ...REQUEST, key: `k${i}` });
        expect(candidates).toContain(picked);
      }
      expect(candidates).toEqual(copy);
    });

    it('picks the only candidate when there is one', () => {
      const only = viewOf('only');
      expect(create().pick([only], REQUEST)).toBe(only);
    });

    it('throws NoServerAvailableError on an empty list', () => {
      expect(() => create().pick([], REQUEST)).toThrow(NoServerAvailableError);
    });

    it('takes start, result and removal notices for any server without throwing', () => {
      const balancer = create();
      const a = viewOf('a');
      balancer.onStart?.(a);
      balancer.onResult?.({
        server: a,
        method: REQUEST.method,
        request: REQUEST,
        background: false,
        outcome: 'success',
        latencyMs: 3,
      });
      balancer.onResult?.({
        server: viewOf('gone'),
        method: REQUEST.method,
        request: REQUEST,
        background: false,
        outcome: 'server-error',
        latencyMs: 1,
        error: new Error('boom'),
      });
      balancer.onRemove?.('a');
      balancer.onRemove?.('never-seen');
      expect(balancer.pick([viewOf('b')], REQUEST).id).toBe('b');
    });
  });
}
