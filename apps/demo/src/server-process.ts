import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DemoKnobs } from './server.js';

// From dist/ the server sits beside this module; under vitest this module is
// src/*.ts and plain Node cannot run TypeScript, so use the build output.
const SERVER_MAIN = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../dist/server.js' : './server.js', import.meta.url),
);

/** One demo MCP server running as its own process on 127.0.0.1. */
export class DemoServerProcess {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(
    readonly id: string,
    private readonly knobs: Partial<DemoKnobs> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the process (on the same port as before after a kill) and waits until it listens. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [SERVER_MAIN], {
      env: {
        ...process.env,
        DEMO_SERVER_ID: this.id,
        PORT: String(this.port),
        DEMO_LATENCY_MS: String(this.knobs.latencyMs ?? 0),
        DEMO_WRONG_OFFSET: String(this.knobs.wrongOffset ?? 0),
        DEMO_FAIL_RATE: String(this.knobs.failRate ?? 0),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`demo server ${this.id} did not start in 10 s`)),
        10_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`demo server ${this.id} exited with code ${code} while starting`));
      });
      lines.on('line', (line) => {
        try {
          const message = JSON.parse(line) as { listening?: number };
          if (message.listening) {
            clearTimeout(timer);
            resolve(message.listening);
          }
        } catch {
          // Not a status line.
        }
      });
    });
    lines.close();
    this.port = port;
  }

  /** Kills the process at once, like a crash. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  /** Changes the knobs of the running server. */
  async set(knobs: Partial<DemoKnobs>): Promise<void> {
    Object.assign(this.knobs, knobs);
    const res = await fetch(`http://127.0.0.1:${this.port}/control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(knobs),
    });
    if (!res.ok) throw new Error(`demo server ${this.id} refused its knobs: HTTP ${res.status}`);
  }

  async close(): Promise<void> {
    await this.stop('SIGTERM');
  }

  private async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}
