import { staticSource } from './static-source.js';
import { sourceContract } from './test-contract.js';

sourceContract(
  'staticSource',
  async (replicas) => ({
    source: staticSource(
      replicas.map((r) => ({
        id: r.name,
        transport: { type: 'streamable-http', url: `http://${r.host}:${r.port}/mcp` },
      })),
    ),
    close: async () => {},
  }),
  {},
);
