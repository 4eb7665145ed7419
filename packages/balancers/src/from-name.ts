import { type Balancer, InvalidConfigError } from '@mcpool/core';
import { type ConsistentHashOptions, consistentHash } from './consistent-hash.js';
import { leastConnections } from './least-connections.js';
import { p2c } from './p2c.js';
import { type P2cEwmaOptions, p2cEwma } from './p2c-ewma.js';
import { priority } from './priority.js';
import { random } from './random.js';
import { roundRobin } from './round-robin.js';
import { weighted } from './weighted.js';

/** The canonical strategy names, as `Balancer.name` reports them. */
export const balancerNames = [
  'round_robin',
  'weighted',
  'least_connections',
  'priority',
  'random',
  'p2c',
  'p2c_ewma',
  'consistent_hash',
] as const;

export type BalancerName = (typeof balancerNames)[number];

/** Options for {@link fromName}; each strategy reads the ones it knows. */
export type FromNameOptions = P2cEwmaOptions & ConsistentHashOptions;

/** Environment variable read by {@link balancerFromEnv}. */
export const BALANCER_ENV_VAR = 'LOAD_BALANCING_STRATEGY';

// Keys are names with case and separators removed, so `Round-Robin`, `ROUND_ROBIN` and `roundrobin` all match.
const factories = new Map<string, (options: FromNameOptions) => Balancer>([
  ['roundrobin', () => roundRobin()],
  ['weighted', () => weighted()],
  ['weightedroundrobin', () => weighted()],
  ['leastconnections', () => leastConnections()],
  ['leastconn', () => leastConnections()],
  ['priority', () => priority()],
  ['random', (options) => random(options)],
  ['p2c', (options) => p2c(options)],
  ['p2cewma', (options) => p2cEwma(options)],
  ['consistenthash', (options) => consistentHash(options)],
]);

function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_\s]/g, '');
}

function create(name: string, options: FromNameOptions, path: string): Balancer {
  const factory = factories.get(normalize(name));
  if (factory === undefined) {
    throw new InvalidConfigError('load balancing strategy', [
      {
        path,
        message: `unknown strategy "${name}"; valid names are ${balancerNames.join(', ')} (case-insensitive, "-" or "_"; least_conn is accepted too)`,
      },
    ]);
  }
  return factory(options);
}

/**
 * Creates a balancer from its configured name, e.g. `fromName('least_conn')`.
 * Case-insensitive; `-`, `_` and spaces are interchangeable.
 * @throws InvalidConfigError for an unknown name, listing the valid ones.
 */
export function fromName(name: string, options: FromNameOptions = {}): Balancer {
  return create(name, options, 'strategy');
}

/**
 * Creates the balancer named by `LOAD_BALANCING_STRATEGY`, or `roundRobin()`
 * when it is unset or blank.
 * @throws InvalidConfigError for an unknown name, listing the valid ones.
 */
export function balancerFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: FromNameOptions = {},
): Balancer {
  const name = env[BALANCER_ENV_VAR];
  if (name === undefined || name.trim() === '') return roundRobin();
  return create(name, options, BALANCER_ENV_VAR);
}
