import type { ConfigIssue } from '@mcpool/core';
/**
 * Replaces `${env:NAME}` in every string of the document with the variable's
 * value, so that secrets can stay out of the file. A missing variable is a problem
 * with its path.
 */
export declare function expandEnv(value: unknown, env: Readonly<Record<string, string | undefined>>, path: string, issues: ConfigIssue[]): unknown;
//# sourceMappingURL=config-env.d.ts.map