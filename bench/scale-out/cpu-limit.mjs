// A CPU budget per API process, as a container's CPU limit sets it: each process in a cgroup of
// its own whose CFS quota is `cores` × the period (cgroup v1 `cpu` controller, or v2 `cpu.max`).
// With the budget below what one core gives, an API process is the deployment's bottleneck even
// on a small machine, and a second process behind nginx shows what it adds. Needs root (or a
// delegated cgroup); without one the bench says so and stops rather than measure something else.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PERIOD_US = 100_000;

function hierarchy() {
  if (existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) return { root: '/sys/fs/cgroup/cpu', v2: false };
  const controllers = '/sys/fs/cgroup/cgroup.controllers';
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu'))
    return { root: '/sys/fs/cgroup', v2: true };
  throw new Error('SCALE_API_CPU needs the cgroup cpu controller (/sys/fs/cgroup/cpu, or cgroup v2 with cpu enabled)');
}

/**
 * Moves process `pid` (all its threads; threads it starts later follow) into a new cgroup capped
 * at `cores` CPUs. Returns `{ release }`: the removal of the cgroup (the process back in the root one).
 */
export function limitCpu(pid, cores, name) {
  const { root, v2 } = hierarchy();
  const dir = join(root, `${name}-${process.pid}-${pid}`);
  mkdirSync(dir);
  const quota = Math.max(1000, Math.round(cores * PERIOD_US));
  if (v2) writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
  else {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return {
    release: () => {
      try {
        writeFileSync(join(root, 'cgroup.procs'), String(pid));
      } catch {
        // the process has ended
      }
      try {
        rmdirSync(dir);
      } catch {
        // the kernel removes a cgroup only once its last task is gone; it is empty by now or soon
      }
    },
  };
}
