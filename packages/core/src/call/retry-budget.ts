/** Bounds on retries so that they cannot multiply load during an outage. */
export interface RetryBudgetOptions {
  /** Retries allowed as a share of recent requests. @default 0.2 */
  ratio?: number;
  /** Retries always allowed per second, so a quiet client can still retry. @default 10 */
  minPerSecond?: number;
  /** Window over which requests and retries are counted, ms. @default 10_000 */
  windowMs?: number;
}

/**
 * A retry budget (as in Finagle and Linkerd): retries may be at most `ratio` of
 * the requests seen in the window, plus a small floor. When every server is
 * down, clients stop hammering them instead of tripling the load.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly floor: number;
  private readonly bucketMs: number;
  private readonly requests: Uint32Array;
  private readonly retries: Uint32Array;
  private bucketStart = 0;
  private bucket = 0;

  constructor(
    options: RetryBudgetOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.ratio = options.ratio ?? 0.2;
    const windowMs = options.windowMs ?? 10_000;
    this.floor = (options.minPerSecond ?? 10) * (windowMs / 1000);
    this.requests = new Uint32Array(10);
    this.retries = new Uint32Array(10);
    this.bucketMs = windowMs / 10;
    this.bucketStart = this.now();
  }

  /** Counts one original request. */
  recordRequest(): void {
    this.advance();
    this.requests[this.bucket] = (this.requests[this.bucket] ?? 0) + 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryTake(): boolean {
    this.advance();
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < this.requests.length; i++) {
      requests += this.requests[i] ?? 0;
      retries += this.retries[i] ?? 0;
    }
    if (retries + 1 > this.floor + requests * this.ratio) return false;
    this.retries[this.bucket] = (this.retries[this.bucket] ?? 0) + 1;
    return true;
  }

  private advance(): void {
    const now = this.now();
    let steps = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (steps <= 0) return;
    this.bucketStart += steps * this.bucketMs;
    steps = Math.min(steps, this.requests.length);
    for (let i = 0; i < steps; i++) {
      this.bucket = (this.bucket + 1) % this.requests.length;
      this.requests[this.bucket] = 0;
      this.retries[this.bucket] = 0;
    }
  }
}
