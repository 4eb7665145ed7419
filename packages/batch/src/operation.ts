import type { CallOptions, ConfigIssue, MultiServerClient } from '@mcpool/core';

/** Params of `client.callTool`. */
export type CallToolParams = Parameters<MultiServerClient['callTool']>[0];
/** Params of `client.readResource`. */
export type ReadResourceParams = Parameters<MultiServerClient['readResource']>[0];
/** Params of `client.getPrompt`. */
export type GetPromptParams = Parameters<MultiServerClient['getPrompt']>[0];

/** What each kind of operation resolves to. */
export interface BatchResults {
  callTool: Awaited<ReturnType<MultiServerClient['callTool']>>;
  readResource: Awaited<ReturnType<MultiServerClient['readResource']>>;
  getPrompt: Awaited<ReturnType<MultiServerClient['getPrompt']>>;
}

/** One request to put in a batch: the client method, its params and its call options. */
export type BatchOperation =
  | {
      readonly method: 'callTool';
      readonly params: CallToolParams;
      readonly options?: CallOptions | undefined;
    }
  | {
      readonly method: 'readResource';
      readonly params: ReadResourceParams;
      readonly options?: CallOptions | undefined;
    }
  | {
      readonly method: 'getPrompt';
      readonly params: GetPromptParams;
      readonly options?: CallOptions | undefined;
    };

/** The result type of an operation, by its method. */
export type BatchResult<O extends BatchOperation> = BatchResults[O['method']];

/** Every problem with an operation given by untyped code; empty when it is well formed. */
export function operationIssues(operation: unknown): ConfigIssue[] {
  if (typeof operation !== 'object' || operation === null)
    return [{ path: '', message: 'must be an object { method, params, options? }' }];
  const op = operation as { method?: unknown; params?: unknown; options?: unknown };
  const issues: ConfigIssue[] = [];
  const params = op.params as Record<string, unknown> | undefined;
  if (typeof params !== 'object' || params === null) {
    issues.push({ path: 'params', message: 'must be an object' });
  }
  switch (op.method) {
    case 'callTool':
    case 'getPrompt':
      if (params && typeof params === 'object' && typeof params.name !== 'string')
        issues.push({ path: 'params.name', message: 'must be a string' });
      break;
    case 'readResource':
      if (params && typeof params === 'object' && typeof params.uri !== 'string')
        issues.push({ path: 'params.uri', message: 'must be a string' });
      break;
    default:
      issues.push({
        path: 'method',
        message: `must be 'callTool', 'readResource' or 'getPrompt' (got ${JSON.stringify(op.method)})`,
      });
  }
  if (op.options !== undefined && (typeof op.options !== 'object' || op.options === null))
    issues.push({ path: 'options', message: 'must be an object' });
  return issues;
}

/** Human description for errors, e.g. `callTool "add"`. */
export function describeOperation(operation: BatchOperation): string {
  return operation.method === 'readResource'
    ? `readResource "${operation.params.uri}"`
    : `${operation.method} "${operation.params.name}"`;
}
