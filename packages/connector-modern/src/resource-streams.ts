import type { Following } from '@mcpool/core';
import type { Client } from '@modelcontextprotocol/client';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * A modern connection's resource subscriptions. The 2026-07-28 era has no
 * `resources/subscribe`: each subscribed URI gets a `subscriptions/listen`
 * stream whose filter holds it, and its `notifications/resources/updated`
 * reach the connection's listener like any notification.
 */
export class ResourceStreams {
  private readonly streams = new Map<string, Promise<Following>>();

  constructor(
    private readonly client: Client,
    private readonly serverId: string,
  ) {}

  /** `resources/subscribe`: opens the URI's stream, once; resolves when the server acknowledged it. */
  async subscribe(uri: string): Promise<Record<string, never>> {
    let stream = this.streams.get(uri);
    if (!stream) {
      const opened = this.open(uri);
      stream = opened;
      this.streams.set(uri, opened);
      const forget = () => {
        if (this.streams.get(uri) === opened) this.streams.delete(uri);
      };
      opened.then((following) => following.closed.then(forget), forget);
    }
    await stream;
    return {};
  }

  /** `resources/unsubscribe`: ends the URI's stream. */
  async unsubscribe(uri: string): Promise<Record<string, never>> {
    const stream = this.streams.get(uri);
    this.streams.delete(uri);
    if (stream) await (await stream.catch(() => undefined))?.close();
    return {};
  }

  /** Ends every stream (the connection closes). */
  async close(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of streams) await (await stream.catch(() => undefined))?.close();
  }

  private async open(uri: string): Promise<Following> {
    const subscription = await this.client.listen({ resourceSubscriptions: [uri] });
    const close = () => subscription.close().catch(() => {});
    if (!subscription.honoredFilter.resourceSubscriptions?.includes(uri)) {
      await close();
      throw new McpError(
        ErrorCode.MethodNotFound,
        `Server "${this.serverId}" does not offer resource subscriptions (no resources.subscribe capability): it left ${uri} out of its listen stream.`,
      );
    }
    return { closed: subscription.closed, close };
  }
}
