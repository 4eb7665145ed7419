import { testBalancer } from '../testing/index.js';
import { defaultRoundRobin } from './round-robin.js';

testBalancer('the pool default (round robin)', defaultRoundRobin);
