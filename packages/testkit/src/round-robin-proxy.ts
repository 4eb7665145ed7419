import {
  Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback, readBody, stopAbruptly } from './loopback-http.js';

/** One request the proxy forwarded: to which upstream, its HTTP method and its JSON-RPC method. */
export interface ProxyHop {
  /** Index of the upstream in the list in force when the request was sent. */
  replica: number;
  /** The upstream's URL. */
  upstream: string;
  /** The HTTP method. */
  method: string;
  /** The JSON-RPC method of the request body, when it had one. */
  rpc: string | undefined;
}

/** Options of {@link startRoundRobinProxy}. */
export interface RoundRobinProxyOptions {
  /**
   * Send a request whose upstream fails before answering (refused, reset) to
   * the next one, as Envoy's `retry_on: reset,connect-failure` does; at most
   * once per upstream. Without it such a request is answered 502.
   * @default false
   */
  retryFailedConnects?: boolean | undefined;
}

/** A round-robin HTTP proxy on 127.0.0.1 in front of MCP servers, as a load balancer would be. */
export interface RoundRobinProxy {
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  /** Every request that got an answer from an upstream, in the order the answers came. */
  readonly hops: readonly ProxyHop[];
  /** Requests forwarded to each upstream URL. */
  readonly forwarded: Map<string, number>;
  /** Modern requests by their `Mcp-Method` header (what a router reads instead of the body). */
  readonly methods: Map<string, number>;
  /** Requests sent again to the next upstream after a failed connect. */
  retried(): number;
  /** Replaces the upstreams; later requests go to these. */
  setUpstreams(urls: readonly string[]): void;
  /** Rewrites the request headers before forwarding (an intermediary that gets them wrong). */
  rewrite: ((headers: IncomingHttpHeaders) => void) | undefined;
  /** Which requests the proxy keeps, by their body, as a stalled network would, until `release()`. */
  hold: ((req: IncomingMessage, body: string) => boolean) | undefined;
  /** Requests held now. */
  readonly held: readonly unknown[];
  /** Stops holding and sends every held request on. */
  release(): void;
  close(): Promise<void>;
}

function rpcMethodOf(body: string): string | undefined {
  if (body.length === 0) return undefined;
  try {
    return (JSON.parse(body) as { method?: string }).method;
  } catch {
    return undefined;
  }
}

/**
 * Starts a proxy that sends each request to the next upstream in turn (to the
 * upstream URL's path), streaming the answer back. A client that goes away
 * mid-answer closes the upstream request too.
 */
export async function startRoundRobinProxy(
  upstreams: readonly string[],
  options: RoundRobinProxyOptions = {},
): Promise<RoundRobinProxy> {
  let targets = [...upstreams];
  let next = 0;
  let retried = 0;
  const hops: ProxyHop[] = [];
  const forwarded = new Map<string, number>();
  const methods = new Map<string, number>();
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });
  const held: (() => void)[] = [];
  const knobs: Pick<RoundRobinProxy, 'rewrite' | 'hold'> = { rewrite: undefined, hold: undefined };

  const forward = (req: IncomingMessage, res: ServerResponse, body: string, tries: number) => {
    const replica = next++ % Math.max(targets.length, 1);
    const target = targets[replica];
    if (target === undefined) {
      res.writeHead(502).end('no upstream');
      return;
    }
    forwarded.set(target, (forwarded.get(target) ?? 0) + 1);
    const url = new URL(target);
    const headers = { ...req.headers, host: url.host };
    knobs.rewrite?.(headers);
    const upstream: ClientRequest = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: req.method,
        headers,
        agent,
      },
      (answer) => {
        hops.push({ replica, upstream: target, method: req.method ?? '', rpc: rpcMethodOf(body) });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    // The client closing its side (an abort) closes the upstream request too.
    const onClose = () => {
      if (!res.writableFinished) upstream.destroy();
    };
    res.once('close', onClose);
    upstream.once('error', () => {
      res.off('close', onClose);
      if (res.headersSent || res.destroyed) {
        res.destroy();
      } else if (options.retryFailedConnects === true && tries < targets.length) {
        retried++;
        forward(req, res, body, tries + 1);
      } else {
        res.writeHead(502).end('upstream failed');
      }
    });
    upstream.end(body);
  };

  const { server, port } = await listenOnLoopback(
    0,
    async (req, res) => {
      const method = req.headers['mcp-method'];
      if (typeof method === 'string') methods.set(method, (methods.get(method) ?? 0) + 1);
      const body = await readBody(req);
      if (knobs.hold?.(req, body)) held.push(() => forward(req, res, body, 1));
      else forward(req, res, body, 1);
    },
    (res) => res.writeHead(400).end('unreadable request'),
    sockets,
  );
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    hops,
    forwarded,
    methods,
    retried: () => retried,
    setUpstreams: (urls) => {
      targets = [...urls];
    },
    get rewrite() {
      return knobs.rewrite;
    },
    set rewrite(value) {
      knobs.rewrite = value;
    },
    get hold() {
      return knobs.hold;
    },
    set hold(value) {
      knobs.hold = value;
    },
    held,
    release: () => {
      knobs.hold = undefined;
      for (const send of held.splice(0)) send();
    },
    close: async () => {
      held.splice(0);
      const stopped = stopAbruptly(server, sockets);
      agent.destroy();
      await stopped;
    },
  };
}
