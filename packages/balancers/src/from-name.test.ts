import { InvalidConfigError } from '@mcpool/core';
import { describe, expect, it } from 'vitest';
import { BALANCER_ENV_VAR, balancerFromEnv, balancerNames, fromName } from './from-name.js';
import { plain, servers } from './test-servers.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('fromName', () => {
  it.each([
    ['round_robin', 'round_robin'],
    ['weighted', 'weighted'],
    ['least_connections', 'least_connections'],
    ['least_conn', 'least_connections'],
    ['priority', 'priority'],
    ['random', 'random'],
    ['p2c', 'p2c'],
    ['p2c_ewma', 'p2c_ewma'],
    ['consistent_hash', 'consistent_hash'],
    ['Round-Robin', 'round_robin'],
    ['LEAST-CONN', 'least_connections'],
    ['P2C-EWMA', 'p2c_ewma'],
    ['  consistent-hash ', 'consistent_hash'],
    ['weighted_round_robin', 'weighted'],
  ])('accepts %j', (name, canonical) => {
    expect(fromName(name).name).toBe(canonical);
  });

  it('rejects an unknown name with InvalidConfigError naming every valid one', () => {
    const error = thrown(() => fromName('fastest'));
    expect(error).toBeInstanceOf(InvalidConfigError);
    const invalid = error as InvalidConfigError;
    expect(invalid.code).toBe('INVALID_CONFIG');
    expect(invalid.issues[0]?.path).toBe('strategy');
    expect(invalid.message).toContain('"fastest"');
    for (const name of balancerNames) expect(invalid.message).toContain(name);
  });

  it('rejects an empty name', () => {
    expect(() => fromName('')).toThrow(InvalidConfigError);
  });

  it('passes options on to the strategy', () => {
    const list = servers(4);
    expect(fromName('random', { random: () => 0.99 }).pick(list, plain).id).toBe('s3');
  });

  it('creates a new, independent balancer each time', () => {
    const list = servers(3);
    const one = fromName('round_robin');
    one.pick(list, plain);
    expect(fromName('round_robin').pick(list, plain).id).toBe('s0');
  });
});

describe('balancerFromEnv', () => {
  it(`reads ${BALANCER_ENV_VAR}`, () => {
    expect(balancerFromEnv({ LOAD_BALANCING_STRATEGY: 'least_conn' }).name).toBe(
      'least_connections',
    );
    expect(balancerFromEnv({ LOAD_BALANCING_STRATEGY: 'P2C_EWMA' }).name).toBe('p2c_ewma');
  });

  it('defaults to round robin when unset or blank', () => {
    expect(balancerFromEnv({}).name).toBe('round_robin');
    expect(balancerFromEnv({ LOAD_BALANCING_STRATEGY: ' ' }).name).toBe('round_robin');
  });

  it('reads process.env by default', () => {
    const saved = process.env.LOAD_BALANCING_STRATEGY;
    process.env.LOAD_BALANCING_STRATEGY = 'priority';
    try {
      expect(balancerFromEnv().name).toBe('priority');
    } finally {
      if (saved === undefined) delete process.env.LOAD_BALANCING_STRATEGY;
      else process.env.LOAD_BALANCING_STRATEGY = saved;
    }
  });

  it('names the variable when its value is unknown', () => {
    const error = thrown(() => balancerFromEnv({ LOAD_BALANCING_STRATEGY: 'nope' }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues[0]?.path).toBe(BALANCER_ENV_VAR);
    expect((error as InvalidConfigError).message).toContain('round_robin, weighted');
  });
});
