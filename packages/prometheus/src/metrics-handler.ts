import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** A `node:http` request listener (also fits Express and Connect routes). */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves a registry's text exposition to GET and HEAD, whatever the path
 * (mount it where you like); other methods get 405, a failed collection 500.
 */
export function metricsHandler(registry: Registry): MetricsHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Only GET and HEAD are served here.\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, {
          'Content-Type': registry.contentType,
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`Collecting the metrics failed: ${message}\n`);
      },
    );
  };
}
