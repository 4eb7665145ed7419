import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from '@mcpool/testkit';

/**
 * An HTTP API on 127.0.0.1 for discovery tests (the Consul and Kubernetes
 * stand-ins): `start` listens (again on the same port after `stopListening`),
 * `stopListening` cuts every connection and closes the listener.
 */
export abstract class TestLoopbackApi {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const { server, port } = await listenOnLoopback(
      this.port,
      async (req, res) => this.handle(req, res),
      (res) => res.writeHead(500).end(),
      this.sockets,
    );
    this.port = port;
    this.server = server;
  }

  protected async stopListening(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}
