import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * One CPU per job when the jobs fill the CPUs (Linux, util-linux's `taskset`). Node has no affinity
 * API, so a job's process is started through `taskset -c <cpu>`, which sets the affinity and execs
 * node in place (same pid, same IPC channel). Unpinned, the scheduler moves two busy jobs and their
 * V8 helper threads between the two cores and one job keeps losing time to the other (measured:
 * two side-by-side analysis loops 9402/9660 ms unpinned, 9116/9279 ms pinned, 8513 ms alone).
 * Fewer jobs than CPUs are not pinned: a lone job runs its compiler and GC helper threads on the
 * idle cores (1.16 cores used), and a pinned job's helper threads would be held to its own CPU.
 */
export interface CpuPlan {
  taskset: string;
  cpus: number[];
}

/** The CPUs to pin `jobs` jobs to, one each, or null where pinning does not apply or is not possible. */
export function cpuPlan(jobs: number): CpuPlan | null {
  if (process.platform !== 'linux' || jobs < 2) return null;
  const cpus = allowedCpus();
  if (cpus === null || cpus.length !== jobs) return null;
  const taskset = findTaskset();
  if (taskset === null) return null;
  // One try before any job runs: a taskset that cannot start node here must not fail every pair.
  const probe = spawnSync(taskset, ['-c', cpus.join(','), process.execPath, '--version'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0 ? { taskset, cpus } : null;
}

/** The CPUs this process may run on (its affinity list, as Linux gives it), or null. */
export function allowedCpus(status?: string): number[] | null {
  let text = status;
  try {
    text ??= readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(text);
  return m ? parseCpuList(m[1]) : null;
}

/** A Linux CPU list ("0-3,6,8-9") as CPU numbers, or null when it is not one. */
export function parseCpuList(list: string): number[] | null {
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (hi < lo) return null;
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus;
}

/** The first CPU of the plan that no live job holds: a job replacing a dead one takes the CPU it freed. */
export function freeCpu(plan: CpuPlan, held: Iterable<number | null>): number | null {
  const taken = new Set(held);
  return plan.cpus.find((c) => !taken.has(c)) ?? null;
}

function findTaskset(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, 'taskset');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return null;
}
