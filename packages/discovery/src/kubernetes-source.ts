import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type * as k8s from '@kubernetes/client-node';
import { z } from 'zod';
import { MissingPeerError, SourceFailedError } from './errors.js';
import { parseOptions } from './options.js';
import { type DiscoveredEntry, type Resolution, replicaId, type Source } from './source.js';

/** Options of {@link kubernetesSource}. */
export interface KubernetesSourceOptions {
  /** The Service whose EndpointSlices list the MCP server pods. */
  service: string;
  /** @default the kubeconfig context's namespace, in a pod its own namespace, else `default` */
  namespace?: string | undefined;
  /** The port: a number, or the name of one of the Service's ports. @default the slice's first port */
  port?: number | string | undefined;
  /** The MCP endpoint's path. @default '/mcp' */
  path?: string | undefined;
  /** @default 'http' */
  scheme?: 'http' | 'https' | undefined;
  /** The MCP transport the servers speak. @default 'streamable-http' */
  transport?: 'streamable-http' | 'sse' | undefined;
  /** A kubeconfig file. @default in a pod the service account, else `KUBECONFIG` or `~/.kube/config` */
  kubeconfig?: string | undefined;
  /** Wait before restarting a watch that failed; doubles up to 30 s, ms. @default 1_000 */
  restartDelay?: number | undefined;
}

const schema = z.object({
  service: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Service name is a lowercase DNS label'),
  namespace: z.string().min(1).optional(),
  port: z.union([z.number().int().min(1).max(65_535), z.string().min(1)]).optional(),
  path: z.string().startsWith('/').optional(),
  scheme: z.enum(['http', 'https']).optional(),
  transport: z.enum(['streamable-http', 'sse']).optional(),
  kubeconfig: z.string().min(1).optional(),
  restartDelay: z.number().positive().optional(),
});

/**
 * What the source needs from the API: the Role of a gateway that uses it
 * grants exactly this (deploy/kubernetes holds one).
 */
export const ENDPOINTSLICE_ACCESS = {
  apiGroup: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  verbs: ['get', 'list', 'watch'],
} as const;

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

type Client = typeof k8s;

/** The peer is optional: it is loaded only when a Kubernetes source is used. */
async function loadClient(): Promise<Client> {
  try {
    return await import('@kubernetes/client-node');
  } catch (error) {
    throw new MissingPeerError('kubernetesSource', '@kubernetes/client-node', '^1.4.0', {
      cause: error,
    });
  }
}

/**
 * The ready endpoints of a Kubernetes Service, from its
 * `discovery.k8s.io/v1` EndpointSlices (label `kubernetes.io/service-name`),
 * watched through `@kubernetes/client-node`'s informer: it relists after a
 * 410 Gone and the watch is restarted with backoff when it fails.
 *
 * Conditions: a `ready` endpoint is in the pool; a `serving` and
 * `terminating` one leaves selection and drains (its calls finish); a gone
 * one is removed after draining. Ids are `SERVICE-POD` (the target ref),
 * so they stay put as slices are rewritten.
 */
export function kubernetesSource(options: KubernetesSourceOptions): Source {
  const o = parseOptions('kubernetesSource options', schema, options);
  const name = `kubernetes:${o.namespace ? `${o.namespace}/` : ''}${o.service}`;
  const labelSelector = `kubernetes.io/service-name=${o.service}`;
  let setup: Promise<{ client: Client; kc: k8s.KubeConfig; namespace: string }> | undefined;

  const connect = () => {
    setup ??= (async () => {
      const client = await loadClient();
      const kc = new client.KubeConfig();
      try {
        if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
        else kc.loadFromDefault();
      } catch (error) {
        throw new SourceFailedError(
          name,
          `cannot load the kubeconfig${o.kubeconfig ? ` ${o.kubeconfig}` : ''} (${(error as Error).message})`,
          { cause: error },
        );
      }
      return { client, kc, namespace: o.namespace ?? defaultNamespace(kc) };
    })();
    // A failed setup is retried on the next call rather than kept.
    setup.catch(() => {
      setup = undefined;
    });
    return setup;
  };

  const toResolution = (slices: readonly k8s.V1EndpointSlice[]): Resolution => ({
    entries: entriesOf(slices, o),
  });

  return {
    name,
    async resolve(signal?: AbortSignal): Promise<Resolution> {
      signal?.throwIfAborted();
      const { client, kc, namespace } = await connect();
      const api = kc.makeApiClient(client.DiscoveryV1Api);
      const aborted = new Promise<never>((_, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      aborted.catch(() => {});
      try {
        const list = await Promise.race([
          api.listNamespacedEndpointSlice({ namespace, labelSelector }),
          aborted,
        ]);
        return toResolution(list.items);
      } catch (error) {
        signal?.throwIfAborted();
        throw failure(name, error);
      }
    },
    watch(listener, signal) {
      let informer:
        | (k8s.Informer<k8s.V1EndpointSlice> & k8s.ObjectCache<k8s.V1EndpointSlice>)
        | undefined;
      let timer: NodeJS.Timeout | undefined;
      let failures = 0;
      let failed = false;
      let queued = false;
      const report = () => {
        // The informer calls back once per object while it lists: one report per burst.
        if (queued) return;
        queued = true;
        queueMicrotask(() => {
          queued = false;
          if (informer && !signal.aborted) listener.update(toResolution(informer.list()));
        });
      };
      const restart = () => {
        const delay = Math.min(30_000, (o.restartDelay ?? 1_000) * 2 ** Math.min(failures, 10));
        failures++;
        clearTimeout(timer);
        timer = setTimeout(() => void run(), delay);
        timer.unref();
      };
      const run = async () => {
        if (signal.aborted) return;
        failed = false;
        try {
          if (!informer) {
            const { client, kc, namespace } = await connect();
            if (signal.aborted) return;
            const api = kc.makeApiClient(client.DiscoveryV1Api);
            const { apiGroup, version, resource } = ENDPOINTSLICE_ACCESS;
            const path = `/apis/${apiGroup}/${version}/namespaces/${namespace}/${resource}`;
            informer = client.makeInformer(
              kc,
              path,
              () => api.listNamespacedEndpointSlice({ namespace, labelSelector }),
              labelSelector,
            );
            informer.on('add', report);
            informer.on('update', report);
            informer.on('delete', report);
            informer.on('error', (error: unknown) => {
              failed = true;
              if (signal.aborted) return;
              listener.error(failure(name, error));
              // The informer stops on an error: start it again, from its last resourceVersion.
              restart();
            });
          }
          await informer.start();
          if (signal.aborted) {
            await informer.stop();
            return;
          }
          if (!failed) {
            failures = 0;
            report();
          }
        } catch (error) {
          if (signal.aborted) return;
          listener.error(failure(name, error));
          restart();
        }
      };
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          void informer?.stop();
        },
        { once: true },
      );
      void run();
    },
  };
}

function defaultNamespace(kc: k8s.KubeConfig): string {
  const fromContext = kc.getContextObject(kc.getCurrentContext())?.namespace;
  if (fromContext) return fromContext;
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}

function failure(name: string, error: unknown): Error {
  if (error instanceof SourceFailedError || error instanceof MissingPeerError) return error;
  const e = error as { statusCode?: number; code?: number | string; message?: string };
  const status = e.statusCode ?? e.code;
  const hint =
    status === 403
      ? ': the service account may not list or watch endpointslices (see the Role in deploy/kubernetes)'
      : '';
  return new SourceFailedError(
    name,
    `${status !== undefined ? `${status} ` : ''}${e.message ?? String(error)}${hint}`,
    { cause: error },
  );
}

type Parsed = z.infer<typeof schema>;

/** Ready endpoints of every slice, one entry per pod; a pod in two slices (during a rewrite) once. */
function entriesOf(slices: readonly k8s.V1EndpointSlice[], o: Parsed): DiscoveredEntry[] {
  const byId = new Map<string, DiscoveredEntry>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port =
      typeof o.port === 'number'
        ? o.port
        : (slice.ports ?? []).find((p) => (o.port === undefined ? true : p.name === o.port))?.port;
    for (const endpoint of slice.endpoints ?? []) {
      const address = endpoint.addresses[0];
      // nil ready means ready; a terminating endpoint is never ready, so it drains.
      const c = endpoint.conditions;
      if (!address || c?.ready === false || c?.terminating === true) continue;
      const pod = endpoint.targetRef?.name ?? endpoint.hostname ?? address;
      const id = replicaId(o.service, pod);
      const origin = `${slice.metadata?.name ?? 'endpointslice'}/${pod}`;
      if (port === undefined) {
        byId.set(id, {
          config: undefined,
          origin,
          problem: `the slice has no port${typeof o.port === 'string' ? ` named "${o.port}"` : ''}; set \`port\` to the MCP port`,
        });
        continue;
      }
      const host = isIPv6(address) ? `[${address}]` : address;
      byId.set(id, {
        config: {
          id,
          name: pod,
          transport: {
            type: o.transport ?? 'streamable-http',
            url: `${o.scheme ?? 'http'}://${host}:${port}${o.path ?? '/mcp'}`,
          },
          ...(endpoint.zone ? { tags: [`zone:${endpoint.zone}`] } : {}),
        },
        origin,
      });
    }
  }
  return [...byId.values()];
}
