import { toIssues } from '@mcpool/core/internal';
import { z } from 'zod';
import type { DiscoverOptions } from './discover.js';
import { InvalidDiscoveryOptionsError } from './errors.js';

const ms = z.number().finite().nonnegative();

const schema = z.object({
  interval: ms.positive().optional(),
  timeout: ms.positive().optional(),
  backoff: z
    .object({ baseMs: ms.positive().optional(), maxMs: ms.positive().optional() })
    .optional(),
  settle: ms.optional(),
  maxRemoveRatio: z.number().min(0).max(1).optional(),
  minServers: z.number().int().nonnegative().optional(),
  confirmAfter: ms.optional(),
});

/** Parses `input` with `schema` or throws one error naming every problem with its path. */
export function parseOptions<T>(what: string, schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidDiscoveryOptionsError(what, toIssues(result.error));
  return result.data;
}

/** Validated `discover()` options with their defaults filled in. */
export function parseDiscoverOptions(options: DiscoverOptions) {
  const { clock: _clock, signal: _signal, include: _include, ...rest } = options;
  const o = parseOptions('discover() options', schema, rest);
  return {
    interval: o.interval ?? 30_000,
    timeout: o.timeout ?? 10_000,
    backoff: { baseMs: o.backoff?.baseMs ?? 1_000, maxMs: o.backoff?.maxMs ?? 30_000 },
    settle: o.settle ?? 500,
    maxRemoveRatio: o.maxRemoveRatio ?? 0.5,
    minServers: o.minServers ?? 1,
    confirmAfter: o.confirmAfter ?? 1_000,
  };
}
