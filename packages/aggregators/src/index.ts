export { type AllOptions, type AllReport, all, type MissingServer } from './all.js';
export {
  type AllCallContent,
  allCallResults,
  type ServerCallOutcome,
  type ServerErrorInfo,
} from './all-result.js';
export { majorityOf, tally } from './deprecated.js';
export { type FastestOptions, fastest } from './fastest.js';
export { first } from './first.js';
export { type AggregationName, aggregationFromName, aggregationNames } from './from-name.js';
export { type MajorityOptions, majority } from './majority.js';
export { type NoQuorumDetails, NoQuorumError, type VoteCount } from './no-quorum-error.js';
export type { TallyVerdict, Verdict } from './tally.js';
