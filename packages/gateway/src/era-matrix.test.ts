// The 2026-07-28 compatibility matrix through the gateway over HTTP: every kind of downstream
// client ({v1, v2 default, v2 auto, v2 pinned}) in front of every kind of upstream server
// ({v1, v2 dual-era, v2 modern-only}). The gateway speaks both eras on each side, so every cell
// works: each client lists the merged catalog and calls through the pool in its own era, and
// each upstream is reached in the era it speaks best (`protocol: "auto"`). What the matrix rules
// out sits on the upstream side (a server's `protocol` that its server cannot speak): every kind
// of client then gets the error that names the mismatch and what to set.

import { useCleanup } from '@mcpool/core/testing';
import {
  connectEraClient,
  ERA_CLIENT_KINDS,
  type EraClient,
  type EraClientKind,
  startHttpServer,
  startV2HttpServer,
} from '@mcpool/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayServer } from './config.js';
import { connectorsFor } from './connectors.js';
import { Gateway } from './gateway.js';
import { type HttpGateway, startHttpGateway } from './http.js';
import { text } from './test-helpers.js';

type ClientKind = EraClientKind;
type ServerKind = 'v1' | 'v2 dual-era' | 'v2 modern-only';
type Era = 'legacy' | 'modern';

const CLIENTS = ERA_CLIENT_KINDS;
const SERVERS: readonly ServerKind[] = ['v1', 'v2 dual-era', 'v2 modern-only'];

/** The era a client of each kind speaks to the gateway. */
const CLIENT_ERA: Record<ClientKind, Era> = {
  v1: 'legacy',
  'v2-default': 'legacy',
  'v2-auto': 'modern',
  'v2-pinned': 'modern',
};

/** The era the gateway's pool speaks to each kind of upstream with `protocol: "auto"`. */
const SERVER_ERA: Record<ServerKind, Era> = {
  v1: 'legacy',
  'v2 dual-era': 'modern',
  'v2 modern-only': 'modern',
};

const SERVER_ID: Record<ServerKind, string> = {
  v1: 'old',
  'v2 dual-era': 'dual',
  'v2 modern-only': 'modern',
};

/** A client of `kind` through the gateway at `url` (the testkit's era clients). */
function connect(kind: EraClientKind, url: string): Promise<EraClient> {
  return connectEraClient(kind, { type: 'streamable-http', url });
}

interface Front {
  readonly http: HttpGateway;
  readonly gateway: Gateway;
  /** tools/call requests the upstream received per era (v2 upstreams only). */
  readonly calls: (() => Readonly<Record<Era, number>>) | undefined;
}

describe('the compatibility matrix through the gateway over HTTP', () => {
  const shared = useCleanup('all');
  const cleanup = useCleanup();
  const fronts = new Map<ServerKind, Front>();

  /** One upstream of `kind` and a gateway in front of it, as `mcpool serve` builds one. */
  async function front(kind: ServerKind): Promise<Front> {
    const id = SERVER_ID[kind];
    let server: GatewayServer;
    let calls: Front['calls'];
    if (kind === 'v1') {
      const up = shared(await startHttpServer({ id }));
      server = { id, transport: up.transport, protocol: 'auto' };
    } else {
      const up = shared(
        await startV2HttpServer({
          id,
          legacy: kind === 'v2 modern-only' ? 'reject' : 'stateless',
        }),
      );
      server = { id, transport: up.transport, protocol: 'auto' };
      calls = () => up.toolCallsByEra();
    }
    const connectors = await connectorsFor([server]);
    const gateway = shared(new Gateway({ servers: [server], pool: { connectors } }));
    const http = shared(await startHttpGateway(gateway, { port: 0 }));
    return { http, gateway, calls };
  }

  beforeAll(async () => {
    for (const kind of SERVERS) fronts.set(kind, await front(kind));
  });

  const cells = CLIENTS.flatMap((client) =>
    SERVERS.map((server) => [client, server, CLIENT_ERA[client], SERVER_ERA[server]] as const),
  );

  it.each(cells)('%s client × %s server: %s downstream, %s upstream', async (kind, server) => {
    const { http, gateway, calls } = fronts.get(server) as Front;
    const before = calls?.();
    const client = cleanup(await connect(kind, http.url));
    expect(client.era).toBe(CLIENT_ERA[kind]);

    // The merged catalog, in the client's era.
    const tools = await client.listToolNames();
    expect(tools).toEqual(expect.arrayContaining(['add', 'whoami', 'echo']));

    // A call through the pool, answered by the upstream.
    expect(text(await client.callTool('add', { a: 20, b: 22 }))).toBe('42');
    expect(text(await client.callTool('whoami', {}))).toBe(SERVER_ID[server]);

    // The upstream was reached in its own era: a v2 server counts both calls in it ...
    if (calls && before) {
      const after = calls();
      const era = SERVER_ERA[server];
      const other: Era = era === 'modern' ? 'legacy' : 'modern';
      expect(after[era] - before[era]).toBe(2);
      expect(after[other] - before[other]).toBe(0);
    }
    // ... and every pool the gateway opened for it says so.
    const eras = [...gateway.sessions]
      .filter((s) => !s.isClosed)
      .map((s) => s.pool?.server(SERVER_ID[server])?.era);
    expect(eras.length).toBeGreaterThan(0);
    expect(new Set(eras)).toEqual(new Set([SERVER_ERA[server]]));
  });
});

/** An upstream `protocol` the compatibility matrix says cannot work, and the error it gives. */
const MISMATCHES: [ServerKind, 'legacy' | '2026-07-28', RegExp][] = [
  ['v1', '2026-07-28', /legacy era .*Set protocol: 'auto'/],
  ['v2 modern-only', 'legacy', /only MCP 2026-07-28.*-32022.*"auto"/],
];

/**
 * What a failed request says: a thrown error's message, or a tool's error result's text (a
 * legacy session answers a tool call the pool could not make with one).
 */
async function failure(request: Promise<unknown>): Promise<string> {
  const outcome = await request.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  if ('error' in outcome) return String((outcome.error as Error).message);
  expect((outcome.result as { isError?: boolean }).isError).toBe(true);
  return text(outcome.result);
}

describe('an upstream protocol the compatibility matrix rules out, through the gateway', () => {
  const cleanup = useCleanup();

  it.each(MISMATCHES)(
    'a %s server with protocol "%s": every kind of client is told the era mismatch and what to set',
    async (kind, protocol, expected) => {
      const id = SERVER_ID[kind];
      const up =
        kind === 'v1'
          ? cleanup(await startHttpServer({ id }))
          : cleanup(await startV2HttpServer({ id, legacy: 'reject' }));
      const server: GatewayServer = { id, transport: up.transport, protocol };
      const connectors = await connectorsFor([server]);
      const gateway = cleanup(
        new Gateway({ servers: [server], pool: { connectors, strictStart: true } }),
      );
      const http = cleanup(await startHttpGateway(gateway, { port: 0 }));
      for (const client of CLIENTS) {
        const downstream = cleanup(await connect(client, http.url));
        expect(await failure(downstream.callTool('add', { a: 1, b: 2 })), client).toMatch(expected);
        expect(await failure(downstream.listToolNames()), client).toMatch(expected);
      }
    },
  );
});
