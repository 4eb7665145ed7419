import { startInProcessServer } from '@mcpool/testkit';
import { testAggregator } from '../testing/index.js';
import { first } from './call.js';

testAggregator('first', first, {
  servers: (cleanup) =>
    ['s1', 's2'].map((id) => {
      const server = startInProcessServer({ id });
      cleanup(() => server.close());
      return server;
    }),
  tool: { name: 'echo', arguments: { message: 'hi' } },
});
