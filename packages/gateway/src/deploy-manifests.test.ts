import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENDPOINTSLICE_ACCESS, sourceFromConfig } from '@mcpool/discovery';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseGatewayConfig } from './config.js';
import { PROBE_PATHS } from './http.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = join(root, 'deploy/kubernetes');

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML, checked field by field.
type Obj = any;

const MODELS: Record<string, new (o: Obj) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

const kustomization = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const objects: { file: string; obj: Obj }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return { file, obj: doc.toJS() as Obj };
  }),
);
const find = (kind: string, name: string): Obj => {
  const found = objects.find((o) => o.obj.kind === kind && o.obj.metadata?.name === name)?.obj;
  if (!found) throw new Error(`deploy/kubernetes has no ${kind} ${name}`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const gateway = find('Deployment', 'mcpool-gateway');
const gatewayPod = gateway.spec.template.spec;
const gatewayContainer = gatewayPod.containers[0];
const configMap = find('ConfigMap', 'mcpool-gateway');
const mcpoolJson = JSON.parse(configMap.data['mcpool.json']);

describe('deploy/kubernetes', () => {
  it('kustomization.yaml lists exactly the manifests of the folder', () => {
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
  });

  it('every object is valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThanOrEqual(9);
    for (const { file, obj } of objects) {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      if (!Model)
        throw new Error(`${file}: no schema for ${obj.apiVersion} ${obj.kind}; add it here`);
      expect(
        () => new Model(obj).validate(),
        `${file} ${obj.kind} ${obj.metadata?.name}`,
      ).not.toThrow();
    }
  });

  it('a broken object fails the validation (the check is real)', () => {
    const broken = structuredClone(gateway);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new Deployment(broken).validate()).toThrow();
  });

  it('every Service and Deployment selects its own pods', () => {
    for (const { obj } of objects.filter((o) => o.obj.kind === 'Deployment')) {
      expect(matches(obj.spec.selector.matchLabels, obj.spec.template.metadata.labels)).toBe(true);
    }
    for (const { obj } of objects.filter((o) => o.obj.kind === 'Service')) {
      const targets = objects.filter(
        (o) =>
          o.obj.kind === 'Deployment' &&
          matches(obj.spec.selector, o.obj.spec.template.metadata.labels),
      );
      expect(targets, `Service ${obj.metadata.name}`).toHaveLength(1);
      const ports = targets[0]?.obj.spec.template.spec.containers.flatMap((c: Obj) => c.ports);
      for (const port of obj.spec.ports) {
        expect(
          ports.map((p: Obj) => p.name),
          `Service ${obj.metadata.name} targetPort`,
        ).toContain(port.targetPort);
      }
    }
  });

  it('the ConfigMap holds a valid mcpool.json whose kubernetes source names the headless Service and its port', () => {
    const config = parseGatewayConfig(mcpoolJson, {});
    const source = config.discovery?.source.kubernetes as { service: string; port: string };
    expect(sourceFromConfig({ kubernetes: source }).name).toBe(`kubernetes:${source.service}`);
    const service = find('Service', source.service);
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.ports.map((p: Obj) => p.name)).toContain(source.port);
    // The gateway accepts the Host names clients in the cluster use.
    const ns = kustomization.namespace;
    expect(config.http.allowedHosts).toEqual(
      expect.arrayContaining([
        `mcpool-gateway.${ns}.svc`,
        `mcpool-gateway.${ns}.svc.cluster.local`,
      ]),
    );
    // The pod is killed only after the gateway's drain time.
    expect(gatewayPod.terminationGracePeriodSeconds * 1_000).toBeGreaterThan(
      config.timeouts.drain ?? 5_000,
    );
    const mount = gatewayContainer.volumeMounts.find((m: Obj) => m.name === 'config');
    const configArg = gatewayContainer.args[gatewayContainer.args.indexOf('--config') + 1];
    expect(configArg).toBe(`${mount.mountPath}/mcpool.json`);
  });

  it('the gateway runs 2 replicas with probes on the endpoints the gateway serves, on the port it listens on', () => {
    expect(gateway.spec.replicas).toBe(2);
    const listen = gatewayContainer.args[gatewayContainer.args.indexOf('--http') + 1];
    const port = gatewayContainer.ports.find((p: Obj) => p.name === 'http');
    expect(listen).toBe(`0.0.0.0:${port.containerPort}`);
    expect(gatewayContainer.livenessProbe.httpGet).toEqual({
      path: PROBE_PATHS.live,
      port: 'http',
    });
    expect(gatewayContainer.readinessProbe.httpGet).toEqual({
      path: PROBE_PATHS.ready,
      port: 'http',
    });
    expect(gatewayContainer.resources.limits).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    const secret = gatewayContainer.env.find((e: Obj) => e.name === 'MCPOOL_SESSION_SECRET');
    expect(secret.valueFrom.secretKeyRef).toEqual({
      name: 'mcpool-gateway',
      key: 'session-secret',
    });
    expect(gatewayPod.securityContext.runAsNonRoot).toBe(true);
  });

  it('RBAC grants the gateway exactly what the kubernetes source uses, through its ServiceAccount', () => {
    const account = find('ServiceAccount', gatewayPod.serviceAccountName);
    const binding = objects.find((o) => o.obj.kind === 'RoleBinding')?.obj;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name }]);
    const role = find('Role', binding.roleRef.name);
    expect(role.rules).toEqual([
      {
        apiGroups: [ENDPOINTSLICE_ACCESS.apiGroup],
        resources: [ENDPOINTSLICE_ACCESS.resource],
        verbs: [...ENDPOINTSLICE_ACCESS.verbs],
      },
    ]);
    // Namespaced only: nothing grants cluster-wide reads.
    expect(objects.some((o) => /^Cluster/.test(o.obj.kind))).toBe(false);
  });
});

describe('deploy/gateway/Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'deploy/gateway/Dockerfile'), 'utf8');

  it('runs as a numeric non-root user with production dependencies only', () => {
    const user = /^USER (\d+)(?::\d+)?$/m.exec(dockerfile)?.[1];
    expect(Number(user)).toBeGreaterThan(0);
    expect(Number(user)).toBe(gatewayPod.securityContext.runAsUser);
    expect(dockerfile).toMatch(/npm install --omit=dev/);
    expect(dockerfile).toMatch(/@kubernetes\/client-node@1\.4\./);
  });

  it('exposes the port and command the Deployment uses', () => {
    const port = gatewayContainer.ports.find((p: Obj) => p.name === 'http').containerPort;
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]');
    expect(cmd).toEqual(gatewayContainer.args);
  });
});
