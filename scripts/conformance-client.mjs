#!/usr/bin/env node
// The client that the MCP conformance suite's client scenarios run: mcpool's pool client
// (`ServerPool` + `MultiServerClient` from the built packages/core, with the modern
// connector of packages/connector-modern) over one server, the scenario's test server.
//
//   MCP_CONFORMANCE_SCENARIO=<name> node scripts/conformance-client.mjs <server URL>
//
// The suite's harness (`conformance client --command ...`) appends the URL and sets
// MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION (the revision the scenario
// runs at) and, for some scenarios, MCP_CONFORMANCE_CONTEXT (JSON: the tool calls to
// make). A revision of 2026-07-28 pins the server to the modern era; an older one to the
// legacy era; none lets the pool probe (`auto`). The program does what an application on
// the pool would: it connects, reads the catalog, calls every tool (the context's calls
// when given), reads every resource and gets every prompt, and answers an
// `input_required` result by fulfilling its input requests and calling again with
// `inputResponses` and `requestState`, as the pool leaves that loop to its caller.
// Exit 0 when every step worked, 1 otherwise (the suite judges the wire either way).
// scripts/conformance.mjs runs it under the project's Node, not the suite's.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bounds: rounds of one `input_required` exchange, and the time for the whole program. */
const MAX_ROUNDS = 5;
const DEADLINE_MS = 25_000;

// Set by the conformance suite's harness.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by a plain script, not a turbo task
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by a plain script, not a turbo task
const revision = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by a plain script, not a turbo task
const contextText = process.env.MCP_CONFORMANCE_CONTEXT;

function log(line) {
  process.stderr.write(`conformance-client: ${line}\n`);
}

/** An error's message and those of its causes. */
function describe(error) {
  const parts = [];
  for (let e = error, depth = 0; e && depth < 4; e = e.cause, depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(' <- ');
}

async function load(pkg) {
  const entry = join(ROOT, 'packages', pkg, 'dist', 'index.js');
  try {
    return await import(pathToFileURL(entry).href);
  } catch (error) {
    throw new Error(`cannot load ${entry} (run \`pnpm build\` first): ${error.message}`);
  }
}

/** A value for each required property of a JSON schema, from its default or type. */
function argumentsFor(schema) {
  const args = {};
  for (const name of schema?.required ?? []) {
    const property = schema.properties?.[name] ?? {};
    if ('default' in property) args[name] = property.default;
    else if (Array.isArray(property.enum)) args[name] = property.enum[0];
    else if (property.type === 'number' || property.type === 'integer') args[name] = 1;
    else if (property.type === 'boolean') args[name] = true;
    else if (property.type === 'array') args[name] = [];
    else if (property.type === 'object') args[name] = {};
    else args[name] = 'conformance';
  }
  return args;
}

/**
 * The application's answers to a server's questions: an elicitation is accepted as sent
 * (no field filled in: defaults are the client's to apply), sampling answers a fixed text,
 * roots are none.
 */
const handlers = {
  elicitation: async () => ({ action: 'accept', content: {} }),
  sampling: async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'conformance' },
    model: 'mcpool-conformance',
  }),
  roots: async () => ({ roots: [] }),
};

/** Answers one input request of an `input_required` result with the same handlers. */
function answer(request) {
  switch (request?.method) {
    case 'elicitation/create':
      return handlers.elicitation(request.params);
    case 'sampling/createMessage':
      return handlers.sampling(request.params);
    case 'roots/list':
      return handlers.roots();
    default:
      throw new Error(`input request for an unknown method '${request?.method}'`);
  }
}

/** Calls `send(extra)` and, while the result is `input_required`, answers and calls again. */
async function withInputs(what, send) {
  let result = await send({});
  for (let round = 0; result?.resultType === 'input_required'; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`${what}: still input_required after ${round} rounds`);
    const inputResponses = {};
    for (const [key, request] of Object.entries(result.inputRequests ?? {})) {
      inputResponses[key] = await answer(request);
    }
    result = await send({
      inputResponses,
      ...(result.requestState !== undefined ? { requestState: result.requestState } : {}),
    });
  }
  return result;
}

async function exercise(client, context) {
  const tools = await client.listTools();
  log(`${tools.length} tool(s): ${tools.map((tool) => tool.name).join(', ')}`);
  const calls = Array.isArray(context?.toolCalls)
    ? context.toolCalls
    : tools.map((tool) => ({ name: tool.name, arguments: argumentsFor(tool.inputSchema) }));
  const failures = [];
  // One call after the other (an input_required exchange included); then the same calls
  // at once, when there are several, for the scenarios that look at concurrent requests.
  const callOne = (call) =>
    withInputs(`tools/call ${call.name}`, (extra) =>
      client.callTool({ name: call.name, arguments: call.arguments ?? {}, ...extra }),
    ).then(
      (result) => log(`tools/call ${call.name}: ${JSON.stringify(result).slice(0, 200)}`),
      (error) => failures.push(`tools/call ${call.name}: ${describe(error)}`),
    );
  for (const call of calls) await callOne(call);
  if (calls.length > 1 && scenario.startsWith('sep-2322')) await Promise.all(calls.map(callOne));

  const resources = await client.listResources().catch((error) => {
    failures.push(`resources/list: ${error.message}`);
    return [];
  });
  for (const resource of resources) {
    await client
      .readResource({ uri: resource.uri })
      .catch((error) => failures.push(`resources/read ${resource.uri}: ${error.message}`));
  }
  const prompts = await client.listPrompts().catch((error) => {
    failures.push(`prompts/list: ${error.message}`);
    return [];
  });
  for (const prompt of prompts) {
    const args = {};
    for (const argument of prompt.arguments ?? []) {
      if (argument.required) args[argument.name] = 'conformance';
    }
    await client
      .getPrompt({ name: prompt.name, arguments: args })
      .catch((error) => failures.push(`prompts/get ${prompt.name}: ${error.message}`));
  }
  return failures;
}

async function main() {
  const url = process.argv.at(-1);
  if (!url || !/^https?:\/\//.test(url)) {
    log(`usage: MCP_CONFORMANCE_SCENARIO=<name> node ${process.argv[1]} <server URL>`);
    return 2;
  }
  const context = contextText ? JSON.parse(contextText) : undefined;
  const protocol = !revision ? 'auto' : revision === '2026-07-28' ? '2026-07-28' : 'legacy';
  log(`scenario '${scenario}' at ${revision ?? 'any revision'} (protocol ${protocol}) on ${url}`);
  const { MultiServerClient, ServerPool } = await load('core');
  const { modernConnector } = await load('connector-modern');
  const pool = new ServerPool({
    connectors: [modernConnector()],
    handlers,
    clientInfo: { name: 'mcpool-conformance-client', version: '1.0.0' },
  });
  pool.addServer({
    id: 'scenario',
    transport: { type: 'streamable-http', url },
    protocol,
  });
  const client = new MultiServerClient(pool);
  const deadline = setTimeout(() => {
    log(`gave up after ${DEADLINE_MS} ms`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  try {
    await pool.start({ strict: true });
    const failures = await exercise(client, context);
    for (const failure of failures) log(failure);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await client.close();
    await pool.close();
    clearTimeout(deadline);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
