import { InvalidConfigError } from '@mcpool/core';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './config.js';
import { createGuards } from './http-guards.js';
import { createSessionSealer } from './session-token.js';

function issuesOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as InvalidConfigError).issues;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('HTTP options', () => {
  it('are refused by startHttpGateway with the messages of the configuration file', () => {
    const guards = issuesOf(() =>
      createGuards({ token: 'short', allowedOrigins: ['https://app.example', 'not a url'] }),
    );
    const file = issuesOf(() =>
      parseGatewayConfig({
        mcpServers: {},
        http: { token: 'short', allowedOrigins: ['https://app.example', 'not a url'] },
      }),
    );
    expect(guards).toEqual([
      { path: 'token', message: 'use a token of at least 16 characters' },
      { path: 'allowedOrigins[1]', message: 'give an origin such as https://app.example.com' },
    ]);
    expect(file).toEqual([
      { path: 'http.token', message: 'use a token of at least 16 characters' },
      { path: 'http.allowedOrigins.1', message: 'give an origin such as https://app.example.com' },
    ]);
    expect(() =>
      createGuards({ token: 'a-token-of-16-chars', allowedHosts: ['example.com'] }),
    ).not.toThrow();
  });

  it('refuses a sealer without a secret or with a short one, naming which', () => {
    expect(issuesOf(() => createSessionSealer({ secrets: ['x'.repeat(32), 'short'] }))).toEqual([
      {
        path: 'sessionSecret[1]',
        message: 'use at least 32 random characters (openssl rand -base64 32)',
      },
    ]);
    expect(issuesOf(() => createSessionSealer({ secrets: [] }))).toEqual([
      { path: 'sessionSecret', message: 'give at least one secret' },
    ]);
  });
});
