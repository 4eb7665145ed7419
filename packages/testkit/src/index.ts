export {
  type ProcessOptions,
  type ProcessRun,
  runProcess,
  type StartedProcess,
  startProcess,
} from './child-process.js';
export { createConformanceFixtureServer } from './conformance-fixtures.js';
export {
  connectEraClient,
  ERA_CLIENT_KINDS,
  type EraClient,
  type EraClientKind,
  type EraToolResult,
  eraText,
} from './era-clients.js';
export {
  type EverythingHttpServer,
  everythingEntry,
  everythingStdioConfig,
  type StartEverythingHttpOptions,
  startEverythingHttp,
} from './everything.js';
export {
  type HttpTestServer,
  type HttpTestServerOptions,
  type KillOptions,
  startHttpServer,
} from './http-server.js';
export {
  type InProcessTestServer,
  startInProcessServer,
  startInProcessServers,
} from './in-process.js';
export { listenOnLoopback, readBody } from './loopback-http.js';
export {
  connectObserved,
  type ObservedClient,
  type ObservedClientOptions,
  observeClient,
} from './observed-client.js';
export { resultText } from './result-text.js';
export {
  type ProxyHop,
  type RoundRobinProxy,
  type RoundRobinProxyOptions,
  startRoundRobinProxy,
} from './round-robin-proxy.js';
export { connectClient, firstText, type TestClient, transportFor } from './sdk-client.js';
export {
  type StdioTestServerConfig,
  type StdioTestServerOptions,
  stdioMainPath,
  stdioServerConfig,
  TEST_SERVER_ENV,
} from './stdio-server.js';
export {
  createTestMcpServer,
  STANDARD_TOOL_NAMES,
  type StandardToolName,
  type TestServerMode,
  type TestServerOptions,
  TestServerState,
} from './test-server.js';
export { type FailureHooks, interceptToolCalls } from './tool-call-interceptor.js';
export type {
  TestCustomTransportConfig,
  TestSseTransportConfig,
  TestStdioTransportConfig,
  TestStreamableHttpTransportConfig,
  TestTransportConfig,
} from './transport-config.js';
export {
  startV2HttpServer,
  type V2HttpTestServer,
  type V2HttpTestServerOptions,
} from './v2-http-server.js';
export {
  type V2StdioTestServerConfig,
  type V2StdioTestServerOptions,
  v2StdioMainPath,
  v2StdioServerConfig,
} from './v2-stdio-server.js';
export {
  createV2TestMcpServer,
  type ProtocolEra,
  type V2CacheHints,
  type V2TestServerOptions,
} from './v2-test-server.js';
export { delay, freePort, type WaitForOptions, waitFor } from './wait.js';
