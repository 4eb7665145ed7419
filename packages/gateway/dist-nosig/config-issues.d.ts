import { type ConfigIssue } from '@mcpool/core';
import type { z } from 'zod';
export declare function zodIssues(error: z.ZodError): ConfigIssue[];
export declare function isRecord(value: unknown): value is Record<string, unknown>;
/** Checks the balancer and aggregation names (when they are strings) with their packages. */
export declare function checkNames(strategy: unknown, aggregation: unknown, issues: ConfigIssue[]): void;
/** Re-roots the issues of an `InvalidConfigError` under `path`. */
export declare function issuesOf(error: unknown, path: string): ConfigIssue[];
export declare function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[];
//# sourceMappingURL=config-issues.d.ts.map