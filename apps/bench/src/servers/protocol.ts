/** Messages between the benchmark and its server host process. */
export type HostRequest = { seq: number } & (
  | { cmd: 'start'; servers: { id: string; latencyMs?: number }[] }
  | { cmd: 'kill'; server: string }
  | { cmd: 'restart'; server: string }
  | { cmd: 'latency'; server: string; ms: number }
  | { cmd: 'counts' }
  | { cmd: 'close' }
);

/** Distributes `Omit` over the union, so each command keeps its own fields. */
export type HostCommand = HostRequest extends infer R
  ? R extends { seq: number }
    ? Omit<R, 'seq'>
    : never
  : never;

export interface HostReply {
  seq: number;
  ok: boolean;
  error?: string;
  result?: {
    servers?: { id: string; url: string }[];
    counts?: Record<string, number>;
    sessions?: Record<string, number>;
  };
}
