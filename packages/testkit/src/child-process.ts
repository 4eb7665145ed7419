import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait.js';

/** Options of {@link runProcess} and {@link startProcess}. */
export interface ProcessOptions {
  /** Added to this process's environment; a key set to `undefined` is left out. */
  env?: Record<string, string | undefined> | undefined;
  cwd?: string | undefined;
}

/** What a process that ran to its end printed, and its exit code. */
export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child process started for a test, with what it printed so far. */
export interface StartedProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited(): Promise<number | string | null>;
  /** SIGKILL if still running, then waits for the exit. */
  kill(): Promise<void>;
  /**
   * Waits until stderr matches `pattern` and returns the match; on a timeout
   * kills the process and rejects with what it printed.
   */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Starts `command args` with both outputs collected; register its `kill` for cleanup. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions = {},
): StartedProcess {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exit = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  };
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => exit,
    kill,
    async waitForStderr(pattern, timeoutMs = 15_000) {
      try {
        return await waitFor(() => pattern.exec(stderr), {
          message: `${pattern} on stderr (so far: ${stderr})`,
          timeoutMs,
        });
      } catch (error) {
        await kill();
        throw error;
      }
    },
  };
}

/** Runs `command args` to its end (killed after `timeoutMs`) and returns what it printed. */
export async function runProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions & { timeoutMs?: number | undefined } = {},
): Promise<ProcessRun> {
  const started = startProcess(command, args, options);
  const timer = setTimeout(() => void started.kill(), options.timeoutMs ?? 15_000);
  const code = await started.exited();
  clearTimeout(timer);
  return {
    code: typeof code === 'number' ? code : null,
    stdout: started.stdout(),
    stderr: started.stderr(),
  };
}
