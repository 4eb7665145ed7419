import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { type KubernetesSourceOptions, kubernetesSource } from './kubernetes-source.js';
import type { Resolution, SourceListener } from './source.js';
import { sourceContract, watchSource } from './test-contract.js';
import { TestKubeApi } from './test-kube-api.js';

const tmp = useTempDir('mcpool-kube-');
let apis = 0;

async function startApi() {
  const api = new TestKubeApi();
  await api.start();
  const kubeconfig = tmp.path(`kubeconfig-${++apis}`);
  await api.writeKubeconfig(kubeconfig);
  return { api, kubeconfig, close: () => api.close() };
}

sourceContract('kubernetesSource', async (replicas) => {
  const { api, kubeconfig, close } = await startApi();
  const publish = async (next: typeof replicas) => {
    api.setSlice(
      'mcp-servers-x1',
      'mcp-servers',
      next[0]?.port ?? 18_080,
      next.map((r) => ({ pod: r.name, address: r.host })),
    );
  };
  await publish(replicas);
  return {
    source: kubernetesSource({ service: 'mcp-servers', kubeconfig, restartDelay: 50 }),
    publish,
    breakSource: async () => {
      api.failing = 500;
      api.dropWatches();
    },
    repair: async () => {
      api.failing = undefined;
    },
    close,
  };
});

/** Collects what a watching source reports. */
function collect() {
  const updates: Resolution[] = [];
  const errors: Error[] = [];
  const listener: SourceListener = {
    update: (r) => updates.push(r),
    error: (e) => errors.push(e),
  };
  const ids = () =>
    (updates.at(-1)?.entries ?? []).map((e) => (e.config as { id: string }).id).sort();
  return { updates, errors, listener, ids };
}

describe('kubernetesSource against the API wire protocol on 127.0.0.1', () => {
  const cleanup = useCleanup();

  async function setup(options: Partial<KubernetesSourceOptions> = {}) {
    const started = await startApi();
    cleanup(started.close);
    const source = kubernetesSource({
      service: 'mcp-servers',
      kubeconfig: started.kubeconfig,
      restartDelay: 50,
      ...options,
    });
    const controller = new AbortController();
    cleanup(async () => controller.abort());
    return { ...started, source, controller };
  }

  it('honours endpoint conditions and names servers after their pods', async () => {
    const { api, source } = await setup();
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [
      { pod: 'mcp-7f9c-aaaaa', address: '10.0.0.1' },
      { pod: 'mcp-7f9c-bbbbb', address: '10.0.0.2', ready: false },
      // Shutting down: still serving its calls, but takes no new ones.
      {
        pod: 'mcp-7f9c-ccccc',
        address: '10.0.0.3',
        ready: false,
        serving: true,
        terminating: true,
      },
    ]);
    api.setSlice('other-a', 'other', 9090, [{ pod: 'other-1', address: '10.0.0.9' }]);
    const { entries } = await source.resolve();
    expect(entries.map((e) => e.config)).toEqual([
      {
        id: 'mcp-servers-mcp-7f9c-aaaaa',
        name: 'mcp-7f9c-aaaaa',
        transport: { type: 'streamable-http', url: 'http://10.0.0.1:8080/mcp' },
      },
    ]);
    expect(api.requests.at(-1)?.labelSelector).toBe('kubernetes.io/service-name=mcp-servers');
  });

  it('watches: one list, then changes arrive on the stream', async () => {
    const { api, source, controller } = await setup();
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p1', address: '10.0.0.1' }]);
    const seen = collect();
    source.watch?.(seen.listener, controller.signal);
    await waitFor(() => seen.ids().join() === 'mcp-servers-p1');
    await waitFor(() => api.openWatches === 1);
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [
      { pod: 'p1', address: '10.0.0.1' },
      { pod: 'p2', address: '10.0.0.2' },
    ]);
    await waitFor(() => seen.ids().join() === 'mcp-servers-p1,mcp-servers-p2');
    api.setSlice('mcp-servers-b', 'mcp-servers', 8080, [{ pod: 'p3', address: '10.0.0.3' }]);
    await waitFor(() => seen.ids().length === 3);
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, undefined);
    await waitFor(() => seen.ids().join() === 'mcp-servers-p3');
    expect(api.requests.filter((r) => !r.watch)).toHaveLength(1);
    expect(seen.errors).toEqual([]);
  });

  it('resumes a dropped watch from its resourceVersion, without relisting', async () => {
    const { api, source, controller } = await setup();
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p1', address: '10.0.0.1' }]);
    const seen = collect();
    source.watch?.(seen.listener, controller.signal);
    await waitFor(() => api.openWatches === 1);
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p2', address: '10.0.0.2' }]);
    await waitFor(() => seen.ids().join() === 'mcp-servers-p2');
    const version = api.slices.get('mcp-servers-a')?.resourceVersion;
    api.dropWatches();
    await waitFor(() => api.requests.filter((r) => r.watch).length === 2 && api.openWatches === 1);
    expect(api.requests.at(-1)).toMatchObject({ watch: true, resourceVersion: version });
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p3', address: '10.0.0.3' }]);
    await waitFor(() => seen.ids().join() === 'mcp-servers-p3');
    expect(api.requests.filter((r) => !r.watch)).toHaveLength(1);
  });

  for (const goneAs of ['event', 'status'] as const) {
    it(`relists after 410 Gone (as ${goneAs === 'event' ? 'an ERROR event' : 'the HTTP status'}) and misses nothing`, async () => {
      const { api, source, controller } = await setup();
      api.goneAs = goneAs;
      api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p1', address: '10.0.0.1' }]);
      const seen = collect();
      source.watch?.(seen.listener, controller.signal);
      await waitFor(() => api.openWatches === 1);
      // While the watch is away the slice changes and the history is compacted.
      api.dropWatches();
      api.failing = 503;
      await waitFor(() => seen.errors.length > 0);
      api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p9', address: '10.0.0.9' }]);
      api.compact();
      api.failing = undefined;
      await waitFor(() => seen.ids().join() === 'mcp-servers-p9', {
        timeoutMs: 5_000,
        message: 'the relisted set',
      });
      expect(api.requests.filter((r) => !r.watch).length).toBe(2);
      await waitFor(() => api.openWatches === 1);
    });
  }

  it('reports an API failure with its status, keeps the pool, and recovers', async () => {
    const { api, source } = await setup();
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [
      { pod: 'p1', address: '10.0.0.1' },
      { pod: 'p2', address: '10.0.0.2' },
    ]);
    const { pool, errors } = await watchSource(source, cleanup);
    api.failing = 403;
    api.dropWatches();
    await waitFor(() => errors.length > 0);
    expect(errors[0]?.message).toMatch(/kubernetes:mcp-servers failed: 403 .*endpointslices/);
    expect(pool.servers()).toHaveLength(2);
    api.failing = undefined;
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [
      { pod: 'p1', address: '10.0.0.1' },
      { pod: 'p2', address: '10.0.0.2' },
      { pod: 'p3', address: '10.0.0.3' },
    ]);
    await waitFor(() => pool.servers().length === 3, { timeoutMs: 5_000 });
  });

  it('takes the port by name and rejects a Service name that cannot be one', async () => {
    const { api, kubeconfig } = await setup();
    api.setSlice('mcp-servers-a', 'mcp-servers', 8080, [{ pod: 'p1', address: '10.0.0.1' }]);
    const named = kubernetesSource({ service: 'mcp-servers', kubeconfig, port: 'mcp' });
    expect((await named.resolve()).entries[0]?.config).toMatchObject({
      transport: { url: 'http://10.0.0.1:8080/mcp' },
    });
    const wrong = kubernetesSource({ service: 'mcp-servers', kubeconfig, port: 'grpc' });
    expect((await wrong.resolve()).entries[0]?.problem).toMatch(/no port named "grpc"/);
    expect(() => kubernetesSource({ service: 'MCP_Servers' })).toThrow(
      /service: a Service name is a lowercase DNS label/,
    );
  });
});
