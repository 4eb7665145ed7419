/** Closed-loop load: `concurrency` workers issue `total` calls between them, no more. */

export interface LoadResult {
  /** Wall time from the first call to the last answer, ms. */
  elapsedMs: number;
  /** Client process CPU (user + system, all threads) over the same window, ms. */
  cpuMs: number;
  calls: number;
  failures: number;
  /** The first few errors, for the report. */
  errors: string[];
  /** Per-call latency, ms, in issue order; present when asked for. */
  latencies?: Float64Array;
}

export interface LoadOptions {
  total: number;
  concurrency: number;
  /** Keep each call's latency. */
  latencies?: boolean;
  /** Stop issuing calls once this time has passed (ms since start); calls in flight finish. */
  maxMs?: number;
}

export async function runLoad(
  call: (i: number) => Promise<unknown>,
  options: LoadOptions,
): Promise<LoadResult> {
  const { total, concurrency } = options;
  const latencies = options.latencies ? new Float64Array(total) : undefined;
  const errors: string[] = [];
  let failures = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = options.maxMs === undefined ? Number.POSITIVE_INFINITY : t0 + options.maxMs;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total || performance.now() > deadline) return;
      const started = latencies ? performance.now() : 0;
      try {
        await call(i);
      } catch (error) {
        failures++;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      }
      if (latencies) latencies[i] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const calls = Math.min(next, total);
  const result: LoadResult = {
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    calls,
    failures,
    errors,
  };
  if (latencies) result.latencies = calls < total ? latencies.subarray(0, calls) : latencies;
  return result;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rotates `items` by `by` places, so that each round of an A/B/C comparison starts elsewhere. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const k = ((by % n) + n) % n;
  return [...items.slice(k), ...items.slice(0, k)];
}
