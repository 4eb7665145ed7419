import {
  type Aggregator,
  type CallOptions,
  InvalidConfigError,
  type MultiServerClient,
  PoolClosedError,
} from '@mcpool/core';
import { abortReason, canonicalJson } from '@mcpool/core/internal';
import {
  type BatchOperation,
  type BatchResult,
  type BatchResults,
  type CallToolParams,
  describeOperation,
  type GetPromptParams,
  operationIssues,
  type ReadResourceParams,
} from './operation.js';
import { validateBatchOptions } from './options.js';
import { Semaphore } from './semaphore.js';

/** Options of a {@link BatchClient}. Every one is optional. */
export interface BatchClientOptions {
  /** A batch is flushed as soon as it holds this many operations. @default 10 */
  batchSize?: number | undefined;
  /** A batch is flushed this long after its first operation was added, ms. @default 10 */
  flushDelay?: number | undefined;
  /** Upstream calls running at once, across every batch of this client. @default 8 */
  concurrency?: number | undefined;
  /**
   * Run identical operations of one batch once and share the answer — only
   * those safe to repeat (reads, prompts, tools the client's `isSafeTool`
   * approves); anything else runs every time it was added. @default true
   */
  dedupe?: boolean | undefined;
}

/** Batch figures. */
export interface BatchMetrics {
  /** Batches flushed. */
  batches: number;
  /** Operations accepted by `add`. */
  operations: number;
  /** Upstream calls made. */
  executed: number;
  /** Operations answered by an identical operation of the same batch instead of their own call. */
  deduplicated: number;
  /** Operations per flushed batch; 0 before the first. */
  averageBatchSize: number;
  /** Operations waiting for their batch to be flushed. */
  pending: number;
  /** Upstream calls running now. */
  running: number;
}

interface Queued {
  readonly operation: BatchOperation;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  /** Removes the abort listener. */
  release: () => void;
}

/**
 * Coalesces operations into batches on the client side: a batch is flushed
 * when it reaches `batchSize` or `flushDelay` after its first operation,
 * whichever comes first, then runs with bounded concurrency, its calls spread
 * over the servers by the pool's balancer. Each `add` gets its own answer or
 * its own error.
 *
 * MCP has no batch request any more (JSON-RPC batching left the spec in
 * 2025-06-18), so each operation is still one MCP request; batching bounds
 * the burst and removes duplicates.
 */
export class BatchClient {
  private readonly batchSize: number;
  private readonly flushDelay: number;
  private readonly dedupe: boolean;
  private readonly slots: Semaphore;
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly aggregationIds = new WeakMap<Aggregator, number>();
  private nextAggregationId = 1;
  private closed = false;
  private readonly counts = { batches: 0, operations: 0, flushed: 0, executed: 0, deduplicated: 0 };

  constructor(
    readonly client: MultiServerClient,
    options: BatchClientOptions = {},
  ) {
    validateBatchOptions(options);
    this.batchSize = options.batchSize ?? 10;
    this.flushDelay = options.flushDelay ?? 10;
    this.dedupe = options.dedupe ?? true;
    this.slots = new Semaphore(options.concurrency ?? 8);
  }

  /**
   * Queues an operation; resolves with its own result or rejects with its own
   * error. After `close()` it rejects with `PoolClosedError`.
   */
  add<O extends BatchOperation>(operation: O): Promise<BatchResult<O>> {
    if (this.closed) return Promise.reject(new PoolClosedError('The batch client'));
    const issues = operationIssues(operation);
    if (issues.length > 0) return Promise.reject(new InvalidConfigError('batch operation', issues));
    const signal = signalOf(operation);
    if (signal?.aborted) return Promise.reject(abortReason(signal, describeOperation(operation)));
    return new Promise<BatchResult<O>>((resolve, reject) => {
      const item: Queued = {
        operation,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
        release: () => {},
      };
      if (signal) {
        // A caller who gives up is answered at once, queued or running.
        const onAbort = () => this.fail(item, abortReason(signal, describeOperation(operation)));
        signal.addEventListener('abort', onAbort, { once: true });
        item.release = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(item);
      this.counts.operations++;
      if (this.queue.length >= this.batchSize) this.dispatch();
      else this.timer ??= setTimeout(() => this.dispatch(), this.flushDelay);
    });
  }

  /** Shorthand for `add({ method: 'callTool', params, options })`. */
  callTool(params: CallToolParams, options?: CallOptions): Promise<BatchResults['callTool']> {
    return this.add({ method: 'callTool', params, options });
  }

  /** Shorthand for `add({ method: 'readResource', params, options })`. */
  readResource(
    params: ReadResourceParams,
    options?: CallOptions,
  ): Promise<BatchResults['readResource']> {
    return this.add({ method: 'readResource', params, options });
  }

  /** Shorthand for `add({ method: 'getPrompt', params, options })`. */
  getPrompt(params: GetPromptParams, options?: CallOptions): Promise<BatchResults['getPrompt']> {
    return this.add({ method: 'getPrompt', params, options });
  }

  /** Flushes what is queued now and resolves when every batch flushed so far has finished. */
  async flush(): Promise<void> {
    this.dispatch();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Refuses new operations, then flushes and waits for everything queued. The client stays open. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  metrics(): BatchMetrics {
    const c = this.counts;
    return {
      batches: c.batches,
      operations: c.operations,
      executed: c.executed,
      deduplicated: c.deduplicated,
      averageBatchSize: c.batches === 0 ? 0 : c.flushed / c.batches,
      pending: this.queue.length,
      running: this.slots.inUse,
    };
  }

  private dispatch(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.counts.batches++;
    this.counts.flushed += batch.length;
    const run = this.runBatch(batch)
      .catch((error: unknown) => {
        // Not expected (runBatch answers every operation itself), but no caller may be left waiting.
        for (const item of batch) this.fail(item, error);
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async runBatch(batch: readonly Queued[]): Promise<void> {
    const units: Queued[][] = [];
    const shared = new Map<string, Queued[]>();
    for (const item of batch) {
      const key = this.dedupe ? this.shareKeyOrNone(item.operation) : undefined;
      const unit = key === undefined ? undefined : shared.get(key);
      if (unit) {
        unit.push(item);
        this.counts.deduplicated++;
        continue;
      }
      const fresh = [item];
      if (key !== undefined) shared.set(key, fresh);
      units.push(fresh);
    }
    await Promise.all(units.map((unit) => this.runUnit(unit)));
  }

  /** Runs one upstream call for a unit of identical operations and answers each of them. */
  private async runUnit(unit: readonly Queued[]): Promise<void> {
    await this.slots.acquire();
    try {
      const live = unit.filter((item) => !item.settled);
      const first = live[0];
      if (!first) return;
      this.counts.executed++;
      const signal = sharedSignal(live);
      let value: unknown;
      try {
        value = await this.execute(first.operation, signal.signal);
      } catch (error) {
        for (const item of live) this.fail(item, error);
        return;
      } finally {
        signal.dispose();
      }
      live.forEach((item, i) => {
        // Each caller gets its own copy, so one mutating its answer cannot change another's.
        this.succeed(item, i === 0 ? value : copyOf(value));
      });
    } finally {
      this.slots.release();
    }
  }

  private execute(operation: BatchOperation, signal: AbortSignal | undefined): Promise<unknown> {
    // The signal stands for every operation the call serves; no one's controller becomes its own.
    const { controller: _one, ...shared } = operation.options ?? {};
    const options: CallOptions = { ...shared, signal };
    switch (operation.method) {
      case 'callTool':
        return this.client.callTool(operation.params, options);
      case 'readResource':
        return this.client.readResource(operation.params, options);
      case 'getPrompt':
        return this.client.getPrompt(operation.params, options);
    }
  }

  private shareKeyOrNone(operation: BatchOperation): string | undefined {
    try {
      return this.shareKey(operation);
    } catch {
      // Params that cannot be keyed (cycles, BigInt) are simply not shared.
      return undefined;
    }
  }

  /**
   * Operations with the same key run once. Undefined for operations that must
   * run every time (tools not safe to repeat) or that carry per-caller
   * behaviour (progress callbacks).
   */
  private shareKey(operation: BatchOperation): string | undefined {
    const { signal: _signal, onprogress, aggregation, ...rest } = operation.options ?? {};
    if (onprogress) return undefined;
    if (operation.method === 'callTool' && !this.client.isSafeTool(operation.params.name))
      return undefined;
    return canonicalJson({
      m: operation.method,
      p: operation.params,
      o: rest,
      a: aggregation ? this.aggregationId(aggregation) : null,
    });
  }

  private aggregationId(aggregation: Aggregator): number {
    let id = this.aggregationIds.get(aggregation);
    if (id === undefined) {
      id = this.nextAggregationId++;
      this.aggregationIds.set(aggregation, id);
    }
    return id;
  }

  private succeed(item: Queued, value: unknown): void {
    if (item.settled) return;
    item.settled = true;
    item.release();
    item.resolve(value);
  }

  private fail(item: Queued, error: unknown): void {
    if (item.settled) return;
    item.settled = true;
    item.release();
    item.reject(error);
  }
}

/**
 * The signal of a shared call: it aborts only when every caller sharing it
 * has aborted (each aborted caller is answered at once on its own).
 */
function sharedSignal(items: readonly Queued[]): {
  signal: AbortSignal | undefined;
  dispose: () => void;
} {
  const none = { signal: undefined, dispose: () => {} };
  if (items.length === 1) return { ...none, signal: items[0] && signalOf(items[0].operation) };
  const signals: AbortSignal[] = [];
  for (const item of items) {
    const signal = signalOf(item.operation);
    // One caller who cannot abort keeps the call alive.
    if (!signal) return none;
    signals.push(signal);
  }
  const controller = new AbortController();
  const check = () => {
    if (signals.every((s) => s.aborted)) controller.abort(signals[signals.length - 1]?.reason);
  };
  for (const s of signals) s.addEventListener('abort', check, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) s.removeEventListener('abort', check);
    },
  };
}

/** A deep copy of a JSON-like answer; the value itself when it cannot be cloned. */
function copyOf<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/**
 * The signal an operation can be aborted with. A controller given for the call is only
 * listened to: a batched call may serve several operations, so it is never the call's own.
 */
function signalOf(operation: BatchOperation): AbortSignal | undefined {
  return operation.options?.signal ?? operation.options?.controller?.signal;
}
