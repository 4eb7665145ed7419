import { aggregationFromName } from '@mcpool/aggregators';
import { fromName } from '@mcpool/balancers';
import { InvalidConfigError, McpoolError } from '@mcpool/core';
export function zodIssues(error) {
    return error.issues.flatMap((issue) => {
        const path = issue.path.map(String);
        if (issue.code === 'unrecognized_keys') {
            return issue.keys.map((key) => ({
                path: [...path, key].join('.'),
                message: 'unknown option (check its spelling and place)',
            }));
        }
        return [{ path: path.join('.'), message: issue.message }];
    });
}
export function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Checks the balancer and aggregation names (when they are strings) with their packages. */
export function checkNames(strategy, aggregation, issues) {
    if (typeof strategy === 'string') {
        try {
            fromName(strategy);
        }
        catch (error) {
            issues.push(...issuesOf(error, 'strategy'));
        }
    }
    if (typeof aggregation === 'string') {
        try {
            aggregationFromName(aggregation);
        }
        catch (error) {
            issues.push(...issuesOf(error, 'aggregation'));
        }
    }
}
/** Re-roots the issues of an `InvalidConfigError` under `path`. */
export function issuesOf(error, path) {
    if (error instanceof InvalidConfigError || (McpoolError.isInstance(error) && 'issues' in error)) {
        return error.issues.map((issue) => ({
            path: issue.path === '' || issue.path === path
                ? path
                : issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`)
                    ? issue.path
                    : `${path}.${issue.path}`,
            message: issue.message,
        }));
    }
    throw error;
}
export function dedupe(issues) {
    const seen = new Set();
    return issues.filter((i) => {
        const key = `${i.path}\u0000${i.message}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}
//# sourceMappingURL=config-issues.js.map