import { InvalidConfigError, McpoolError } from '@mcpool/core';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DURATION_BUCKETS, prometheusExporter, startMetricsServer } from './index.js';
import { callOn, onCleanup, runCleanups, sample, startTestPool, testClient } from './test-pool.js';

afterEach(runCleanups);

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('prometheusExporter', () => {
  it('counts attempts by server, method and outcome, served over HTTP', async () => {
    const { pool, server } = await startTestPool(['a', 'b']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    const metrics = await exporter.startMetricsServer({ port: 0 });
    onCleanup(() => metrics.close());
    const client = testClient(pool);

    for (let i = 0; i < 3; i++) expect(await callOn(client, 'a')).toBeUndefined();
    server('b').state.mode = 'error';
    for (let i = 0; i < 2; i++) expect(await callOn(client, 'b')).toBeInstanceOf(Error);

    const text = await scrape(metrics.url);
    expect(text).toContain(
      'mcp_requests_total{server="a",method="tools/call",outcome="success"} 3\n',
    );
    expect(text).toContain(
      'mcp_requests_total{server="b",method="tools/call",outcome="server-error"} 2\n',
    );
    expect(text).not.toContain('server="a",method="tools/call",outcome="server-error"');
    expect(text).not.toContain('server="b",method="tools/call",outcome="success"');
  });

  it('observes attempt latency in seconds in the histogram buckets', async () => {
    const { pool } = await startTestPool(['a'], { latencyMs: 40 });
    const exporter = prometheusExporter();
    pool.use(exporter);
    const client = testClient(pool);
    for (let i = 0; i < 2; i++) expect(await callOn(client, 'a')).toBeUndefined();

    const text = await exporter.metrics();
    const series = (le: string) =>
      sample(
        text,
        `mcp_request_duration_seconds_bucket{le="${le}",server="a",method="tools/call"}`,
      );
    for (const le of DEFAULT_DURATION_BUCKETS) expect(series(String(le))).toBeDefined();
    expect(series('0.001')).toBe(0);
    // 40 ms of server latency: below the 25 ms bucket nothing, from 1 s up everything.
    expect(series('0.025')).toBe(0);
    expect(series('1')).toBe(2);
    expect(series('+Inf')).toBe(2);
    expect(sample(text, 'mcp_request_duration_seconds_count{server="a",method="tools/call"}')).toBe(
      2,
    );
    const sum = sample(text, 'mcp_request_duration_seconds_sum{server="a",method="tools/call"}');
    expect(sum).toBeGreaterThanOrEqual(0.07);
    expect(sum).toBeLessThan(1);
  });

  it('counts every attempt exactly across scrapes, however many come between two', async () => {
    const { pool } = await startTestPool(['a']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    const client = testClient(pool);
    const count = (text: string) =>
      sample(text, 'mcp_request_duration_seconds_count{server="a",method="tools/call"}');
    const total = (text: string) =>
      sample(text, 'mcp_requests_total{server="a",method="tools/call",outcome="success"}');

    // More than the exporter keeps waiting per series (it hands them on at 512), then a few more.
    const calls = (n: number) => Promise.all(Array.from({ length: n }, () => callOn(client, 'a')));
    expect((await calls(1100)).every((r) => r === undefined)).toBe(true);
    let text = await exporter.metrics();
    expect(total(text)).toBe(1100);
    expect(count(text)).toBe(1100);
    expect(
      sample(text, 'mcp_request_duration_seconds_bucket{le="+Inf",server="a",method="tools/call"}'),
    ).toBe(1100);
    // A second read adds nothing; attempts after it add to the figures.
    expect(total(await exporter.metrics())).toBe(1100);
    await calls(7);
    text = await exporter.metrics();
    expect(total(text)).toBe(1107);
    expect(count(text)).toBe(1107);
  });

  it('reads health, in-flight and server counts from the pool at scrape time', async () => {
    const { pool } = await startTestPool(['a', 'b']);
    const exporter = prometheusExporter();
    pool.use(exporter);

    let text = await exporter.metrics();
    expect(sample(text, 'mcp_server_healthy{server="a"}')).toBe(1);
    expect(sample(text, 'mcp_server_up{server="a"}')).toBe(1);
    expect(sample(text, 'mcp_servers_total')).toBe(2);
    expect(sample(text, 'mcp_servers_healthy')).toBe(2);
    expect(sample(text, 'mcp_server_inflight{server="a"}')).toBe(0);
    expect(sample(text, 'mcp_server_info{server="a",era="legacy"}')).toBe(1);
    expect(sample(text, 'mcp_server_info{server="b",era="legacy"}')).toBe(1);
    expect(text).not.toMatch(/mcp_server_info\{[^}]*era="modern"/);

    pool.exclude('a', 'operator', 'maintenance');
    text = await exporter.metrics();
    expect(sample(text, 'mcp_server_healthy{server="a"}')).toBe(0);
    expect(sample(text, 'mcp_server_up{server="a"}')).toBe(1);
    expect(sample(text, 'mcp_server_healthy{server="b"}')).toBe(1);
    expect(sample(text, 'mcp_servers_healthy')).toBe(1);
    expect(sample(text, 'mcp_circuit_breaker_state{server="a"}')).toBe(0);
    expect(
      sample(text, 'mcp_server_transitions_total{server="a",to="unhealthy",source="operator"}'),
    ).toBe(1);

    pool.include('a', 'operator');
    text = await exporter.metrics();
    expect(sample(text, 'mcp_server_healthy{server="a"}')).toBe(1);
    expect(
      sample(text, 'mcp_server_transitions_total{server="a",to="healthy",source="operator"}'),
    ).toBe(1);
  });

  it('shows in-flight requests while they run', async () => {
    const { pool, server } = await startTestPool(['a']);
    server('a').state.latencyMs = 300;
    const exporter = prometheusExporter();
    pool.use(exporter);
    const client = testClient(pool);
    const calls = Promise.all([callOn(client, 'a'), callOn(client, 'a')]);
    await new Promise((r) => setTimeout(r, 100));
    expect(sample(await exporter.metrics(), 'mcp_server_inflight{server="a"}')).toBe(2);
    await calls;
    expect(sample(await exporter.metrics(), 'mcp_server_inflight{server="a"}')).toBe(0);
  });

  it('derives breaker state from breaker exclusions, or asks breakerState', async () => {
    const { pool } = await startTestPool(['a', 'b', 'c']);
    const exporter = prometheusExporter({
      breakerState: (id) => (id === 'c' ? 'half-open' : undefined),
    });
    pool.use(exporter);
    pool.exclude('a', 'breaker', 'circuit open: 5 failures in 10 s');
    let text = await exporter.metrics();
    expect(sample(text, 'mcp_circuit_breaker_state{server="a"}')).toBe(1);
    expect(sample(text, 'mcp_circuit_breaker_state{server="b"}')).toBe(0);
    expect(sample(text, 'mcp_circuit_breaker_state{server="c"}')).toBe(2);
    expect(sample(text, 'mcp_server_healthy{server="a"}')).toBe(0);

    pool.exclude('a', 'breaker', 'circuit half-open: trial call');
    text = await exporter.metrics();
    expect(sample(text, 'mcp_circuit_breaker_state{server="a"}')).toBe(2);

    pool.include('a', 'breaker');
    text = await exporter.metrics();
    expect(sample(text, 'mcp_circuit_breaker_state{server="a"}')).toBe(0);
    expect(
      sample(text, 'mcp_server_transitions_total{server="a",to="unhealthy",source="breaker"}'),
    ).toBe(1);
  });

  it('reports a throwing breakerState as pool:error and falls back to exclusions', async () => {
    const { pool } = await startTestPool(['a']);
    const exporter = prometheusExporter({
      breakerState: () => {
        throw new Error('breaker gone');
      },
    });
    pool.use(exporter);
    const errors: string[] = [];
    pool.on('pool:error', (e) => errors.push(`${e.source}: ${(e.error as Error).message}`));
    pool.exclude('a', 'breaker', 'circuit open');
    expect(sample(await exporter.metrics(), 'mcp_circuit_breaker_state{server="a"}')).toBe(1);
    expect(errors).toEqual(['prometheus breakerState: breaker gone']);
  });

  it('counts retries, fallbacks and panics from the pool events', async () => {
    const { pool, server } = await startTestPool(['a', 'b']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    server('b').state.mode = 'error';
    const retrying = testClient(pool, { maxRetries: 2, backoff: { baseMs: 1, maxMs: 2 } });
    for (let i = 0; i < 4; i++) {
      await retrying.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    }
    const retries = retrying.getMetrics().retries;
    expect(retries).toBeGreaterThan(0);

    const falling = testClient(pool, { maxRetries: 0, fallback: { order: ['a'] } });
    let fallbacks = 0;
    pool.on('request:fallback', () => fallbacks++);
    for (let i = 0; i < 4; i++) {
      await falling.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    }
    expect(fallbacks).toBeGreaterThan(0);

    pool.exclude('a', 'operator', 'test');
    pool.exclude('b', 'operator', 'test');
    server('b').state.mode = 'ok';
    await retrying.callTool({ name: 'add', arguments: { a: 1, b: 1 } });

    const text = await exporter.metrics();
    expect(sample(text, 'mcp_retries_total{method="tools/call"}')).toBe(retries);
    expect(sample(text, 'mcp_fallbacks_total{method="tools/call"}')).toBe(fallbacks);
    expect(sample(text, 'mcp_pool_panic_total{method="tools/call"}')).toBe(1);
  });

  it('counts cache hits and misses given to recordCache', async () => {
    const exporter = prometheusExporter();
    let text = await exporter.metrics();
    expect(sample(text, 'mcp_cache_hits_total')).toBe(0);
    exporter.recordCache('hit');
    exporter.recordCache('hit', 2);
    exporter.recordCache('miss');
    text = await exporter.metrics();
    expect(sample(text, 'mcp_cache_hits_total')).toBe(3);
    expect(sample(text, 'mcp_cache_misses_total')).toBe(1);
    expect(() => exporter.recordCache('hit', -1)).toThrow(InvalidConfigError);
    expect(() => exporter.recordCache('other' as 'hit')).toThrow(InvalidConfigError);
  });

  it('adds what an observed cache counted since the last scrape', async () => {
    const exporter = prometheusExporter();
    exporter.recordCache('hit');
    const figures = { hits: 5, misses: 2 };
    const cache = { metrics: () => ({ ...figures }) };
    const stop = exporter.observeCache(cache);
    let text = await exporter.metrics();
    // What the cache counted before it was observed is not the exporter's to report.
    expect(sample(text, 'mcp_cache_hits_total')).toBe(1);
    figures.hits += 3;
    figures.misses += 1;
    text = await exporter.metrics();
    expect(sample(text, 'mcp_cache_hits_total')).toBe(4);
    expect(sample(text, 'mcp_cache_misses_total')).toBe(1);
    text = await exporter.metrics();
    expect(sample(text, 'mcp_cache_hits_total')).toBe(4);
    figures.hits = 2; // the cache was recreated
    text = await exporter.metrics();
    expect(sample(text, 'mcp_cache_hits_total')).toBe(6);
    stop();
    figures.hits = 100;
    expect(sample(await exporter.metrics(), 'mcp_cache_hits_total')).toBe(6);
  });

  it("drops a removed server's series, counters included", async () => {
    const { pool, server } = await startTestPool(['a', 'b']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    const client = testClient(pool);
    await callOn(client, 'a');
    await callOn(client, 'b');
    server('b').state.mode = 'error';
    await callOn(client, 'b');
    pool.exclude('b', 'operator', 'going away');

    let text = await exporter.metrics();
    expect(text).toContain('server="b"');
    await pool.removeServer('b');
    text = await exporter.metrics();
    expect(text).not.toContain('server="b"');
    expect(
      sample(text, 'mcp_requests_total{server="a",method="tools/call",outcome="success"}'),
    ).toBe(1);
    expect(sample(text, 'mcp_servers_total')).toBe(1);

    // The same id added again starts its series afresh.
    pool.addServer({ id: 'b', transport: server('b').transport });
    await pool.ready();
    server('b').state.mode = 'ok';
    await callOn(client, 'b');
    text = await exporter.metrics();
    expect(
      sample(text, 'mcp_requests_total{server="b",method="tools/call",outcome="success"}'),
    ).toBe(1);
  });

  it("writes into the user's registry, with a prefix and default labels", async () => {
    const { pool } = await startTestPool(['a', 'b']);
    const registry = new Registry();
    const own = new Counter({ name: 'app_jobs_total', help: 'Jobs.', registers: [registry] });
    own.inc(7);
    const exporter = prometheusExporter({
      registry,
      prefix: 'app_',
      defaultLabels: { pool: 'search' },
    });
    expect(exporter.registry).toBe(registry);
    pool.use(exporter);
    const client = testClient(pool);
    exporter.observeClient(client);
    await callOn(client, 'a');

    const server = await startMetricsServer({ registry, port: 0 });
    onCleanup(() => server.close());
    const text = await scrape(server.url);
    expect(sample(text, 'app_jobs_total')).toBe(7);
    expect(sample(text, 'app_mcp_servers_total{pool="search"}')).toBe(2);
    expect(
      sample(
        text,
        'app_mcp_requests_total{server="a",method="tools/call",outcome="success",pool="search"}',
      ),
    ).toBe(1);
    expect(sample(text, 'app_mcp_client_requests_total{outcome="success",pool="search"}')).toBe(1);
    expect(sample(text, 'app_mcp_cache_hits_total{pool="search"}')).toBe(0);
    expect(text).not.toMatch(/^mcp_/m);
    // The registry's own default labels are left alone.
    expect(text).toContain('app_jobs_total 7\n');
  });

  it('refuses a registry that already holds its names, and registers nothing then', async () => {
    const registry = new Registry();
    prometheusExporter({ registry });
    const before = registry.getMetricsAsArray().length;
    let error: unknown;
    try {
      prometheusExporter({ registry });
    } catch (e) {
      error = e;
    }
    expect(McpoolError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
    expect((error as Error).message).toContain('mcp_requests_total');
    expect(registry.getMetricsAsArray()).toHaveLength(before);
    expect(() => prometheusExporter({ registry, prefix: 'second_' })).not.toThrow();
  });

  it('reports every invalid option with its path', () => {
    let error: unknown;
    try {
      prometheusExporter({
        prefix: '9bad',
        defaultLabels: { server: 'x', 'bad-name': 'y' },
        buckets: [1, 0.5],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    const paths = (error as InvalidConfigError).issues.map((i) => i.path);
    expect(paths).toEqual([
      'prefix',
      'defaultLabels.server',
      'defaultLabels.bad-name',
      'buckets[1]',
    ]);
  });

  it('stops exporting on detach, and exports one pool at a time', async () => {
    const { pool } = await startTestPool(['a']);
    const other = await startTestPool(['z']);
    const exporter = prometheusExporter();
    const detach = pool.use(exporter);
    expect(exporter.pool).toBe(pool);
    expect(() => exporter.attach(other.pool)).toThrow(InvalidConfigError);
    const client = testClient(pool);
    await callOn(client, 'a');
    await detach();
    expect(exporter.pool).toBeUndefined();
    await callOn(client, 'a');
    const text = await exporter.metrics();
    expect(
      sample(text, 'mcp_requests_total{server="a",method="tools/call",outcome="success"}'),
    ).toBe(1);
    expect(text).not.toContain('mcp_server_healthy{');
    other.pool.use(exporter);
    expect(sample(await exporter.metrics(), 'mcp_server_healthy{server="z"}')).toBe(1);
  });
});

describe('observeClient', () => {
  it('counts whole calls by outcome with their duration', async () => {
    const { pool, server } = await startTestPool(['a', 'b']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    const client = testClient(pool, { maxRetries: 0 });
    const stop = exporter.observeClient(client);
    expect(exporter.observeClient(client)).toBe(stop);
    for (let i = 0; i < 3; i++) await callOn(client, 'a');
    server('b').state.mode = 'error';
    await callOn(client, 'b');
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }, { signal: aborted.signal }),
    ).rejects.toThrow();

    let text = await exporter.metrics();
    expect(sample(text, 'mcp_client_requests_total{outcome="success"}')).toBe(3);
    expect(sample(text, 'mcp_client_requests_total{outcome="server-error"}')).toBe(1);
    expect(sample(text, 'mcp_client_requests_total{outcome="aborted"}')).toBe(1);
    expect(sample(text, 'mcp_client_request_duration_seconds_count')).toBe(5);
    expect(sample(text, 'mcp_client_request_duration_seconds_bucket{le="+Inf"}')).toBe(5);

    stop();
    await callOn(client, 'a');
    text = await exporter.metrics();
    expect(sample(text, 'mcp_client_requests_total{outcome="success"}')).toBe(3);
  });
});
