import { testPoolPlugin } from '@mcpool/core/testing';
import { startInProcessServer } from '@mcpool/testkit';
import { HealthChecker } from './health-checker.js';

testPoolPlugin('HealthChecker', () => new HealthChecker({ interval: 1_000 }), {
  servers: (cleanup) =>
    ['s1', 's2'].map((id) => {
      const server = startInProcessServer({ id });
      cleanup(() => server.close());
      return server;
    }),
  tool: { name: 'add', arguments: { a: 1, b: 2 } },
});
