import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolPlugin } from '@mcpool/core';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The downstream request on whose behalf the gateway is calling upstream. */
export interface DownstreamRequest<S = unknown> {
  readonly session: S;
  readonly requestId: RequestId;
}

/**
 * Carries the downstream request through the client, the aggregator and the
 * pool down to each attempt, where the upstream server is finally known.
 */
export const downstreamRequest = new AsyncLocalStorage<DownstreamRequest>();

/**
 * Which downstream requests have an attempt in flight on which upstream
 * server. A sampling, elicitation or roots request from a server is answered
 * by the downstream session (and related to the downstream request) that has
 * a call in flight on that server.
 */
export class InflightRequests<S> {
  private readonly byServer = new Map<string, Set<DownstreamRequest<S>>>();

  /** A pool plugin that records every attempt made on behalf of a downstream request. */
  plugin(): PoolPlugin {
    return {
      name: 'gateway-inflight',
      // Not async: most attempts carry no downstream request and pass straight through.
      attempt: (context, next) => {
        const request = downstreamRequest.getStore() as DownstreamRequest<S> | undefined;
        return request ? this.track(context.server.id, request, next) : next();
      },
    };
  }

  private async track<T>(
    serverId: string,
    request: DownstreamRequest<S>,
    next: () => Promise<T>,
  ): Promise<T> {
    let set = this.byServer.get(serverId);
    if (!set) {
      set = new Set();
      this.byServer.set(serverId, set);
    }
    set.add(request);
    try {
      return await next();
    } finally {
      set.delete(request);
      if (set.size === 0) this.byServer.delete(serverId);
    }
  }

  /** Downstream requests with an attempt in flight on `serverId`, oldest first. */
  on(serverId: string): DownstreamRequest<S>[] {
    return [...(this.byServer.get(serverId) ?? [])];
  }
}
