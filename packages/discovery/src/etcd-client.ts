import type { Etcd3, IOptions } from 'etcd3';
import type { z } from 'zod';
import { MissingPeerError } from './errors.js';
import type { etcdConnectionSchema } from './etcd-options.js';

/** The peer is optional: it is loaded only when etcd is used. */
export async function connectEtcd(
  what: string,
  o: z.infer<typeof etcdConnectionSchema>,
): Promise<Etcd3> {
  let etcd3: typeof import('etcd3');
  try {
    etcd3 = await import('etcd3');
  } catch (error) {
    throw new MissingPeerError(what, 'etcd3', '^1.1.2', { cause: error });
  }
  const options: IOptions = { hosts: o.endpoints, dialTimeout: o.dialTimeout ?? 3_000 };
  if (o.auth) options.auth = o.auth;
  return new etcd3.Etcd3(options);
}
