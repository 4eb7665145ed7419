import { InvalidConfigError } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { startInProcessServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './config.js';
import { gatewayOptionsFromConfig } from './from-config.js';
import { Gateway } from './gateway.js';
import { createRedactor } from './redact.js';
import { connectInMemory, text } from './test-helpers.js';

const cleanup = useCleanup();

function issues(input: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseGatewayConfig(input, env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.issues.map((i) => i.path);
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseGatewayConfig', () => {
  it('reads the mcpServers format with mcpool options', () => {
    const config = parseGatewayConfig(
      {
        mcpServers: {
          'calc one': { command: 'node', args: ['calc.js'], env: { KEY: `\${env:CALC_KEY}` } },
          remote: {
            url: 'http://127.0.0.1:8081/mcp',
            headers: { authorization: `Bearer \${env:TOKEN}` },
            stateless: true,
            weight: 3,
          },
          legacy: { url: 'http://127.0.0.1:8082/sse', type: 'sse' },
          off: { command: 'nothing', disabled: true },
        },
        strategy: 'least_conn',
        aggregation: 'first',
        timeouts: { request: 5_000, attempt: 1_000 },
        retries: { max: 1, safeTools: ['search'] },
        fallback: { order: ['remote', 'calc one'] },
      },
      { CALC_KEY: 'k-123', TOKEN: 't-456' },
    );
    expect(config.servers).toEqual([
      {
        id: 'calc-one',
        name: 'calc one',
        transport: {
          type: 'stdio',
          command: 'node',
          args: ['calc.js'],
          env: { KEY: 'k-123' },
          cwd: undefined,
        },
        stateless: false,
      },
      {
        id: 'remote',
        name: 'remote',
        transport: {
          type: 'streamable-http',
          url: 'http://127.0.0.1:8081/mcp',
          headers: { authorization: 'Bearer t-456' },
        },
        weight: 3,
        stateless: true,
      },
      {
        id: 'legacy',
        name: 'legacy',
        transport: { type: 'sse', url: 'http://127.0.0.1:8082/sse', headers: undefined },
        stateless: false,
      },
    ]);
    expect(config.strategy).toBe('least_conn');
    expect(config.fallback).toEqual({ order: ['remote', 'calc-one'] });
  });

  it('reads session secrets (one or a list) and the sessionState marker', () => {
    const secret = 'a'.repeat(32);
    const config = parseGatewayConfig(
      {
        mcpServers: { login: { url: 'http://127.0.0.1:9/mcp', sessionState: true } },
        http: { sessionSecret: `\${env:SECRET}`, sessionMaxAge: 60_000 },
      },
      { SECRET: secret },
    );
    expect(config.http.sessionSecret).toBe(secret);
    expect(config.http.sessionMaxAge).toBe(60_000);
    expect(config.servers[0]?.sessionState).toBe(true);
    const list = parseGatewayConfig({
      mcpServers: { a: { url: 'http://127.0.0.1:9/mcp' } },
      http: { sessionSecret: [secret, 'b'.repeat(40)] },
    });
    expect(list.http.sessionSecret).toEqual([secret, 'b'.repeat(40)]);
    expect(
      issues({
        mcpServers: { a: { url: 'http://127.0.0.1:9/mcp', sessionState: 'yes' } },
        http: { sessionSecret: ['short'] },
      }),
    ).toEqual(expect.arrayContaining(['mcpServers.a.sessionState', 'http.sessionSecret.0']));
  });

  it('reads protocol per server and warns of unknown entry keys with the nearest known one', () => {
    const config = parseGatewayConfig({
      mcpServers: {
        modern: { url: 'http://127.0.0.1:8081/mcp', protocol: '2026-07-28', stateless: true },
        typo: { command: 'node', protocl: 'auto', wieght: 2, sessionstate: true },
      },
    });
    expect(config.servers.map((s) => [s.id, s.protocol])).toEqual([
      ['modern', '2026-07-28'],
      ['typo', undefined],
    ]);
    expect(config.warnings).toEqual([
      {
        path: 'mcpServers.typo.protocl',
        message: 'unknown key "protocl" is ignored; did you mean "protocol"?',
      },
      {
        path: 'mcpServers.typo.wieght',
        message: 'unknown key "wieght" is ignored; did you mean "weight"?',
      },
      {
        path: 'mcpServers.typo.sessionstate',
        message: 'unknown key "sessionstate" is ignored; did you mean "sessionState"?',
      },
    ]);
    expect(parseGatewayConfig({ mcpServers: { a: { command: 'x' } } }).warnings).toBeUndefined();
    expect(issues({ mcpServers: { a: { command: 'x', protocol: 'modern' } } })).toEqual([
      'mcpServers.a.protocol',
    ]);
  });

  it('names every problem with its path', () => {
    expect(
      issues(
        {
          mcpServers: {
            a: { command: 'x', env: { K: `\${env:MISSING}` } },
            'b.c': { command: 'x' },
            'b-c': { command: 'y' },
            x__y: { command: 'z' },
          },
          aggregation: 'best',
          http: { token: 'short', port: 70_000 },
          namespacing: { policy: 'sometimes' },
        },
        {},
      ),
    ).toEqual([
      'mcpServers.a.env.K',
      'namespacing.policy',
      'http.port',
      'http.token',
      'aggregation',
    ]);
    expect(
      issues({
        mcpServers: { 'b.c': { command: 'x' }, 'b-c': { command: 'y' }, x__y: { command: 'z' } },
        aggregation: 'best',
        http: { token: 'short', port: 70_000 },
        namespacing: { policy: 'sometimes' },
      }),
    ).toEqual(['namespacing.policy', 'http.port', 'http.token', 'aggregation']);
    expect(
      issues({
        mcpServers: { 'b.c': { command: 'x' }, 'b-c': { command: 'y' }, x__y: { command: 'z' } },
      }),
    ).toEqual(['mcpServers.b-c', 'mcpServers.x__y']);
    expect(issues({ mcpServers: {} })).toEqual(['mcpServers']);
    expect(issues([])).toEqual(['']);
  });

  it('checks health, breaker and cache options with their packages', async () => {
    const config = parseGatewayConfig({
      mcpServers: { a: { command: 'x' } },
      health: { interval: -5 },
      breaker: { errorThresholdPercentage: 300 },
      cache: { ttl: { tool: -1 } },
    });
    const error = await gatewayOptionsFromConfig(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
      'health.interval',
      'breaker.errorThresholdPercentage',
      'cache.ttl.tool',
    ]);
  });
});

describe('gatewayOptionsFromConfig', () => {
  it('runs a gateway with health checks, breakers and a cache from the file', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(a.close);
    const config = parseGatewayConfig({
      mcpServers: { a: { command: 'unused' } },
      health: { interval: 60_000 },
      breaker: true,
      cache: { ttl: { tool: 60_000 } },
    });
    const options = await gatewayOptionsFromConfig(config);
    // The file's servers are stdio; point the one server at an in-process one.
    const gateway = new Gateway({ ...options, servers: [{ id: 'a', transport: a.transport }] });
    cleanup(() => gateway.close());
    const host = await connectInMemory(gateway);
    cleanup(host.close);
    for (let i = 0; i < 3; i++) {
      expect(text(await host.client.callTool({ name: 'add', arguments: { a: 2, b: 2 } }))).toBe(
        '4',
      );
    }
    // add is read-only: the cache answered the second and third calls.
    expect(a.state.calls.add).toBe(1);
  });
});

describe('createRedactor', () => {
  it('masks header, env, URL and extra secrets wherever they appear', () => {
    const redact = createRedactor(
      [
        {
          id: 'h',
          transport: {
            type: 'streamable-http',
            url: 'https://user:pa55word@example.com/mcp?key=query-secret',
            headers: { authorization: 'Bearer header-secret' },
          },
        },
        {
          id: 's',
          transport: { type: 'stdio', command: 'x', env: { API_KEY: 'env-secret', N: '1' } },
        },
      ],
      ['gateway-token'],
    );
    expect(
      redact(
        'GET https://user:pa55word@example.com/mcp?key=query-secret failed: header-secret env-secret gateway-token 1',
      ),
    ).toBe(
      'GET https://user:[redacted]@example.com/mcp?[redacted] failed: [redacted] [redacted] [redacted] 1',
    );
  });
});
