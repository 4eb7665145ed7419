import type { IncomingMessage } from 'node:http';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/*
 * Reading an HTTP answer of a Streamable HTTP server, and the JSON-RPC
 * messages in it, for NodeHttpClientTransport.
 */

/**
 * An HTTP answer whose head has arrived. Both of the transport's clients
 * give one (its own HTTP/1.1 client for `http:`, `node:https` through
 * {@link incomingAnswer}), so that everything after the head is written once.
 */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly statusMessage: string;
  /** Names in lower case; a repeated header's values joined with `, `. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** True once the whole body has arrived. */
  readonly complete: boolean;
  /** Hands the body's text to `sink` as it arrives, then its end; call once. */
  read(sink: BodySink): void;
  /** Drops the body as it arrives, so that the connection can serve again. */
  discard(): void;
  /** Drops the answer and its connection now. */
  destroy(): void;
}

/** Where an {@link HttpAnswer}'s body goes. */
export interface BodySink {
  /** The next piece of the body, decoded as UTF-8 (a character cut across pieces arrives whole). */
  data(text: string): void;
  /** The body ended: whole when `error` is undefined, cut short by `error` otherwise. Called once. */
  end(error: Error | undefined): void;
}

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect within the server's origin (`from`) leads, as a path, or
 * undefined for any other answer: 307 and 308 for any method, the others
 * for GET only, as the SDK's transport follows them.
 */
export function redirectPath(
  res: HttpAnswer,
  method: string,
  from: URL,
  path: string,
): string | undefined {
  const status = res.statusCode;
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
export function readText(res: HttpAnswer): Promise<string> {
  return new Promise((resolve, reject) => res.read(new TextSink(resolve, reject)));
}

/** Gathers a body into one string: a class, not closures, as it serves every JSON answer. */
class TextSink implements BodySink {
  private text = '';

  constructor(
    private readonly resolve: (text: string) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  data(text: string): void {
    this.text += text;
  }

  end(error: Error | undefined): void {
    // fetch's shape for a body cut short, which callers of the SDK's transport know.
    if (error === undefined) this.resolve(this.text);
    else this.reject(new TypeError('terminated', { cause: error }));
  }
}

/**
 * An {@link HttpAnswer} over a `node:http(s)` answer, for the requests that
 * do not go through the transport's own HTTP/1.1 client (`https:`).
 */
export function incomingAnswer(res: IncomingMessage): HttpAnswer {
  return {
    statusCode: res.statusCode ?? 0,
    statusMessage: res.statusMessage ?? '',
    headers: res.headers as Record<string, string | undefined>,
    get complete() {
      return res.complete;
    },
    read(sink) {
      res.setEncoding('utf8');
      let failure: Error | undefined;
      let ended = false;
      res.on('data', (chunk: string) => sink.data(chunk));
      res.on('error', (error) => {
        failure = error;
      });
      res.once('end', () => {
        ended = true;
        sink.end(undefined);
      });
      res.once('close', () => {
        if (!ended && !res.complete) sink.end(failure ?? new Error('the connection closed'));
      });
    },
    discard() {
      res.resume();
    },
    destroy() {
      res.destroy();
    },
  };
}
