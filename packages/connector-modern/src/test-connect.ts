import type {
  Connection,
  ConnectionListener,
  ConnectOptions,
  EraVerdict,
  ProtocolSetting,
  TransportConfig,
} from '@mcpool/core';
import type { Cleanup } from '@mcpool/core/testing';
import { startV2HttpServer, type V2HttpTestServer } from '@mcpool/testkit';
import { modernConnector } from './modern-connector.js';

/** What a test connection's listener heard. */
export interface Heard {
  closes: number;
  notifications: string[];
  eraInDoubt: unknown[];
}

/** Opens one connection with the modern connector, recording what its listener hears. */
export async function connectModern(
  transport: TransportConfig,
  protocol: ProtocolSetting,
  extra: Partial<ConnectOptions> & {
    reprobe?: () => Promise<Connection | undefined>;
  } = {},
): Promise<{ connection: Connection; heard: Heard }> {
  const heard: Heard = { closes: 0, notifications: [], eraInDoubt: [] };
  const listener: ConnectionListener = {
    onClose: () => {
      heard.closes++;
    },
    onNotification: (_connection, notification) => {
      heard.notifications.push(notification.method);
    },
    onEraInDoubt: async (_connection, cause) => {
      heard.eraInDoubt.push(cause);
      return extra.reprobe ? extra.reprobe() : undefined;
    },
  };
  const connection = await modernConnector().connect({
    serverId: 's',
    transport,
    protocol,
    clientInfo: { name: 'mcpool-test', version: '0.0.0' },
    handlers: {},
    listener,
    connectTimeout: 10_000,
    ...extra,
  });
  return { connection, heard };
}

export type { EraVerdict };

/** A v2 test server and modern connections to it, each closed by `cleanup` after the test. */
export function modernRig(cleanup: Cleanup) {
  return {
    async v2(options: Parameters<typeof startV2HttpServer>[0]): Promise<V2HttpTestServer> {
      const server = await startV2HttpServer(options);
      cleanup(() => server.close());
      return server;
    },
    async open(...args: Parameters<typeof connectModern>) {
      const opened = await connectModern(...args);
      cleanup(() => opened.connection.close());
      return opened;
    },
  };
}
