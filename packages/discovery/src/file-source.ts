import { watch as watchFs } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { InvalidConfigError, serversFromMcpConfig } from '@mcpool/core';
import { SourceFailedError } from './errors.js';
import type { DiscoveredEntry, Resolution, Source } from './source.js';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** Wait this long after a change event before reading, so a half-written file is not read, ms. @default 50 */
  debounce?: number | undefined;
}

/**
 * An `mcpServers` JSON file (the format desktop hosts use), watched: edit the
 * file and the pool follows. A broken edit keeps the last good set and the
 * error names the file; a bad entry is skipped and named.
 */
export function fileSource(path: string, options: FileSourceOptions = {}): Source {
  const file = resolvePath(path);
  const name = `file:${path}`;
  const debounce = options.debounce ?? 50;

  const resolve = async (signal?: AbortSignal): Promise<Resolution> => {
    let text: string;
    try {
      text = await readFile(file, { encoding: 'utf8', signal });
    } catch (error) {
      throw new SourceFailedError(name, `cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseFile(name, file, text);
  };

  return {
    name,
    resolve,
    watch(listener, signal) {
      let timer: NodeJS.Timeout | undefined;
      let reading = Promise.resolve();
      const read = () => {
        // One read at a time, in order: the last report is the file as it is now.
        reading = reading.then(() =>
          resolve(signal).then(
            (r) => {
              if (!signal.aborted) listener.update(r);
            },
            (error: Error) => {
              if (!signal.aborted) listener.error(error);
            },
          ),
        );
      };
      // The directory, not the file: editors and `mv` replace the file, which ends a watch on it.
      let watcher: ReturnType<typeof watchFs> | undefined;
      try {
        watcher = watchFs(dirname(file), { persistent: false }, (_event, changed) => {
          if (changed !== null && changed !== basename(file)) return;
          clearTimeout(timer);
          timer = setTimeout(read, debounce);
          timer.unref();
        });
        watcher.on('error', (error) => listener.error(new SourceFailedError(name, error.message)));
      } catch (error) {
        listener.error(
          new SourceFailedError(name, `cannot watch ${dirname(file)}: ${(error as Error).message}`),
        );
      }
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          watcher?.close();
        },
        { once: true },
      );
      read();
    },
  };
}

function parseFile(name: string, file: string, text: string): Resolution {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new SourceFailedError(
      name,
      `${file} is not valid JSON (${(error as Error).message}); fix the file, the last good set stays meanwhile`,
    );
  }
  const servers = (doc as { mcpServers?: unknown } | null)?.mcpServers;
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new SourceFailedError(
      name,
      `${file} has no "mcpServers" object; write { "mcpServers": { "name": { "url": "http://..." } } }`,
    );
  }
  const entries: DiscoveredEntry[] = [];
  for (const [key, entry] of Object.entries(servers)) {
    const origin = `${file}#mcpServers.${key}`;
    try {
      for (const config of serversFromMcpConfig({ mcpServers: { [key]: entry } }))
        entries.push({ config, origin });
    } catch (error) {
      const detail =
        error instanceof InvalidConfigError
          ? error.issues
              .map((i) => `${i.path.replace(/^mcpServers\.[^.]+\.?/, '') || 'entry'}: ${i.message}`)
              .join('; ')
          : (error as Error).message;
      entries.push({ config: entry, origin, problem: detail });
    }
  }
  return { entries };
}
