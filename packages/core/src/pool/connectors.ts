import { MODERN_CONNECTOR_PACKAGE } from '../connection/legacy-connector.js';
import type { Connector, ProtocolSetting } from '../spec/connector.js';
import { InvalidConfigError } from '../spec/errors.js';

/*
 * Which connector serves a server: the first registered one that supports
 * its `protocol`, core's built-in legacy connector last. A server without a
 * `protocol` is `auto` once a registered connector supports that, else `legacy`.
 */

/** A server's protocol setting and the connector that serves it. */
export interface ConnectorChoice {
  readonly protocol: ProtocolSetting;
  readonly connector: Connector;
}

/**
 * Picks the connector for a server; throws `InvalidConfigError` naming the
 * package to install when none supports its `protocol`.
 */
export function chooseConnector(
  connectors: readonly Connector[],
  protocol: ProtocolSetting | undefined,
  path: string,
): ConnectorChoice {
  const registered = connectors.slice(0, -1);
  const setting: ProtocolSetting =
    protocol ?? (registered.some((c) => c.supports('auto')) ? 'auto' : 'legacy');
  const connector = connectors.find((c) => c.supports(setting));
  if (connector) return { protocol: setting, connector };
  const names = connectors.map((c) => c.name).join(', ');
  throw new InvalidConfigError('server configuration', [
    {
      path: `${path}.protocol`,
      message: `no registered connector speaks "${setting}" (registered: ${names}). Install ${MODERN_CONNECTOR_PACKAGE} and pass \`connectors: [modernConnector()]\` to the ServerPool, or set the server's \`protocol\` to "legacy".`,
    },
  ]);
}
