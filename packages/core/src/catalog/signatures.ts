import type { Prompt, Tool } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../util/canonical-json.js';

/*
 * What makes two servers' definitions of one name the same capability (replicas, routed
 * together) or different ones (a conflict, namespaced apart).
 */

/** Signatures by definition object: a catalog's items are compared many times, serialized once. */
const signatureCache = new WeakMap<object, string>();

/**
 * A schema without its top-level `$schema`: the v1 SDK writes draft-07 there and the v2 SDK
 * 2020-12 for the same zod shape, so the dialect alone must not split replicas apart.
 */
function withoutDialect(schema: object | undefined): object | null {
  if (schema === undefined) return null;
  if (!('$schema' in schema)) return schema;
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return rest;
}

export function toolSignature(tool: Tool): string {
  let sig = signatureCache.get(tool);
  if (sig === undefined) {
    sig = canonicalJson({
      input: withoutDialect(tool.inputSchema),
      output: withoutDialect(tool.outputSchema),
    });
    signatureCache.set(tool, sig);
  }
  return sig;
}

export function promptSignature(prompt: Prompt): string {
  let sig = signatureCache.get(prompt);
  if (sig === undefined) {
    sig = canonicalJson(prompt.arguments ?? []);
    signatureCache.set(prompt, sig);
  }
  return sig;
}
