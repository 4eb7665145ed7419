import {
  MultiServerClient,
  type MultiServerClientOptions,
  ServerPool,
  type ServerPoolOptions,
} from '@mcpool/core';
import {
  type HttpTestServer,
  type InProcessTestServer,
  startInProcessServer,
} from '@mcpool/testkit';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { otelForTest, parentOf } from './test-otel.js';
import { tracing } from './tracing.js';

/** What each test leaves to close; `runCleanups` after each test. */
export const cleanups: (() => Promise<void>)[] = [];

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

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
  const pool = new ServerPool({ reconnect: { baseMs: 20, maxMs: 100 }, ...options.pool });
  servers.forEach((s, i) => {
    pool.addServer({ id: s.id, transport: s.transport, priority: options.priorities?.[i] ?? 0 });
  });
  const telemetry = tracing({
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
  });
  pool.use(telemetry);
  await pool.start();
  const client = new MultiServerClient(pool, options.client);
  telemetry.traceClient(client);
  cleanups.push(async () => {
    await client.close();
    await pool.close();
    await Promise.all(servers.map((s) => s.close()));
    await otel.close();
  });
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
