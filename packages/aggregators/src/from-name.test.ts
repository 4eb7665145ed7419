import { InvalidConfigError } from '@mcpool/core';
import { describe, expect, it } from 'vitest';
import { aggregationFromName, aggregationNames } from './from-name.js';

describe('aggregationFromName', () => {
  it('creates each strategy from its name, whatever the case', () => {
    for (const name of aggregationNames) {
      expect(aggregationFromName(name).name).toBe(name);
      expect(aggregationFromName(name.toUpperCase()).name).toBe(name);
      expect(aggregationFromName(` ${name[0]?.toUpperCase()}${name.slice(1)} `).name).toBe(name);
    }
  });

  it('accepts the seed’s names', () => {
    expect(aggregationFromName('AggregationFirst').name).toBe('first');
    expect(aggregationFromName('AggregationAll').name).toBe('all');
    expect(aggregationFromName('AGGREGATION_FASTEST').name).toBe('fastest');
    expect(aggregationFromName('majority-consensus').name).toBe('majority');
    expect(aggregationFromName('first successful').name).toBe('first');
  });

  it('says which strategies fan out', () => {
    const fanOut = Object.fromEntries(
      aggregationNames.map((n) => [n, aggregationFromName(n).fanOut]),
    );
    expect(fanOut).toEqual({ first: false, all: true, fastest: true, majority: true });
  });

  it('rejects an unknown name, listing the valid ones', () => {
    for (const name of ['', 'quorum', 'aggregation', 'firstt']) {
      try {
        aggregationFromName(name);
        expect.unreachable(name);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidConfigError);
        const issue = (error as InvalidConfigError).issues[0];
        expect(issue?.path).toBe('aggregation');
        expect(issue?.message).toContain('valid names are first, all, fastest, majority');
      }
    }
  });
});
