import type { MachineInfo } from './util/machine.js';

/** A goal the brief sets, and whether this run met it. */
export interface Goal {
  text: string;
  /** null when the run could not judge it (e.g. quick mode, or a part that did not run). */
  met: boolean | null;
  detail: string;
}

/** What one part of the benchmark hands back. */
export interface PartResult {
  id: string;
  title: string;
  /** What the part measures and against what, one paragraph. */
  about: string;
  /** The printed figures (tables). */
  text: string;
  goals: Goal[];
  notes: string[];
  /** Every figure, for the JSON file. */
  data: unknown;
  durationMs: number;
}

export interface Context {
  quick: boolean;
  /** Progress on stderr, so stdout carries the report only. */
  log(message: string): void;
}

export interface Part {
  id: string;
  title: string;
  run(context: Context): Promise<Omit<PartResult, 'id' | 'title' | 'durationMs'>>;
}

export interface Report {
  tool: string;
  startedAt: string;
  mode: 'quick' | 'full';
  command: string;
  machine: MachineInfo;
  durationMs: number;
  parts: PartResult[];
  failed: { id: string; error: string }[];
}

export function renderPart(part: PartResult): string {
  const lines = [`## ${part.title}`, '', part.about, '', part.text, ''];
  for (const goal of part.goals) {
    const verdict = goal.met === null ? 'NOT JUDGED' : goal.met ? 'MET' : 'NOT MET';
    lines.push(`Goal: ${goal.text} — ${verdict}. ${goal.detail}`);
  }
  if (part.goals.length > 0) lines.push('');
  for (const note of part.notes) lines.push(`Note: ${note}`);
  if (part.notes.length > 0) lines.push('');
  lines.push(`(${(part.durationMs / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}
