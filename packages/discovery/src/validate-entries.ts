import {
  type ConfigIssue,
  InvalidConfigError,
  type ServerConfig,
  validateServerConfig,
} from '@mcpool/core';
import type { DiscoveredEntry } from './source.js';

/**
 * Checks every entry with core's validation: the valid ones are kept, each
 * bad one becomes issues under its origin. An id seen twice keeps the first.
 */
export function validateEntries(entries: readonly DiscoveredEntry[]): {
  servers: ServerConfig[];
  issues: ConfigIssue[];
} {
  const servers: ServerConfig[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.problem !== undefined) {
      issues.push({ path: entry.origin, message: entry.problem });
      continue;
    }
    try {
      const config = validateServerConfig(entry.config, entry.origin);
      if (seen.has(config.id)) {
        issues.push({ path: `${entry.origin}.id`, message: `"${config.id}" appears twice` });
        continue;
      }
      seen.add(config.id);
      servers.push(config);
    } catch (error) {
      if (error instanceof InvalidConfigError) issues.push(...error.issues);
      else issues.push({ path: entry.origin, message: (error as Error).message });
    }
  }
  return { servers, issues };
}
