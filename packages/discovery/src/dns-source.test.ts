import { MultiServerClient, ServerPool } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { type HttpTestServer, resultText, startHttpServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { discover } from './discover.js';
import { type DnsSourceOptions, dnsSource } from './dns-source.js';
import { type Replica, sourceContract } from './test-contract.js';
import { TestDnsServer } from './test-dns-server.js';

const NAME = 'mcp-servers.default.svc.cluster.local';

/** The source contract for `dnsSource` over a test DNS server that `publish` fills. */
function dnsContract(
  title: string,
  publishTo: (dns: TestDnsServer, replicas: readonly Replica[]) => void,
  options: Omit<DnsSourceOptions, 'servers' | 'queryTimeout' | 'minInterval'>,
): void {
  sourceContract(title, async (replicas) => {
    const dns = new TestDnsServer();
    await dns.start();
    const publish = async (next: readonly Replica[]) => publishTo(dns, next);
    await publish(replicas);
    return {
      source: dnsSource({ ...options, servers: [dns.address], queryTimeout: 200, minInterval: 50 }),
      publish,
      breakSource: () => dns.stop(),
      repair: () => dns.start(),
      close: () => dns.stop(),
    };
  });
}

dnsContract(
  'dnsSource (A)',
  (dns, next) =>
    dns.set(
      NAME,
      next.map((r) => ({ type: 'A', address: r.host, ttl: 1 })),
    ),
  { name: NAME, port: 18_080 },
);

dnsContract(
  'dnsSource (SRV)',
  (dns, next) => {
    dns.set(
      `_mcp._tcp.${NAME}`,
      next.map((r) => ({ type: 'SRV', target: `${r.name}.${NAME}`, port: r.port, ttl: 1 })),
    );
    for (const r of next) dns.set(`${r.name}.${NAME}`, [{ type: 'A', address: r.host, ttl: 1 }]);
  },
  { name: `_mcp._tcp.${NAME}`, type: 'SRV' },
);

describe('dnsSource', () => {
  const cleanup = useCleanup();

  async function dnsServer(): Promise<TestDnsServer> {
    const dns = new TestDnsServer();
    await dns.start();
    cleanup(() => dns.stop());
    return dns;
  }

  it('re-resolves on the TTL, kept within [minInterval, maxInterval]', async () => {
    const dns = await dnsServer();
    const source = dnsSource({ name: NAME, port: 80, servers: [dns.address] });
    dns.set(NAME, [
      { type: 'A', address: '127.0.0.2', ttl: 7 },
      { type: 'A', address: '127.0.0.3', ttl: 12 },
    ]);
    expect((await source.resolve()).refreshIn).toBe(7_000);
    dns.set(NAME, [{ type: 'A', address: '127.0.0.2', ttl: 1 }]);
    expect((await source.resolve()).refreshIn).toBe(5_000);
    dns.set(NAME, [{ type: 'A', address: '127.0.0.2', ttl: 3_600 }]);
    expect((await source.resolve()).refreshIn).toBe(30_000);
    const tight = dnsSource({
      name: NAME,
      port: 80,
      servers: [dns.address],
      minInterval: 100,
      maxInterval: 2_000,
    });
    expect((await tight.resolve()).refreshIn).toBe(2_000);
  });

  it('builds ids and URLs from the records, and reads NXDOMAIN as no replicas', async () => {
    const dns = await dnsServer();
    dns.set(NAME, [{ type: 'A', address: '127.0.0.2', ttl: 5 }]);
    const source = dnsSource({
      name: NAME,
      port: 8443,
      scheme: 'https',
      path: '/v1/mcp',
      servers: [dns.address],
    });
    expect((await source.resolve()).entries.map((e) => e.config)).toEqual([
      {
        id: 'mcp-servers-127-0-0-2',
        name: '127.0.0.2:8443',
        transport: { type: 'streamable-http', url: 'https://127.0.0.2:8443/v1/mcp' },
      },
    ]);
    const missing = dnsSource({ name: 'nobody.example.test', port: 1, servers: [dns.address] });
    expect((await missing.resolve()).entries).toEqual([]);
  });

  it('names the DNS server when it does not answer', async () => {
    const dns = await dnsServer();
    await dns.stop();
    const source = dnsSource({ name: NAME, port: 80, servers: [dns.address], queryTimeout: 100 });
    await expect(source.resolve()).rejects.toThrow(
      new RegExp(`dns:A ${NAME} failed: .*127\\.0\\.0\\.1:${dns.port}`),
    );
  });

  it('rejects options that cannot work', () => {
    expect(() => dnsSource({ name: NAME })).toThrow(/port: A and AAAA records carry no port/);
    expect(() => dnsSource({ name: '', type: 'SRV', path: 'mcp' })).toThrow(
      /name.*path|path.*name/s,
    );
  });

  it('the pool follows SRV records of real servers, and calls reach the new one', async () => {
    const dns = await dnsServer();
    const servers: HttpTestServer[] = await Promise.all(
      ['a', 'b', 'c'].map((id) => startHttpServer({ id })),
    );
    cleanup(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });
    const srv = `_mcp._tcp.${NAME}`;
    const publish = (list: HttpTestServer[]) => {
      dns.set(
        srv,
        list.map((s) => ({ type: 'SRV', target: `${s.id}.${NAME}`, port: s.port, ttl: 1 })),
      );
      for (const s of list)
        dns.set(`${s.id}.${NAME}`, [{ type: 'A', address: '127.0.0.1', ttl: 1 }]);
    };
    publish(servers.slice(0, 2));
    const pool = new ServerPool({ drainTimeout: 1_000 });
    const source = dnsSource({
      name: srv,
      type: 'SRV',
      servers: [dns.address],
      minInterval: 50,
      maxInterval: 100,
    });
    const d = discover(pool, source, { settle: 0 });
    const client = new MultiServerClient(pool);
    cleanup(async () => {
      await d.stop();
      await client.close();
    });
    await d.ready(AbortSignal.timeout(5_000));
    await pool.start();
    await pool.ready();
    expect(
      d
        .current()
        .map((s) => s.id)
        .sort(),
    ).toEqual([`mcp-servers-a-${servers[0]?.port}`, `mcp-servers-b-${servers[1]?.port}`].sort());
    publish(servers.slice(1));
    const seen = new Set<string>();
    await waitFor(
      async () => {
        seen.add(resultText(await client.callTool({ name: 'whoami', arguments: {} })));
        return seen.has('c');
      },
      { timeoutMs: 5_000, message: 'server c to serve a call' },
    );
    await waitFor(() => !pool.servers().some((s) => s.name?.includes(`:${servers[0]?.port}`)));
  });
});
