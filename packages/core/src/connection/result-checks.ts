import {
  CallToolResultSchema,
  CompleteResultSchema,
  ErrorCode,
  GetPromptResultSchema,
  McpError,
  ReadResourceResultSchema,
} from '@modelcontextprotocol/sdk/types.js';

/*
 * How the direct path (direct-requests.ts) checks results as the SDK client
 * does: the schemas it parses them with, and for tools/call a shape check of
 * plain results and the tool's `outputSchema`.
 */

/** The schemas the SDK client parses the results of the other direct methods with. */
export const SCHEMAS = new Map<string, Schema>([
  ['resources/read', ReadResourceResultSchema],
  ['prompts/get', GetPromptResultSchema],
  ['completion/complete', CompleteResultSchema],
]);

export interface Schema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: unknown };
}

/** What the SDK client keeps private but this path needs, as the client's own `callTool` does. */
export interface ClientInternals {
  isToolTaskRequired(name: string): boolean;
  getToolOutputValidator(
    name: string,
  ): ((value: unknown) => { valid: boolean; errorMessage?: string }) | undefined;
}

export interface PlainResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
}

/**
 * A result the SDK's `CallToolResultSchema` would return unchanged: text
 * blocks with nothing but `type` and `text`, and no `_meta`. Anything else
 * goes through the schema, which also gives a malformed result its error.
 */
export function isPlainToolResult(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const { content, structuredContent, isError, _meta } = result as PlainResult & {
    _meta?: unknown;
  };
  if (!Array.isArray(content) || _meta !== undefined) return false;
  if (isError !== undefined && typeof isError !== 'boolean') return false;
  if (
    structuredContent !== undefined &&
    (typeof structuredContent !== 'object' ||
      structuredContent === null ||
      Array.isArray(structuredContent))
  ) {
    return false;
  }
  for (const block of content) {
    if (typeof block !== 'object' || block === null) return false;
    if (block.type !== 'text' || typeof block.text !== 'string') return false;
    let keys = 0;
    for (const _ in block) keys++;
    if (keys !== 2) return false;
  }
  return true;
}

/**
 * A `tools/call` result checked as the SDK client's `callTool` checks it, in
 * one visit: the shape of a plain result (else `CallToolResultSchema`, whose
 * error a malformed result throws), then the tool's `outputSchema`.
 */
export function checkToolResult(
  internals: ClientInternals,
  tool: string,
  result: unknown,
): PlainResult {
  let checked = result;
  if (!isPlainToolResult(result)) {
    const parsed = CallToolResultSchema.safeParse(result);
    if (!parsed.success) throw parsed.error;
    checked = parsed.data;
  }
  checkOutput(internals, tool, checked as PlainResult);
  return checked as PlainResult;
}

/** What the SDK client's `callTool` checks after the schema: the tool's `outputSchema`. */
function checkOutput(internals: ClientInternals, tool: string, result: PlainResult): void {
  const validator = internals.getToolOutputValidator(tool);
  if (!validator) return;
  if (!result.structuredContent && !result.isError) {
    throw new McpError(
      ErrorCode.InvalidRequest,
      `Tool ${tool} has an output schema but did not return structured content`,
    );
  }
  if (!result.structuredContent) return;
  let verdict: { valid: boolean; errorMessage?: string };
  try {
    verdict = validator(result.structuredContent);
  } catch (error) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Failed to validate structured content: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!verdict.valid) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Structured content does not match the tool's output schema: ${verdict.errorMessage}`,
    );
  }
}
