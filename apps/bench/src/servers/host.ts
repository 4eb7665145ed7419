/**
 * A child process that hosts Streamable HTTP test servers on 127.0.0.1 for the
 * benchmark, so that server work runs on its own core and the parent's CPU
 * figures are the client's alone. Driven over IPC by `fleet.ts`.
 */
import { type HttpTestServer, startHttpServer } from '@mcpool/testkit';
import type { HostReply, HostRequest } from './protocol.js';

const servers = new Map<string, HttpTestServer>();

function need(id: string): HttpTestServer {
  const server = servers.get(id);
  if (!server) throw new Error(`no server "${id}" in this host`);
  return server;
}

async function handle(request: HostRequest): Promise<HostReply['result']> {
  switch (request.cmd) {
    case 'start': {
      const started = await Promise.all(
        request.servers.map((spec) =>
          startHttpServer(spec.latencyMs === undefined ? { id: spec.id } : spec),
        ),
      );
      for (const s of started) servers.set(s.id, s);
      return { servers: started.map((s) => ({ id: s.id, url: s.url })) };
    }
    case 'kill':
      await need(request.server).kill();
      return {};
    case 'restart':
      await need(request.server).restart();
      return {};
    case 'latency':
      need(request.server).state.latencyMs = request.ms;
      return {};
    case 'counts':
      return {
        counts: Object.fromEntries([...servers.values()].map((s) => [s.id, s.state.callCount])),
        sessions: Object.fromEntries([...servers.values()].map((s) => [s.id, s.sessionCount()])),
      };
    case 'close':
      await Promise.all([...servers.values()].map((s) => s.close()));
      servers.clear();
      return {};
  }
}

process.on('message', (message: HostRequest) => {
  handle(message).then(
    (result) => process.send?.({ seq: message.seq, ok: true, result } satisfies HostReply),
    (error: unknown) =>
      process.send?.({
        seq: message.seq,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies HostReply),
  );
});

// The parent went away (or closed the channel after `close`): leave no server behind.
process.on('disconnect', () => {
  Promise.all([...servers.values()].map((s) => s.close())).finally(() => process.exit(0));
});

process.send?.({ seq: 0, ok: true, result: {} } satisfies HostReply);
