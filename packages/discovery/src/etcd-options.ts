import { z } from 'zod';

/** How to reach etcd; shared by {@link etcdSource} and {@link announce}. */
export interface EtcdConnectionOptions {
  /** etcd's client URLs, like `['http://etcd-0:2379']`. */
  endpoints: string[];
  /** The key prefix under which each server has one key. @default '/mcpool/servers/' */
  prefix?: string | undefined;
  /** Username and password when etcd has auth enabled. */
  auth?: { username: string; password: string } | undefined;
  /** Time to connect, ms. @default 3_000 */
  dialTimeout?: number | undefined;
}

/** Checks connection options; sources and announce() add their own. */
export const etcdConnectionSchema = z.object({
  endpoints: z.array(z.url()).min(1, 'give at least one etcd endpoint URL'),
  prefix: z.string().min(1).optional(),
  auth: z.object({ username: z.string(), password: z.string() }).optional(),
  dialTimeout: z.number().positive().optional(),
});

/** Where servers are registered unless told otherwise. */
export const DEFAULT_PREFIX = '/mcpool/servers/';
