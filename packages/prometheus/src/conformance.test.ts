import { testPoolPlugin } from '@mcpool/core/testing';
import { startInProcessServer } from '@mcpool/testkit';
import { Registry } from 'prom-client';
import { prometheusExporter } from './exporter.js';

testPoolPlugin('prometheusExporter', () => prometheusExporter({ registry: new Registry() }), {
  servers: (cleanup) =>
    ['s1', 's2'].map((id) => {
      const server = startInProcessServer({ id });
      cleanup(() => server.close());
      return server;
    }),
  tool: { name: 'add', arguments: { a: 1, b: 2 } },
});
