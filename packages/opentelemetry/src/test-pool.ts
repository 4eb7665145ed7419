import {
  MultiServerClient,
  type MultiServerClientOptions,
  type ServerPoolOptions,
} from '@mcpool/core';
import { startPool, useCleanup } from '@mcpool/core/testing';
import {
  type HttpTestServer,
  type InProcessTestServer,
  startInProcessServer,
} from '@mcpool/testkit';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { otelForTest, parentOf } from './test-otel.js';
import { tracing } from './tracing.js';

/** What each test opened, closed after it, last opened first. */
export const cleanup = useCleanup();

export type Server = InProcessTestServer | HttpTestServer;

/** A started pool over `servers`, traced into memory, and a traced client. */
export async function setup(
  servers: Server[],
  options: {
    pool?: ServerPoolOptions;
    client?: MultiServerClientOptions;
    priorities?: number[];
  } = {},
) {
  const otel = otelForTest();
  cleanup(() => otel.close());
  cleanup(() => Promise.all(servers.map((s) => s.close())));
  const telemetry = tracing({
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
  });
  const pool = await startPool(
    servers.map((s, i) => ({
      id: s.id,
      transport: s.transport,
      priority: options.priorities?.[i] ?? 0,
    })),
    { ...options.pool, cleanup, strict: options.pool?.strictStart ?? false, plugins: [telemetry] },
  );
  const client = cleanup(new MultiServerClient(pool, options.client));
  telemetry.traceClient(client);
  return { otel, pool, client, telemetry };
}

export function inProcess(...ids: string[]): InProcessTestServer[] {
  return ids.map((id) => startInProcessServer({ id }));
}

/** The attempt spans of a call span, in start order. */
export function attemptsOf(spans: readonly ReadableSpan[], call: ReadableSpan): ReadableSpan[] {
  return spans
    .filter((s) => parentOf(s) === call.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

/** The one element of a list, asserting there is exactly one. */
export function only<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  return list[0] as T;
}
