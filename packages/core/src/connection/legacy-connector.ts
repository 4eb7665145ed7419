import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  type Connection,
  type ConnectOptions,
  type Connector,
  MODERN_PROTOCOL_VERSION,
  type ProtocolSetting,
} from '../spec/connector.js';
import { EraMismatchError } from '../spec/errors.js';
import { McpConnection } from './mcp-connection.js';

/** The JSON-RPC error a modern-only server answers `initialize` with. */
const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** The package that speaks the modern era, named in errors. */
export const MODERN_CONNECTOR_PACKAGE = '@mcpool/connector-modern';

/**
 * Core's built-in connector: the legacy era (`initialize`, sessions) on the v1
 * SDK. It serves `legacy`, and `auto` when no registered connector claims it
 * (without one, a server is taken to be legacy).
 */
export function legacyConnector(): Connector {
  return {
    name: 'legacy',
    supports: (protocol: ProtocolSetting) => protocol === 'legacy' || protocol === 'auto',
    connect: connectLegacy,
  };
}

async function connectLegacy(options: ConnectOptions): Promise<Connection> {
  try {
    return await McpConnection.open(options);
  } catch (error) {
    if (!refusedAsModernOnly(error)) throw error;
    throw new EraMismatchError(
      options.serverId,
      `the server serves only MCP ${MODERN_PROTOCOL_VERSION} and refused the legacy initialize (-32022). Install ${MODERN_CONNECTOR_PACKAGE}, pass \`connectors: [modernConnector()]\` to the ServerPool and set the server's \`protocol\` to "auto" or "${MODERN_PROTOCOL_VERSION}".`,
      { serverEra: 'modern', cause: error },
    );
  }
}

/**
 * A modern-only server refused `initialize`: -32022 as a JSON-RPC error
 * (stdio), or in the body of an HTTP 400, which the v1 SDK puts in the
 * message of its `StreamableHTTPError`.
 */
function refusedAsModernOnly(error: unknown): boolean {
  if (error instanceof McpError) return error.code === UNSUPPORTED_PROTOCOL_VERSION;
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 400 &&
    error.message.includes(String(UNSUPPORTED_PROTOCOL_VERSION))
  );
}
