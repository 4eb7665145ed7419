import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { delay, freePort, waitFor } from './wait.js';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? 'ready' : ''), { intervalMs: 5 });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('rejects with a message naming the condition and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 60, intervalMs: 10, message: 'the moon' },
      ),
    ).rejects.toThrow(/timed out after 60 ms waiting for: the moon \(last error: not yet\)/);
  });
});

describe('delay', () => {
  it('rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const waiting = delay(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
