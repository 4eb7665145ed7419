/**
 * The modern (2026-07-28) client of the gateway part: the v2 SDK client
 * pinned to the modern era, which sends every request with its `_meta`
 * envelope and no session.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ADD } from '../clients.js';

export interface ModernCaller {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

/** Connects a v2 client pinned to 2026-07-28 and lists the tools once, as the v1 client does. */
export async function connectModernClient(url: string): Promise<ModernCaller> {
  const client = new Client(
    { name: 'bench-modern', version: '0.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  if (client.getProtocolEra() !== 'modern')
    throw new Error('the gateway did not serve the modern era');
  await client.listTools();
  return {
    call: () => client.callTool(ADD),
    close: () => client.close().catch(() => {}),
  };
}
