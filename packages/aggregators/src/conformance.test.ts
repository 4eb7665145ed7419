import { testAggregator } from '@mcpool/core/testing';
import { startInProcessServer } from '@mcpool/testkit';
import { all } from './all.js';
import { fastest } from './fastest.js';
import { first } from './first.js';
import { majority } from './majority.js';

const options = {
  servers: (cleanup: (close: () => Promise<void>) => unknown) =>
    ['s1', 's2', 's3'].map((id) => {
      const server = startInProcessServer({ id });
      cleanup(() => server.close());
      return server;
    }),
  tool: { name: 'add', arguments: { a: 1, b: 2 } },
};

testAggregator('first', () => first(), options);
testAggregator('all', () => all(), options);
testAggregator('fastest', () => fastest(), options);
testAggregator('majority', () => majority(), options);
