import { describe, expect, it } from 'vitest';
import { runProcess, startProcess } from './child-process.js';

const node = process.execPath;

describe('runProcess', () => {
  it('returns the exit code and both outputs, with the env it was given', async () => {
    const ran = await runProcess(
      node,
      ['-e', 'console.log(process.env.RIG_A); console.error("err"); process.exit(3)'],
      { env: { RIG_A: 'from-env' } },
    );
    expect(ran).toEqual({ code: 3, stdout: 'from-env\n', stderr: 'err\n' });
  });

  it('kills a process that outlives its timeout (code null)', async () => {
    const ran = await runProcess(node, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 200 });
    expect(ran.code).toBeNull();
  });
});

describe('startProcess', () => {
  it('waits for a line on stderr, then is killed', async () => {
    const child = startProcess(node, [
      '-e',
      'console.error("listening at 4242"); setTimeout(() => {}, 60_000)',
    ]);
    const match = await child.waitForStderr(/listening at (\d+)/, 10_000);
    expect(match[1]).toBe('4242');
    await child.kill();
    expect(await child.exited()).toBe('SIGKILL');
  });

  it('kills the process and names the pattern when the line never comes', async () => {
    const child = startProcess(node, [
      '-e',
      'console.error("other"); setTimeout(() => {}, 60_000)',
    ]);
    await expect(child.waitForStderr(/never/, 300)).rejects.toThrow(/\/never\/ on stderr/);
    expect(await child.exited()).toBe('SIGKILL');
  });
});
