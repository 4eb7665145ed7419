import type { ServerConfig } from '@mcpool/core';
import type { Source } from './source.js';

/** A fixed set: the servers someone typed in, through the same rules as any source. */
export function staticSource(servers: readonly ServerConfig[]): Source {
  const entries = servers.map((config, i) => ({ config, origin: `servers[${i}]` }));
  return {
    name: 'static',
    // A fixed set never changes: ask again only as often as a 32-bit timer allows.
    async resolve(signal) {
      signal?.throwIfAborted();
      return { entries, refreshIn: 2_147_483_647 };
    },
  };
}
