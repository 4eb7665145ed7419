import { resolve as resolvePath } from 'node:path';
import type { ConfigIssue } from '@mcpool/core';
import { consulSource } from './consul-source.js';
import { dnsSource } from './dns-source.js';
import { InvalidDiscoveryOptionsError } from './errors.js';
import { etcdSource } from './etcd-source.js';
import { fileSource } from './file-source.js';
import { kubernetesSource } from './kubernetes-source.js';
import type { Source } from './source.js';

/** The source kinds a configuration file can name. */
export const SOURCE_KINDS = ['dns', 'kubernetes', 'consul', 'etcd', 'file'] as const;

/** One source as a configuration file writes it: `{ "kubernetes": { "service": "mcp-servers" } }`. */
export type SourceConfig = Partial<Record<(typeof SOURCE_KINDS)[number], unknown>>;

/**
 * Builds a source from its JSON form (the gateway's `discovery` key). Exactly
 * one kind must be given; its options are checked by its factory and every
 * problem is reported under `kind.path`. A `file` path is relative to `baseDir`.
 */
export function sourceFromConfig(config: SourceConfig, options: { baseDir?: string } = {}): Source {
  const kinds = SOURCE_KINDS.filter((k) => config[k] !== undefined);
  if (kinds.length !== 1) {
    throw new InvalidDiscoveryOptionsError('discovery source', [
      {
        path: '',
        message:
          kinds.length === 0
            ? `name one source: ${SOURCE_KINDS.join(', ')}`
            : `name one source, not ${kinds.join(' and ')}`,
      },
    ]);
  }
  const kind = kinds[0] as (typeof SOURCE_KINDS)[number];
  const value = config[kind];
  try {
    switch (kind) {
      case 'dns':
        return dnsSource(value as Parameters<typeof dnsSource>[0]);
      case 'kubernetes':
        return kubernetesSource(value as Parameters<typeof kubernetesSource>[0]);
      case 'consul':
        return consulSource(value as Parameters<typeof consulSource>[0]);
      case 'etcd':
        return etcdSource(value as Parameters<typeof etcdSource>[0]);
      case 'file': {
        const path = typeof value === 'string' ? value : (value as { path?: unknown })?.path;
        if (typeof path !== 'string' || path === '')
          throw new InvalidDiscoveryOptionsError('file source', [
            { path: '', message: 'give the path of an mcpServers JSON file' },
          ]);
        return fileSource(resolvePath(options.baseDir ?? '.', path));
      }
    }
  } catch (error) {
    if (!(error instanceof InvalidDiscoveryOptionsError)) throw error;
    const issues: ConfigIssue[] = error.issues.map((i) => ({
      path: i.path ? `${kind}.${i.path}` : kind,
      message: i.message,
    }));
    throw new InvalidDiscoveryOptionsError('discovery source', issues);
  }
}
