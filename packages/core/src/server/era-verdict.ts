import type { Connection, EraVerdict, ProtocolEra } from '../spec/connector.js';
import { McpoolError } from '../spec/errors.js';

/*
 * One server's kept era verdict. Kept per server, not per connection: each
 * connect is handed it as `prior` and skips the probe (on stdio the modern
 * client's probe starts a second, short-lived server process). A modern
 * verdict that went stale fails loudly at connect or at the first request; a
 * legacy one would succeed silently forever (an upgraded server still answers
 * `initialize`), so it is supplied only until `recheckMs` after it was reached.
 */

/** What a re-probe needs of its server: a connection opened without a prior. */
export interface ReprobedServer {
  openFresh(): Promise<Connection>;
}

export class EraVerdictStore {
  private verdict: EraVerdict | undefined;
  private reprobing: Promise<Connection | undefined> | undefined;
  /** The connection the last re-probe opened, and when it ended. */
  private reprobed: { connection: Connection; at: number } | undefined;

  constructor(
    private readonly server: ReprobedServer,
    private readonly recheckMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The era the server was last found to speak; undefined before its first connect. */
  get era(): ProtocolEra | undefined {
    return this.verdict?.kind;
  }

  /** The verdict to hand the next connect, when it is still to be trusted. */
  prior(): EraVerdict | undefined {
    const verdict = this.verdict;
    if (verdict?.kind === 'legacy' && this.now() - verdict.checkedAt >= this.recheckMs) {
      return undefined;
    }
    return verdict;
  }

  /**
   * Connects with the kept verdict as `prior` (none when `fresh`) and keeps
   * what the connect reached. A connect that finds the verdict stale drops it
   * and probes once more.
   */
  async connect(
    connect: (prior: EraVerdict | undefined) => Promise<Connection>,
    fresh: boolean,
  ): Promise<Connection> {
    const connection = await connect(fresh ? undefined : this.prior()).catch((error: unknown) => {
      if (!staleVerdict(error)) throw error;
      this.drop();
      return connect(undefined);
    });
    this.record(connection.verdict);
    return connection;
  }

  /** Keeps what a connect reached. */
  record(verdict: EraVerdict): void {
    this.verdict = verdict;
  }

  /** Forgets the verdict: the next connect probes. */
  drop(): void {
    this.verdict = undefined;
  }

  /**
   * The server's era is in doubt (-32022 on a request): drop the verdict and
   * open a connection without one. One re-probe per server at a time, the
   * others wait for it; within `recheckMs` of the last one, its connection is
   * reused while it is open rather than probing again. Undefined when no
   * connection could be opened.
   */
  reprobe(): Promise<Connection | undefined> {
    if (this.reprobing) return this.reprobing;
    const last = this.reprobed;
    if (last && !last.connection.closed && this.now() - last.at < this.recheckMs) {
      return Promise.resolve(last.connection);
    }
    this.drop();
    this.reprobing = this.server
      .openFresh()
      .then(
        (connection) => {
          this.reprobed = { connection, at: this.now() };
          return connection;
        },
        () => undefined,
      )
      .finally(() => {
        this.reprobing = undefined;
      });
    return this.reprobing;
  }
}

/** A connect that failed because the kept verdict (its `prior`) no longer holds. */
function staleVerdict(error: unknown): boolean {
  return McpoolError.isInstance(error) && (error as { fromPrior?: unknown }).fromPrior === true;
}
