import { type Aggregator, InvalidConfigError } from '@mcpool/core';
import { all } from './all.js';
import { fastest } from './fastest.js';
import { first } from './first.js';
import { majority } from './majority.js';

/** The strategy names, as `Aggregator.name` reports them. */
export const aggregationNames = ['first', 'all', 'fastest', 'majority'] as const;

export type AggregationName = (typeof aggregationNames)[number];

// Keys are names lower-cased with `-`, `_` and spaces removed. The seed's long
// names ("first successful", "aggregate all", ...) are accepted too.
const factories = new Map<string, () => Aggregator>([
  ['first', first],
  ['firstsuccessful', first],
  ['all', () => all()],
  ['aggregateall', () => all()],
  ['fastest', () => fastest()],
  ['fastestresponse', () => fastest()],
  ['majority', () => majority()],
  ['majorityconsensus', () => majority()],
]);

function normalize(name: string): string {
  const flat = name
    .trim()
    .toLowerCase()
    .replace(/[-_\s]/g, '');
  // The seed's Go constants: AggregationFirst, AggregationAll, ...
  return flat.startsWith('aggregation') && flat.length > 'aggregation'.length
    ? flat.slice('aggregation'.length)
    : flat;
}

/**
 * Creates an aggregation strategy, with default options, from its configured
 * name: `first`, `all`, `fastest` or `majority` (case-insensitive; the seed's
 * `AggregationFirst`-style and long names are accepted). For options, call the
 * factory itself.
 * @throws InvalidConfigError for an unknown name, listing the valid ones.
 */
export function aggregationFromName(name: string): Aggregator {
  const factory = typeof name === 'string' ? factories.get(normalize(name)) : undefined;
  if (factory === undefined) {
    throw new InvalidConfigError('aggregation strategy', [
      {
        path: 'aggregation',
        message: `unknown strategy ${JSON.stringify(name)}; valid names are ${aggregationNames.join(', ')} (case-insensitive)`,
      },
    ]);
  }
  return factory();
}
