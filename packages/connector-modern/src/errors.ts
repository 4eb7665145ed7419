/**
 * Where each error of the v2 client falls among mcpool's failure classes (the table in
 * core's docs/connectors.md). Errors the server sent on purpose become the v1 SDK's
 * `McpError` with the same code and message, so a caller (and the pool's failure rules)
 * sees the same error from a server whichever era its connection speaks.
 */
import { AbortedError, ConnectionError, EraMismatchError, TimeoutError } from '@mcpool/core';
import { markUnsent } from '@mcpool/core/internal';
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/** The server no longer speaks the era the connection was opened in (2026-07-28: before dispatch). */
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;
/** `Mcp-Method`/`Mcp-Name` headers disagree with the body: an intermediary rewrote them. */
export const HEADER_MISMATCH = -32020;
/** The server needs a client capability the pool did not declare. */
export const MISSING_CLIENT_CAPABILITY = -32021;
const INVALID_PARAMS = -32602;
const INVALID_REQUEST = -32600;

/** What the connection must do about an error besides throwing it. */
export interface ErrorVerdict {
  /** The error the caller (and the pool's failure rules) sees. */
  readonly error: unknown;
  /** The server's era is not the verdict's: the pool should re-probe. */
  readonly eraInDoubt: boolean;
  /** The server's tool catalog changed under the pool (an unknown tool): refresh it. */
  readonly catalogStale: boolean;
  /** The connection is useless (not connected, endpoint gone): close it. */
  readonly connectionDead: boolean;
  /** The server refused the request before running it (-32022): it may go once more elsewhere. */
  readonly refusedBeforeDispatch: boolean;
}

/** Context of one failed request. */
export interface FailedRequest {
  readonly serverId: string;
  readonly method: string;
  readonly era: 'legacy' | 'modern';
  /** The signal of the request: aborted means the caller (or the pool's deadline) gave up. */
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | undefined;
}

function describe(request: FailedRequest): string {
  return `${request.method} on server "${request.serverId}"`;
}

function verdict(error: unknown, extra: Partial<Omit<ErrorVerdict, 'error'>> = {}): ErrorVerdict {
  return {
    error,
    eraInDoubt: extra.eraInDoubt ?? false,
    catalogStale: extra.catalogStale ?? false,
    connectionDead: extra.connectionDead ?? false,
    refusedBeforeDispatch: extra.refusedBeforeDispatch ?? false,
  };
}

/** The v2 protocol error as the v1 SDK's McpError: the error mcpool's rules and callers know. */
function asMcpError(error: ProtocolError): McpError {
  const message = error.message.replace(/^MCP error -?\d+: /, '');
  const mapped = new McpError(error.code, message, error.data);
  (mapped as { cause?: unknown }).cause = error;
  return mapped;
}

/** Sorts one error of a request on a v2 client; see the table in docs/connectors.md. */
export function mapRequestError(error: unknown, request: FailedRequest): ErrorVerdict {
  if (request.signal?.aborted) {
    const reason = request.signal.reason;
    // The pool's own deadline aborts with its TimeoutError: keep it, it is the truth.
    if (reason instanceof Error && 'code' in reason && reason.code === 'TIMEOUT') {
      return verdict(reason);
    }
    return verdict(new AbortedError(describe(request), reason));
  }
  if (error instanceof SdkHttpError) {
    const status = error.data.status;
    if (status === 401 || status === 403) {
      const refused = new McpError(
        INVALID_REQUEST,
        `the server answered HTTP ${status} (${status === 401 ? 'authentication required' : 'forbidden'}): set the credentials in the server's transport headers`,
      );
      (refused as { cause?: unknown }).cause = error;
      return verdict(refused);
    }
    if (status === 400 && /"code":\s*-32022\b/.test(error.message)) {
      // A legacy request to a server now modern-only: refused before dispatch, re-probe.
      markUnsent(error);
      // Not closed here: requests still in flight on it get their own -32022 and go once more;
      // the pool takes the doubted connection out of use and closes it once idle.
      return verdict(error, { eraInDoubt: true, refusedBeforeDispatch: true });
    }
    if (status === 404) {
      // Legacy: the session was forgotten, the request never ran. Modern: the endpoint is gone.
      if (request.era === 'legacy') markUnsent(error);
      return verdict(error, { eraInDoubt: request.era === 'modern', connectionDead: true });
    }
    return verdict(error);
  }
  if (error instanceof SdkError) {
    switch (error.code) {
      case SdkErrorCode.RequestTimeout:
        return verdict(new TimeoutError(describe(request), request.timeout ?? 0, { cause: error }));
      case SdkErrorCode.NotConnected:
        markUnsent(error);
        return verdict(error, { connectionDead: true });
      case SdkErrorCode.SendFailed:
        // Not delivered only if the cause proves it (a refused connection): the pool's
        // isUnsent walks the cause chain for those codes.
        return verdict(error);
      case SdkErrorCode.ConnectionClosed:
        return verdict(error, { connectionDead: true });
      case SdkErrorCode.MethodNotSupportedByProtocolVersion:
      case SdkErrorCode.UnsupportedResultType:
      case SdkErrorCode.InputRequiredRoundsExceeded:
      case SdkErrorCode.CapabilityNotSupported: {
        const refused = new McpError(INVALID_REQUEST, `${error.message} (${error.code})`);
        (refused as { cause?: unknown }).cause = error;
        markUnsent(refused);
        return verdict(refused);
      }
      default:
        return verdict(error);
    }
  }
  if (error instanceof ProtocolError) {
    if (error.code === UNSUPPORTED_PROTOCOL_VERSION) {
      // Rejected before dispatch: the request did not run, another connection may take it.
      markUnsent(error);
      // Not closed here: requests still in flight on it get their own -32022 and go once more;
      // the pool takes the doubted connection out of use and closes it once idle.
      return verdict(error, { eraInDoubt: true, refusedBeforeDispatch: true });
    }
    const mapped = asMcpError(error);
    if (error.code === MISSING_CLIENT_CAPABILITY) {
      const required = Object.keys(
        (error.data as { requiredCapabilities?: Record<string, unknown> } | undefined)
          ?.requiredCapabilities ?? {},
      );
      const wanted = required.length > 0 ? required.join(', ') : 'the capability it names';
      mapped.message += `. The server needs the client to answer ${wanted}: register a handler for it in the pool's \`handlers\` option.`;
    }
    const unknownTool =
      request.method === 'tools/call' &&
      error.code === INVALID_PARAMS &&
      /\bTool .* not found\b/i.test(error.message);
    if (unknownTool) markUnsent(mapped);
    return verdict(mapped, { catalogStale: unknownTool });
  }
  if (error instanceof Error && error.message === 'Not connected') {
    markUnsent(error);
    return verdict(error, { connectionDead: true });
  }
  return verdict(error);
}

/** What a failed connect was asked to do. */
export interface FailedConnect {
  readonly serverId: string;
  readonly protocol: string;
  readonly transportType: string;
  /** The kept verdict the connect adopted, if any. */
  readonly priorKind: 'legacy' | 'modern' | undefined;
}

/** The error a failed connect rejects with: always a ConnectionError naming the cause. */
export function mapConnectError(error: unknown, connect: FailedConnect): ConnectionError {
  const { serverId, protocol, transportType, priorKind } = connect;
  if (error instanceof ConnectionError) return error;
  if (error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed) {
    if (priorKind === 'modern') {
      return new EraMismatchError(
        serverId,
        `the server no longer speaks the 2026-07-28 protocol it spoke when last probed; its era is probed again.`,
        { fromPrior: true, cause: error },
      );
    }
    return new EraMismatchError(
      serverId,
      `the server speaks only the legacy era (initialize), not the 2026-07-28 protocol this server is set to (protocol: '${protocol}'). Set protocol: 'auto' (or 'legacy') for this server.`,
      { serverEra: 'legacy', cause: error },
    );
  }
  if (
    (error instanceof SdkHttpError && error.data.status === 400 && /-32022/.test(error.message)) ||
    (error instanceof ProtocolError && error.code === UNSUPPORTED_PROTOCOL_VERSION)
  ) {
    return new EraMismatchError(
      serverId,
      `the server serves only the 2026-07-28 protocol and refused the legacy initialize (-32022). Set protocol: 'auto' or '2026-07-28' for this server.`,
      { serverEra: 'modern', fromPrior: priorKind === 'legacy', cause: error },
    );
  }
  if (error instanceof SdkHttpError && (error.data.status === 401 || error.data.status === 403)) {
    return new ConnectionError(
      serverId,
      `the server answered HTTP ${error.data.status} over ${transportType}: set the credentials in the server's transport headers.`,
      error,
    );
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
    return new ConnectionError(
      serverId,
      `no answer within the connect timeout (${error.message}). Check that the server is up, or raise connectionTimeout.`,
      error,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectionError(serverId, message, error);
}
