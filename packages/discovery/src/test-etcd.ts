import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@mcpool/testkit';

/** Whether an `etcd` binary is on PATH (Debian's etcd-server package). */
export const hasEtcd = spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * A private etcd on free 127.0.0.1 ports with its own data directory.
 * `kill()` is a crash (SIGKILL); `restart()` starts it again on the same ports
 * and data, so what it held comes back, leases included.
 */
export class TestEtcd {
  private child: ChildProcess | undefined;
  private dir = '';
  private clientPort = 0;
  private peerPort = 0;
  output = '';

  get endpoint(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'mcpool-etcd-'));
    for (let attempt = 0; ; attempt++) {
      this.clientPort = await freePort();
      this.peerPort = await freePort();
      if (await this.launch()) return;
      // Someone took a port between freePort() and bind: try others.
      if (attempt >= 3) throw new Error(`etcd did not start:\n${this.output}`);
    }
  }

  async restart(): Promise<void> {
    if (!(await this.launch())) throw new Error(`etcd did not restart:\n${this.output}`);
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await this.kill();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<boolean> {
    this.output = '';
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const child = spawn(
      'etcd',
      [
        '--name=test',
        `--data-dir=${join(this.dir, 'data')}`,
        `--listen-client-urls=${this.endpoint}`,
        `--advertise-client-urls=${this.endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=test=${peer}`,
        '--listen-metrics-urls=',
        '--log-level=info',
        '--logger=zap',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch },
      },
    );
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.child = child;
    try {
      await waitFor(
        () =>
          /serving client traffic|ready to serve client requests/.test(this.output) ||
          child.exitCode !== null,
        {
          timeoutMs: 15_000,
          message: 'etcd to start',
        },
      );
    } catch (error) {
      await this.kill();
      throw error;
    }
    if (child.exitCode !== null) {
      this.child = undefined;
      return false;
    }
    return true;
  }
}
