import type { AttemptReport } from '@mcpool/core';
import { isUnreachable, messageOf, saysNothingAboutServer } from './failure.js';
import type { Observation } from './outlier-tracker.js';

/** What an attempt of real traffic says about its server; undefined when nothing. */
export function observe(report: AttemptReport): Observation | undefined {
  const { outcome, error } = report;
  if (outcome === 'success' || outcome === 'rejected') return { kind: 'answer' };
  if (outcome === 'aborted' || saysNothingAboutServer(error)) return undefined;
  const detail = `${outcome}: ${messageOf(error)}`;
  return isUnreachable(error) ? { kind: 'refused', detail } : { kind: 'fault', detail };
}
