/**
 * `@mcpool/core/testing`: one test rig for every mcpool package and for
 * authors of balancers, aggregators, plugins and cache stores. It runs under
 * vitest (an optional peer dependency) and takes servers as `{ id, transport }`,
 * so it needs no particular test server.
 */
export { type Cleanup, type Closable, useCleanup } from './cleanup.js';
export { ManualClock } from './manual-clock.js';
export { type StartPoolOptions, startPool, type TestServerRef } from './start-pool.js';
export { type TempDir, useTempDir } from './temp-dir.js';
export { type AggregatorSuiteOptions, testAggregator } from './test-aggregator.js';
export { testBalancer, viewOf } from './test-balancer.js';
export { type CacheStoreUnderTest, testCacheStore } from './test-cache-store.js';
export { type PoolPluginSuiteOptions, testPoolPlugin } from './test-pool-plugin.js';
