import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createConformanceFixtureServer } from './conformance-fixtures.js';
import { useCleanups } from './test-rig.js';

// The conformance suite itself exercises these fixtures in packages/gateway (through the
// gateway); these tests keep the answers the scenarios check right when run alone.
describe('createConformanceFixtureServer', () => {
  const cleanups = useCleanups();

  async function connect(): Promise<Client> {
    const server = createConformanceFixtureServer();
    const client = new Client(
      { name: 'fixtures-test', version: '0' },
      { capabilities: { sampling: {}, elicitation: { form: {} } } },
    );
    client.setRequestHandler(CreateMessageRequestSchema, (request) => ({
      role: 'assistant',
      model: 'test',
      content: {
        type: 'text',
        text: `echo ${JSON.stringify(request.params.messages[0]?.content)}`,
      },
    }));
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: 'accept',
      content: { response: 'yes' },
    }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    cleanups.push(() => client.close());
    return client;
  }

  it('offers the fixtures the scenarios call by name', async () => {
    const client = await connect();
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain('test_simple_text');
    expect(tools).toContain('test_elicitation_sep1330_enums');
    const prompts = (await client.listPrompts()).prompts;
    expect(prompts.map((prompt) => prompt.name).sort()).toEqual([
      'test_prompt_with_arguments',
      'test_prompt_with_embedded_resource',
      'test_prompt_with_image',
      'test_simple_prompt',
    ]);
    expect(prompts.every((prompt) => prompt.description)).toBe(true);
  });

  it('answers text, an isError result and a template read as the scenarios expect', async () => {
    const client = await connect();
    expect(await client.callTool({ name: 'test_simple_text' })).toEqual({
      content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
    });
    const failed = await client.callTool({ name: 'test_error_handling' });
    expect(failed.isError).toBe(true);
    const read = await client.readResource({ uri: 'test://template/123/data' });
    const first = read.contents[0];
    expect(first && 'text' in first ? JSON.parse(first.text) : undefined).toEqual({
      id: '123',
      templateTest: true,
      data: 'Data for ID: 123',
    });
  });

  it('asks the client to sample and to elicit, and completes arg1 with no values', async () => {
    const client = await connect();
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
    expect(sampled.content).toEqual([
      { type: 'text', text: 'LLM response: echo {"type":"text","text":"hi"}' },
    ]);
    const elicited = await client.callTool({
      name: 'test_elicitation',
      arguments: { message: 'ok?' },
    });
    expect(elicited.content).toEqual([
      { type: 'text', text: 'User response: action=accept, content={"response":"yes"}' },
    ]);
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'te' },
    });
    expect(completion.completion.values).toEqual([]);
  });
});
