import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostCommand, HostReply } from './protocol.js';

/** Streamable HTTP test servers running in a child process, on 127.0.0.1. */
export interface HttpFleet {
  readonly servers: readonly { id: string; url: string }[];
  url(id: string): string;
  /** Stops listening and destroys every socket and session, like a crash. */
  kill(id: string): Promise<void>;
  /** Listens again on the same port. */
  restart(id: string): Promise<void>;
  setLatency(id: string, ms: number): Promise<void>;
  /** tools/call requests each server received, and its live sessions. */
  counts(): Promise<{ counts: Record<string, number>; sessions: Record<string, number> }>;
  /** Closes every server and ends the child process. */
  close(): Promise<void>;
}

const HOST = fileURLToPath(new URL('./host.js', import.meta.url));

export async function startHttpFleet(
  specs: readonly { id: string; latencyMs?: number }[],
): Promise<HttpFleet> {
  // No inspector, no --expose-gc: the host is a plain node process.
  const child: ChildProcess = fork(HOST, [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<
    number,
    { resolve: (r: HostReply) => void; reject: (e: Error) => void }
  >();
  let seq = 0;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  child.on('message', (reply: HostReply) => {
    const waiter = pending.get(reply.seq);
    if (!waiter) return;
    pending.delete(reply.seq);
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(new Error(`server host: ${reply.error ?? 'failed'}`));
  });
  child.on('exit', (code) => {
    exited = true;
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`server host exited (code ${code ?? 'signal'})`));
    }
    pending.clear();
  });
  const send = (command: HostCommand): Promise<HostReply> => {
    if (exited) return Promise.reject(new Error('server host has exited'));
    seq += 1;
    const at = seq;
    return new Promise((resolve, reject) => {
      pending.set(at, { resolve, reject });
      child.send({ ...command, seq: at });
    });
  };
  await ready;
  const started = await send({ cmd: 'start', servers: [...specs] });
  const servers = started.result?.servers ?? [];
  const urls = new Map(servers.map((s) => [s.id, s.url]));
  return {
    servers,
    url: (id) => {
      const url = urls.get(id);
      if (!url) throw new Error(`no server "${id}" in the fleet`);
      return url;
    },
    kill: async (id) => {
      await send({ cmd: 'kill', server: id });
    },
    restart: async (id) => {
      await send({ cmd: 'restart', server: id });
    },
    setLatency: async (id, ms) => {
      await send({ cmd: 'latency', server: id, ms });
    },
    counts: async () => {
      const reply = await send({ cmd: 'counts' });
      return { counts: reply.result?.counts ?? {}, sessions: reply.result?.sessions ?? {} };
    },
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await send({ cmd: 'close' }).catch(() => {});
      child.disconnect();
      await gone;
    },
  };
}
