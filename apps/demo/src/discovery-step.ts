import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover, fileSource } from '@mcpool/discovery';
import type { Step } from './scenario.js';
import { DemoServerProcess } from './server-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The servers file as a deployment tool would write it: a new file renamed over the old. */
async function publish(path: string, servers: readonly DemoServerProcess[]): Promise<void> {
  const doc = { mcpServers: Object.fromEntries(servers.map((s) => [s.id, { url: s.url }])) };
  await writeFile(`${path}.tmp`, JSON.stringify(doc, null, 2));
  await rename(`${path}.tmp`, path);
}

/**
 * Service discovery: the pool follows an `mcpServers` file while calls run.
 * A fourth server starts and is published; then one is unpublished, drained
 * and only then stopped, the way a rolling scale-down should go.
 */
export const discoveryStep: Step = {
  name: 'Discovery scales the pool: a fourth server joins, one leaves',
  needsProcesses: true,
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'mcpool-demo-discovery-'));
    const file = join(dir, 'servers.json');
    const running = ctx.processes.filter((p) => p.running);
    const ids = () =>
      ctx.pool
        .servers()
        .map((s) => s.id)
        .sort()
        .join(', ');
    await publish(file, running);
    const discovery = discover(ctx.pool, fileSource(file), { settle: 100 });
    discovery.on('discovery:update', (e) => {
      const parts = [
        ...e.added.map((id) => `+${id}`),
        ...e.removed.map((id) => `-${id}`),
        ...e.updated.map((id) => `~${id}`),
      ];
      if (parts.length > 0) ctx.dashboard?.event(`discovery: ${parts.join(' ')}`);
      ctx.log.info({ added: e.added, removed: e.removed }, `Discovery: pool is now ${ids()}`);
    });
    let stop = false;
    let calls = 0;
    let failed = 0;
    const served = new Map<string, number>();
    const worker = async () => {
      while (!stop) {
        try {
          const r = await ctx.client.callTool({ name: 'server_info', arguments: {} });
          const id = (r.content as { text?: string }[])[0]?.text ?? '';
          served.set(id, (served.get(id) ?? 0) + 1);
        } catch {
          failed++;
        }
        calls++;
        await sleep(2);
      }
    };
    const workers: Promise<void>[] = [];
    const fourth = new DemoServerProcess(`calc-${ctx.processes.length + 1}`);
    const leaving = running[running.length - 1];
    try {
      await discovery.ready(AbortSignal.timeout(5_000));
      for (let i = 0; i < 8; i++) workers.push(worker());

      await fourth.start();
      // main closes every process of the list at the end, this one too.
      ctx.processes.push(fourth);
      await publish(file, [...running, fourth]);
      const joinedAt = performance.now();
      for (let i = 0; i < 200 && !served.has(fourth.id); i++) {
        ctx.terminal.progress(`waiting for ${fourth.id} to take calls… pool: ${ids()}`);
        await sleep(25);
      }
      const joinMs = performance.now() - joinedAt;
      const joined = served.has(fourth.id);

      if (!leaving) return { ok: false, detail: 'no server to remove' };
      await publish(file, [...running.filter((p) => p !== leaving), fourth]);
      for (let i = 0; i < 200 && ctx.pool.server(leaving.id); i++) {
        ctx.terminal.progress(`waiting for ${leaving.id} to drain and leave… pool: ${ids()}`);
        await sleep(25);
      }
      const left = ctx.pool.server(leaving.id) === undefined;
      // Out of the pool, its calls finished: now the process may go.
      await leaving.close();
      ctx.dashboard?.event(`stopped ${leaving.id}`);
      served.clear();
      await sleep(300);
      stop = true;
      await Promise.all(workers);
      const lateCalls = served.get(leaving.id) ?? 0;
      return {
        ok: joined && left && failed === 0 && lateCalls === 0,
        detail: `${fourth.id} took calls ${joined ? `${joinMs.toFixed(0)} ms after it was published` : 'NEVER'}; ${leaving.id} ${left ? 'drained and left' : 'did NOT leave'}; ${calls - failed}/${calls} calls succeeded; pool: ${ids()}`,
      };
    } finally {
      stop = true;
      await Promise.all(workers);
      await discovery.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
