export { type ConsistentHashOptions, consistentHash } from './consistent-hash.js';
export {
  BALANCER_ENV_VAR,
  type BalancerName,
  balancerFromEnv,
  balancerNames,
  type FromNameOptions,
  fromName,
} from './from-name.js';
export { leastConnections } from './least-connections.js';
export { type P2cOptions, p2c } from './p2c.js';
export { type P2cEwmaOptions, p2cEwma } from './p2c-ewma.js';
export { priority } from './priority.js';
export { type RandomOptions, random } from './random.js';
export { roundRobin } from './round-robin.js';
export type { Clock, RandomSource } from './shared.js';
export { weighted } from './weighted.js';
