import { resultText, startInProcessServer, startV2HttpServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { legacyConnector } from '../connection/legacy-connector.js';
import type {
  Connection,
  ConnectionListener,
  ConnectOptions,
  Connector,
  EraVerdict,
  Following,
  NotificationFilter,
  ProtocolSetting,
  RequestOptions,
} from '../spec/connector.js';
import { ConnectionError, EraMismatchError, InvalidConfigError } from '../spec/errors.js';
import { markUnsent } from '../spec/failure.js';
import { useCleanup } from '../testing/index.js';
import { ServerPool } from './server-pool.js';

const cleanup = useCleanup();

/**
 * A connector for these tests: core's legacy connector underneath, which it
 * wraps to record what the pool hands each connect, to name the verdict it
 * reaches, and to refuse requests the way a server whose era changed does.
 */
class ProbeCounter implements Connector {
  readonly name = 'probe-counter';
  readonly connects: ConnectOptions[] = [];
  /** The verdict kind a connect without a prior reaches. */
  verdictKind: 'legacy' | 'modern' = 'legacy';
  /** A connect given a modern prior fails as a stale verdict while set. */
  upgradedAway = false;
  readonly wrapped: Wrapped[] = [];
  private readonly inner = legacyConnector();

  constructor(private readonly settings: readonly ProtocolSetting[] = ['legacy', 'auto']) {}

  supports(protocol: ProtocolSetting): boolean {
    return this.settings.includes(protocol);
  }

  async connect(options: ConnectOptions): Promise<Connection> {
    this.connects.push(options);
    if (options.prior?.kind === 'modern' && this.upgradedAway) {
      throw new EraMismatchError(options.serverId, 'the kept modern verdict no longer holds', {
        fromPrior: true,
        serverEra: 'legacy',
      });
    }
    const verdict: EraVerdict =
      options.prior ??
      (this.verdictKind === 'modern'
        ? { kind: 'modern', discover: { probed: this.connects.length }, checkedAt: Date.now() }
        : { kind: 'legacy', checkedAt: Date.now() });
    let self: Wrapped | undefined;
    const listener: ConnectionListener = {
      onClose: () => self && options.listener.onClose(self),
      onNotification: (_c, n) => self && options.listener.onNotification(self, n),
    };
    const inner = await this.inner.connect({ ...options, listener });
    self = new Wrapped(inner, verdict, options.listener);
    this.wrapped.push(self);
    return self;
  }

  /** Connects made without a prior: probes. */
  get probes(): number {
    return this.connects.filter((c) => c.prior === undefined).length;
  }
}

class Wrapped implements Connection {
  refused = 0;
  constructor(
    private readonly inner: Connection,
    readonly verdict: EraVerdict,
    private readonly listener: ConnectionListener,
  ) {}
  get serverId() {
    return this.inner.serverId;
  }
  get era() {
    return this.verdict.kind;
  }
  get sessionful() {
    return this.inner.sessionful;
  }
  get sessionId() {
    return this.inner.sessionId;
  }
  get protocolVersion() {
    return this.inner.protocolVersion;
  }
  get serverCapabilities() {
    return this.inner.serverCapabilities;
  }
  get serverVersion() {
    return this.inner.serverVersion;
  }
  get inFlight() {
    return this.inner.inFlight;
  }
  get lastUsed() {
    return this.inner.lastUsed;
  }
  get closed() {
    return this.inner.closed;
  }
  /** Set by the test: the server no longer speaks this connection's era (it answers -32022). */
  doubted = false;
  async request(method: string, params: unknown, options: RequestOptions): Promise<unknown> {
    if (this.doubted && method === 'tools/call') {
      this.refused++;
      const refusal = Object.assign(new Error('Unsupported protocol version'), { code: -32022 });
      markUnsent(refusal);
      const next = await this.listener.onEraInDoubt?.(this, refusal);
      if (!next || next === this) throw refusal;
      return next.request(method, params, options);
    }
    return this.inner.request(method, params, options);
  }
  check(options: RequestOptions) {
    return this.inner.check(options);
  }
  /** What the pool asked to follow, and a way to drop each stream as the server would. */
  readonly follows: { filter: NotificationFilter; drop: () => void; closedLocally: boolean }[] = [];
  async follow(filter: NotificationFilter): Promise<Following> {
    let end: (how: 'local' | 'remote') => void = () => {};
    const closed = new Promise<'local' | 'remote'>((resolve) => {
      end = resolve;
    });
    const record = { filter, drop: () => end('remote'), closedLocally: false };
    this.follows.push(record);
    return {
      closed,
      close: async () => {
        record.closedLocally = true;
        end('local');
      },
    };
  }
  notifyRootsListChanged() {
    return this.inner.notifyRootsListChanged();
  }
  fail() {
    this.inner.fail();
  }
  close() {
    return this.inner.close();
  }
}

function server(id: string) {
  const s = startInProcessServer({ id });
  cleanup(() => s.close());
  return s;
}

function pool(options: ConstructorParameters<typeof ServerPool>[0] = {}): ServerPool {
  const p = new ServerPool({ reconnect: { baseMs: 20, maxMs: 100 }, ...options });
  cleanup(p);
  return p;
}

describe('connectors', () => {
  it('serves a pool without connectors through the built-in legacy connector, era in events and metrics', async () => {
    const p = pool();
    const connected: unknown[] = [];
    p.on('server:connected', (e) => connected.push(e));
    const view = p.addServer({ id: 'a', transport: server('a').transport });
    await p.start({ strict: true });
    expect(connected).toEqual([expect.objectContaining({ serverId: 'a', era: 'legacy' })]);
    expect(view.era).toBe('legacy');
    expect(p.getMetrics().serverMetrics[0]?.era).toBe('legacy');
    const client = new MultiServerClient(p);
    expect(resultText(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
  });

  it('refuses a protocol no connector speaks at addServer, naming the package to install', () => {
    const p = pool();
    let caught: unknown;
    try {
      p.addServer({ id: 'm', protocol: '2026-07-28', transport: server('m').transport });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigError);
    const issue = (caught as InvalidConfigError).issues[0];
    expect(issue?.path).toBe('server.protocol');
    expect(issue?.message).toMatch(/@mcpool\/connector-modern/);
    expect(p.servers()).toHaveLength(0);
  });

  it('defaults protocol to auto once a registered connector supports it, else legacy', async () => {
    const auto = new ProbeCounter(['auto', '2026-07-28']);
    const p = pool({ connectors: [auto] });
    p.addServer({ id: 'a', transport: server('a').transport });
    p.addServer({ id: 'b', protocol: 'legacy', transport: server('b').transport });
    await p.start({ strict: true });
    expect(auto.connects.map((c) => [c.serverId, c.protocol])).toEqual([['a', 'auto']]);

    const legacyOnly = new ProbeCounter(['legacy']);
    const q = pool({ connectors: [legacyOnly] });
    q.addServer({ id: 'c', transport: server('c').transport });
    await q.start({ strict: true });
    expect(legacyOnly.connects.map((c) => c.protocol)).toEqual(['legacy']);
  });

  it('keeps the verdict per server and hands it to every later connect as prior: one probe', async () => {
    const counter = new ProbeCounter();
    counter.verdictKind = 'modern';
    const p = pool({ connectors: [counter], maxConnectionsPerServer: 3 });
    const s = startInProcessServer({ id: 'a', latencyMs: 30 });
    cleanup(() => s.close());
    const view = p.addServer({ id: 'a', transport: s.transport });
    await p.start({ strict: true });
    const client = new MultiServerClient(p);
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        Array.from({ length: 6 }, () =>
          client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }),
        ),
      );
    }
    expect(p.getMetrics().serverMetrics[0]?.connections).toBeGreaterThan(1);
    expect(counter.probes).toBe(1);
    const first = counter.wrapped[0]?.verdict;
    expect(counter.connects.slice(1).every((c) => c.prior === first)).toBe(true);
    expect(view.era).toBe('modern');
  });

  it('re-probes a server whose legacy verdict is older than eraRecheckInterval', async () => {
    const counter = new ProbeCounter();
    const p = pool({ connectors: [counter], eraRecheckInterval: 40 });
    const s = server('a');
    p.addServer({ id: 'a', transport: s.transport });
    await p.start({ strict: true });
    // The server drops its connections; the reconnect comes after the horizon.
    await new Promise((r) => setTimeout(r, 60));
    s.state.mode = 'crash';
    const client = new MultiServerClient(p);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }).catch(() => {});
    s.state.mode = 'ok';
    await waitFor(() => counter.connects.length >= 2 && p.getMetrics().healthyServers === 1);
    expect(counter.connects[1]?.prior).toBeUndefined();
    expect(counter.probes).toBe(2);
  });

  it('hands a fresh legacy verdict to a reconnect within eraRecheckInterval', async () => {
    const counter = new ProbeCounter();
    const p = pool({ connectors: [counter] });
    const s = server('a');
    p.addServer({ id: 'a', transport: s.transport });
    await p.start({ strict: true });
    s.state.mode = 'crash';
    const client = new MultiServerClient(p);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }).catch(() => {});
    s.state.mode = 'ok';
    await waitFor(() => counter.connects.length >= 2 && p.getMetrics().healthyServers === 1);
    expect(counter.connects[1]?.prior?.kind).toBe('legacy');
    expect(counter.probes).toBe(1);
  });

  it('drops a stale modern prior and probes once more at connect', async () => {
    const counter = new ProbeCounter();
    counter.verdictKind = 'modern';
    const p = pool({ connectors: [counter] });
    const s = server('a');
    const view = p.addServer({ id: 'a', transport: s.transport });
    await p.start({ strict: true });
    expect(view.era).toBe('modern');
    counter.upgradedAway = true;
    counter.verdictKind = 'legacy';
    s.state.mode = 'crash';
    const client = new MultiServerClient(p);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }).catch(() => {});
    s.state.mode = 'ok';
    await waitFor(() => p.getMetrics().healthyServers === 1 && view.era === 'legacy');
    expect(counter.connects.map((c) => c.prior?.kind)).toEqual([undefined, 'modern', undefined]);
  });

  it('on an era doubt re-probes once per server while the others wait, and sends each refused call once more', async () => {
    const counter = new ProbeCounter();
    const p = pool({ connectors: [counter], maxConnectionsPerServer: 1 });
    const s = server('a');
    p.addServer({ id: 'a', transport: s.transport });
    await p.start({ strict: true });
    const before = counter.wrapped[0] as Wrapped;
    before.doubted = true;
    const renewed: unknown[] = [];
    p.on('server:session-renewed', (e) => renewed.push(e));
    const client = new MultiServerClient(p);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.callTool({ name: 'add', arguments: { a: i, b: 10 } }),
      ),
    );
    expect(results.map(resultText)).toEqual(['10', '11', '12', '13', '14']);
    expect(before.refused).toBe(5);
    expect(counter.probes).toBe(2);
    expect(counter.connects).toHaveLength(2);
    // The kept connection changed: subscriptions are told to move.
    expect(renewed).toEqual([
      { serverId: 'a', sessionId: (counter.wrapped[1] as Wrapped).sessionId },
    ]);
    // The doubted connection is out of use: the next call goes on the re-probed one.
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(before.refused).toBe(5);
  });

  it('follows list changes on the kept connection, again after a drop, and stops at close', async () => {
    const counter = new ProbeCounter();
    const p = pool({ connectors: [counter], reconnect: { baseMs: 10, maxMs: 50 } });
    p.addServer({ id: 'a', transport: server('a').transport });
    await p.start({ strict: true });
    const kept = counter.wrapped[0] as Wrapped;
    await waitFor(() => kept.follows.length === 1);
    expect(kept.follows[0]?.filter).toMatchObject({ toolsListChanged: true });
    kept.follows[0]?.drop();
    await waitFor(() => kept.follows.length === 2);
    expect(kept.follows[1]?.closedLocally).toBe(false);
    await p.close();
    await waitFor(() => kept.follows[1]?.closedLocally === true);
    expect(kept.follows).toHaveLength(2);
  });

  it('reconnects a server whose protocol changed in sync()', async () => {
    const counter = new ProbeCounter(['legacy', 'auto']);
    const p = pool({ connectors: [counter] });
    const s = server('a');
    p.addServer({ id: 'a', protocol: 'legacy', transport: s.transport });
    await p.start({ strict: true });
    const result = await p.sync([{ id: 'a', protocol: 'auto', transport: s.transport }]);
    expect(result.updated).toEqual(['a']);
    await waitFor(() => counter.connects.length === 2);
    expect(counter.connects.map((c) => c.protocol)).toEqual(['legacy', 'auto']);
  });

  it('refuses a server set with a protocol no connector speaks before changing anything', async () => {
    const p = pool();
    const s = server('a');
    p.addServer({ id: 'a', transport: s.transport });
    await p.start({ strict: true });
    const refused = await p
      .sync([{ id: 'b', protocol: '2026-07-28', transport: server('b').transport }])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidConfigError);
    expect((refused as InvalidConfigError).issues.map((i) => i.path)).toEqual([
      'servers[0].protocol',
    ]);
    expect(p.servers().map((v) => v.id)).toEqual(['a']);
  });

  it('the legacy connection checks with ping, and its following ends locally or with the session', async () => {
    const s = server('a');
    const closes: Connection[] = [];
    const connection = await legacyConnector().connect({
      serverId: 'a',
      transport: s.transport,
      protocol: 'legacy',
      clientInfo: { name: 'test', version: '0' },
      handlers: {},
      listener: { onClose: (c) => closes.push(c), onNotification: () => {} },
      connectTimeout: 5_000,
    });
    cleanup(() => connection.close());
    expect(connection.era).toBe('legacy');
    expect(connection.sessionful).toBe(true);
    expect(connection.verdict.kind).toBe('legacy');
    await connection.check({ timeout: 5_000 });
    expect(await connection.request('ping', undefined, { timeout: 5_000 })).toEqual({});
    const mine = await connection.follow({ toolsListChanged: true });
    const theirs = await connection.follow({ toolsListChanged: true });
    await mine.close();
    expect(await mine.closed).toBe('local');
    s.state.mode = 'crash';
    await connection
      .request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } }, { timeout: 5_000 })
      .catch(() => {});
    expect(await theirs.closed).toBe('remote');
    expect(closes).toEqual([connection]);
    expect(connection.closed).toBe(true);
  });

  it('fails a legacy connect to a modern-only server with an error naming the era and what to set', async () => {
    const modernOnly = await startV2HttpServer({ id: 'strict', legacy: 'reject' });
    cleanup(() => modernOnly.close());
    const p = pool();
    p.addServer({ id: 'strict', transport: modernOnly.transport });
    const failure = await p.start({ strict: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    const message = (failure as Error).message;
    expect(message).toMatch(/only MCP 2026-07-28/);
    expect(message).toMatch(/@mcpool\/connector-modern/);
    expect(message).toMatch(/"auto"/);
    // The connector's own error says which era the server speaks.
    const direct = await legacyConnector()
      .connect({
        serverId: 'strict',
        transport: modernOnly.transport,
        protocol: 'legacy',
        clientInfo: { name: 'test', version: '0' },
        handlers: {},
        listener: { onClose: () => {}, onNotification: () => {} },
        connectTimeout: 5_000,
      })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(EraMismatchError);
    expect((direct as EraMismatchError).serverEra).toBe('modern');
  });
});
