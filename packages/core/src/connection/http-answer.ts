import type { IncomingMessage } from 'node:http';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/*
 * Reading an HTTP answer of a Streamable HTTP server, and the JSON-RPC
 * messages in it, for NodeHttpClientTransport.
 */

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect within the server's origin (`from`) leads, as a path, or
 * undefined for any other answer: 307 and 308 for any method, the others
 * for GET only, as the SDK's transport follows them.
 */
export function redirectPath(
  res: IncomingMessage,
  method: string,
  from: URL,
  path: string,
): string | undefined {
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  if (location === undefined || !REDIRECT_STATUSES.has(status)) return undefined;
  if (method !== 'GET' && status !== 307 && status !== 308) return undefined;
  let target: URL;
  try {
    target = new URL(location, new URL(path, from));
  } catch {
    return undefined;
  }
  if (
    target.protocol !== from.protocol ||
    target.host !== from.host ||
    target.username !== from.username ||
    target.password !== from.password
  ) {
    return undefined;
  }
  return `${target.pathname}${target.search}`;
}

/** What a request closed by its transport rejects with, as an aborted fetch does. */
export function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** The ids of the requests in a message, or undefined when it holds none. */
export function requestIds(message: JSONRPCMessage | JSONRPCMessage[]): Set<RequestId> | undefined {
  let ids: Set<RequestId> | undefined;
  for (const item of Array.isArray(message) ? message : [message]) {
    const id = 'method' in item && 'id' in item ? item.id : undefined;
    if (id !== undefined) {
      ids ??= new Set();
      ids.add(id);
    }
  }
  return ids;
}

/** The media type of a `content-type` header, lower case, without parameters. */
export function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * A cheap check that a parsed value is a JSON-RPC message. The SDK's client
 * checks each message's shape again as it dispatches it, and each result
 * against its method's schema, so a full schema parse here would be a third.
 */
export function checkMessage(value: unknown): JSONRPCMessage {
  if (typeof value === 'object' && value !== null) {
    const m = value as Record<string, unknown>;
    if (m.jsonrpc === '2.0') {
      if (typeof m.method === 'string') return value as JSONRPCMessage;
      if (
        (typeof m.id === 'string' || typeof m.id === 'number') &&
        ((typeof m.result === 'object' && m.result !== null) ||
          (typeof m.error === 'object' && m.error !== null))
      ) {
        return value as JSONRPCMessage;
      }
    }
  }
  throw new TypeError(
    `The server sent something that is not a JSON-RPC 2.0 message: ${JSON.stringify(value)?.slice(0, 200)}`,
  );
}

/** The whole body of an answer as text; rejects when the connection drops before its end. */
export function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    res.setEncoding('utf8');
    let text = '';
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.once('end', () => resolve(text));
    res.on('error', (error) => reject(new TypeError('terminated', { cause: error })));
    res.once('close', () => {
      if (!res.complete) reject(new TypeError('terminated'));
    });
  });
}
