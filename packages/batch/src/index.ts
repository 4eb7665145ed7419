export { BatchClient, type BatchClientOptions, type BatchMetrics } from './batch-client.js';
export type {
  BatchOperation,
  BatchResult,
  BatchResults,
  CallToolParams,
  GetPromptParams,
  ReadResourceParams,
} from './operation.js';
