import { cpus } from 'node:os';
import { monotonicMs } from './clock.js';

/** CPU spent over a window, in ms of one core: by this process, and by the whole machine. */
export interface CpuSpent {
  readonly processMs: number;
  readonly machineBusyMs: number;
  readonly wallMs: number;
}

function machineBusyMs(): number {
  return cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0);
}

/**
 * The machine's figure is what shows a run disturbed by other work on the same cores (a
 * compiler, a test suite): subtract what the benchmark's processes used and the rest is theirs.
 */
export function startCpuWindow(): { stop(): CpuSpent } {
  const processBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const start = monotonicMs();
  return {
    stop: () => {
      const used = process.cpuUsage(processBefore);
      return {
        processMs: (used.user + used.system) / 1000,
        machineBusyMs: machineBusyMs() - machineBefore,
        wallMs: monotonicMs() - start,
      };
    },
  };
}
