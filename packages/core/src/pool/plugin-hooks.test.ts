import { startInProcessServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { resourceSubscriptions } from '../deprecated.js';
import type { AttemptReport } from '../spec/attempt.js';
import { startPool, useCleanup } from '../testing/index.js';

const cleanup = useCleanup();

async function twoServers() {
  const servers = ['s1', 's2'].map((id) => cleanup(startInProcessServer({ id })));
  const pool = await startPool(servers, { cleanup });
  const client = cleanup(new MultiServerClient(pool));
  return { pool, client };
}

const add = { name: 'add', arguments: { a: 1, b: 2 } };

describe('plugin hooks', () => {
  it('runs wrapAttempt around each attempt, wrapCall around each call, and onAttempt after each', async () => {
    const { pool, client } = await twoServers();
    const seen: string[] = [];
    const reports: AttemptReport[] = [];
    const remove = pool.use({
      name: 'hooks',
      wrapCall: async (context, next) => {
        seen.push(`call:${context.request.method}`);
        const value = await next(context);
        seen.push(`answered:${context.answeredBy?.join(',')}`);
        return value;
      },
      wrapAttempt: async (context, next) => {
        seen.push(`attempt:${context.server.id}`);
        return next();
      },
      onAttempt: (report) => {
        reports.push(report);
      },
    });
    await client.callTool(add, { server: 's2' });
    expect(seen).toEqual(['call:tools/call', 'attempt:s2', 'answered:s2']);
    expect(reports.map((r) => [r.server.id, r.outcome])).toEqual([['s2', 'success']]);
    await remove();
    await client.callTool(add);
    expect(seen).toHaveLength(3);
    expect(reports).toHaveLength(1);
  });

  it('keeps the attempt hook of before 0.2 working', async () => {
    const { pool, client } = await twoServers();
    const servers: string[] = [];
    pool.use({
      name: 'old-door',
      attempt: async (context, next) => {
        servers.push(context.server.id);
        return next();
      },
    });
    await client.callTool(add, { server: 's1' });
    expect(servers).toEqual(['s1']);
  });

  it('reports a throwing onAttempt as pool:error, and the call still answers', async () => {
    const { pool, client } = await twoServers();
    const errors: string[] = [];
    pool.on('pool:error', ({ source }) => errors.push(source));
    pool.use({
      name: 'clumsy',
      onAttempt: () => {
        throw new Error('oops');
      },
    });
    await expect(client.callTool(add)).resolves.toBeTypeOf('object');
    expect(errors).toEqual(['plugin clumsy']);
  });

  it('tells a client middleware which servers answered', async () => {
    const { client } = await twoServers();
    let answered: string[] = [];
    client.use(async (context, next) => {
      const value = await next(context);
      answered = [...(context.answeredBy ?? [])];
      return value;
    });
    await client.callTool(add, { server: 's1' });
    expect(answered).toEqual(['s1']);
  });
});

describe('pool.subscriptions', () => {
  it('is one registry per pool that the deprecated module export reads too', async () => {
    const a = cleanup(startInProcessServer({ id: 'a', subscriptions: true }));
    const pool = await startPool([a], { cleanup });
    const [server] = pool.servers();
    if (!server) throw new Error('no server');
    const uri = (await pool.listResources())[0]?.uri;
    if (!uri) throw new Error('no resource');
    await pool.subscriptions.subscribe([server], uri, 'holder-1', undefined);
    expect(pool.subscriptions.holds('a', uri, 'holder-1')).toBe(true);
    expect(resourceSubscriptions.holds(pool, 'a', uri, 'holder-1')).toBe(true);
    await resourceSubscriptions.unsubscribe(pool, uri, 'holder-1');
    expect(pool.subscriptions.holds('a', uri, 'holder-1')).toBe(false);
  });

  it("runs onAttempt hooks after the attempt event's listeners", async () => {
    const { pool, client } = await twoServers();
    const order: string[] = [];
    pool.on('attempt', () => order.push('event'));
    pool.use({ name: 'hears', onAttempt: () => order.push('hook') });
    await client.callTool(add);
    expect(order).toEqual(['event', 'hook']);
  });

  it('says server:removing once a server left the pool, and server:removed once it is gone', async () => {
    const { pool } = await twoServers();
    const seen: string[] = [];
    pool.on('server:removing', ({ serverId }) =>
      seen.push(`removing ${serverId}, in the pool: ${pool.server(serverId) !== undefined}`),
    );
    pool.on('server:removed', ({ serverId }) => seen.push(`removed ${serverId}`));
    const removal = pool.removeServer('s2');
    expect(seen).toEqual(['removing s2, in the pool: false']);
    await removal;
    expect(seen).toEqual(['removing s2, in the pool: false', 'removed s2']);
  });
});
