import { describe, expect, it } from 'vitest';
import { serverSetIssues } from './membership.js';

const stdio = (command: string) => ({ type: 'stdio' as const, command });

describe('serverSetIssues', () => {
  it('names every problem of a server set, server by server', () => {
    const issues = serverSetIssues(
      [
        { id: 'a__b', transport: stdio('') },
        { id: 'ok', transport: stdio('x'), weight: -1 },
        { id: 'ok', transport: stdio('x') },
      ],
      '__',
    );
    expect(issues).toEqual([
      { path: 'servers[0].transport.command', message: 'give the command that starts the server' },
      {
        path: 'servers[0].id',
        message:
          'the id "a__b" contains the namespacing separator "__"; rename the server or choose another separator',
      },
      { path: 'servers[1].weight', message: 'weight cannot be negative (0 drains the server)' },
      { path: 'servers[2].id', message: '"ok" appears twice' },
    ]);
  });

  it('finds nothing wrong with distinct valid servers, whatever the separator', () => {
    const set = [
      { id: 'a__b', transport: stdio('x') },
      { id: 'c', transport: stdio('y') },
    ];
    expect(serverSetIssues(set, '.')).toEqual([]);
    expect(serverSetIssues(set, '__')).toHaveLength(1);
  });
});
