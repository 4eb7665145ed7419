import type { Resolution, Source, SourceListener } from './source.js';

/**
 * One watch of `source` for many pools: the first `watch()` starts it, later
 * ones get the latest set at once and every change after, and the last one to
 * stop ends it. The gateway uses this so that each downstream session's pool
 * follows one Kubernetes or etcd watch rather than opening its own. A source
 * without `watch()` is returned as it is (each pool polls it).
 */
export function shareSource(source: Source): Source {
  const upstream = source.watch?.bind(source);
  if (!upstream) return source;
  const listeners = new Set<SourceListener>();
  let latest: Resolution | undefined;
  let running: AbortController | undefined;
  return {
    name: source.name,
    resolve: (signal) => source.resolve(signal),
    watch(listener, signal) {
      if (signal.aborted) return;
      listeners.add(listener);
      if (latest) {
        const known = latest;
        queueMicrotask(() => {
          if (!signal.aborted) listener.update(known);
        });
      }
      if (!running) {
        const controller = new AbortController();
        running = controller;
        upstream(
          {
            update(resolution) {
              latest = resolution;
              for (const l of [...listeners]) l.update(resolution);
            },
            error(error) {
              for (const l of [...listeners]) l.error(error);
            },
          },
          controller.signal,
        );
      }
      signal.addEventListener(
        'abort',
        () => {
          listeners.delete(listener);
          if (listeners.size === 0 && running) {
            running.abort();
            running = undefined;
            latest = undefined;
          }
        },
        { once: true },
      );
    },
  };
}
