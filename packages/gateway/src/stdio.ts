import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Gateway } from './gateway.js';
import type { GatewaySession } from './session.js';

/** Where the stdio session reads and writes. @default process.stdin / process.stdout */
export interface StdioGatewayOptions {
  stdin?: Readable | undefined;
  stdout?: Writable | undefined;
}

/**
 * Serves one downstream client (a desktop host that spawned `mcpool serve`)
 * over stdin/stdout. The session closes when stdin ends.
 */
export async function serveStdio(
  gateway: Gateway,
  options: StdioGatewayOptions = {},
): Promise<GatewaySession> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const transport = new StdioServerTransport(stdin, stdout);
  const session = await gateway.connect(transport);
  // StdioServerTransport does not notice the end of its input; the host closing our stdin is the end.
  const onEnd = () => {
    void session.close();
  };
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  void session.closed.then(() => {
    stdin.off('end', onEnd);
    stdin.off('close', onEnd);
  });
  return session;
}
