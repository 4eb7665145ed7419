import { testPoolPlugin } from '@mcpool/core/testing';
import { startInProcessServer } from '@mcpool/testkit';
import { CircuitBreakers } from './circuit-breakers.js';

testPoolPlugin('CircuitBreakers', () => new CircuitBreakers(), {
  servers: (cleanup) =>
    ['s1', 's2'].map((id) => {
      const server = startInProcessServer({ id });
      cleanup(() => server.close());
      return server;
    }),
  tool: { name: 'add', arguments: { a: 1, b: 2 } },
});
