import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Where the figures came from. */
export interface MachineInfo {
  cpuModel: string;
  /** `nproc`: CPUs this process may use. */
  nproc: number;
  node: string;
  platform: string;
  totalMemGiB: number;
  /** 1-minute load average when the run started: a noisy machine shows here. */
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: os.cpus() will do.
  }
  return {
    cpuModel,
    nproc: os.availableParallelism(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    totalMemGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
