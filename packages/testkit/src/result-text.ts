/** The text of a tool result: every text block joined, other blocks skipped. */
export function resultText(result: unknown): string {
  const content = ((result as { content?: unknown } | undefined)?.content ?? []) as {
    type: string;
    text?: string;
  }[];
  return content.map((c) => c.text ?? '').join('');
}
