import type { ServerConfig } from '@mcpool/core';

/** Every event a `Discovery` emits, with its payload. */
export interface DiscoveryEvents {
  /** The pool now holds `servers`; ids added, removed (drained) and updated in this step. */
  'discovery:update': [
    {
      added: readonly string[];
      removed: readonly string[];
      updated: readonly string[];
      servers: readonly ServerConfig[];
    },
  ];
  /** A resolution failed or reported bad entries; the pool kept what it had. */
  'discovery:error': [{ source: string; error: Error }];
  /**
   * A set was not applied because of a safety rule: it would remove more than
   * `maxRemoveRatio` of the pool at once (applied if the next resolution
   * repeats it), or leave fewer than `minServers`.
   */
  'discovery:held': [
    { reason: 'maxRemoveRatio' | 'minServers'; removed: readonly string[]; servers: number },
  ];
}
