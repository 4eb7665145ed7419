export { type Announcement, type AnnounceOptions, announce } from './announce.js';
export { type Clock, systemClock } from './clock.js';
export { type ConsulSourceOptions, consulSource } from './consul-source.js';
export { type DiscoverOptions, type Discovery, discover } from './discover.js';
export { type DnsSourceOptions, dnsSource } from './dns-source.js';
export { type EnvSourceOptions, envSource } from './env-source.js';
export {
  DiscoveryError,
  type DiscoveryErrorCode,
  DiscoveryStoppedError,
  InvalidDiscoveryOptionsError,
  InvalidEntryError,
  MissingPeerError,
  SourceFailedError,
} from './errors.js';
export type { EtcdConnectionOptions } from './etcd-options.js';
export { type EtcdSourceOptions, etcdSource } from './etcd-source.js';
export type { DiscoveryEvents } from './events.js';
export { type FileSourceOptions, fileSource } from './file-source.js';
export {
  ENDPOINTSLICE_ACCESS,
  type KubernetesSourceOptions,
  kubernetesSource,
} from './kubernetes-source.js';
export { shareSource } from './share-source.js';
export {
  type DiscoveredEntry,
  type Resolution,
  replicaId,
  type Source,
  type SourceListener,
} from './source.js';
export { SOURCE_KINDS, type SourceConfig, sourceFromConfig } from './source-from-config.js';
export { staticSource } from './static-source.js';
export { validateEntries } from './validate-entries.js';
