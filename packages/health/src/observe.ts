import type { AttemptReport } from '@mcpool/core';
import { isUnreachable, messageOf, saysNothingAboutServer } from './failure.js';
import type { Observation } from './outlier-tracker.js';

/** Most attempts answer: one observation for all of them, never changed. */
const ANSWER: Observation = Object.freeze({ kind: 'answer' });

/** What an attempt of real traffic says about its server; undefined when nothing. */
export function observe(report: AttemptReport): Observation | undefined {
  const { outcome, error } = report;
  if (outcome === 'success' || outcome === 'rejected') return ANSWER;
  if (outcome === 'aborted' || saysNothingAboutServer(error)) return undefined;
  const detail = `${outcome}: ${messageOf(error)}`;
  return isUnreachable(error) ? { kind: 'refused', detail } : { kind: 'fault', detail };
}
