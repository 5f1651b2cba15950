import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuPlan, freeCpu } from './affinity.js';
import type { JobSpec } from './job.js';
import type { BatchLine, BatchPair } from './types.js';

/**
 * Jobs in worker processes: `jobs` child processes, each running one pair at a time and reused for the
 * next. A job's memory is bounded twice: V8's heap by --max-old-space-size, and the whole process
 * (typed arrays live outside the heap) by a watchdog that reads its resident size every 200 ms and
 * stops it past the limit. A process that dies (out of memory, a crash, a kill) costs only the pair
 * it was running: that pair gets its error line and a fresh process takes the next one.
 */
export const WORKER_SCRIPT = fileURLToPath(new URL('./worker.js', import.meta.url));

/** The compiled worker, when there is one (running from the TypeScript sources there is not). */
export function defaultWorkerScript(): string | null {
  return existsSync(WORKER_SCRIPT) ? WORKER_SCRIPT : null;
}

/** Default memory per job: 80 % of the machine's memory shared between the jobs, at least 512 MB. */
export function defaultMemoryLimitMB(jobs: number): number {
  return Math.max(512, Math.floor((0.8 * totalmem()) / 2 ** 20 / jobs));
}

/**
 * V8 flags of a job's process. Its garbage collector normally hands work to helper threads, which pay
 * off only on an idle core: with a job on every core they compete with the other jobs (measured: a lone
 * job uses 1.12–1.16 cores, 1.06–1.07 with a single-threaded collector, at the same wall time within
 * this machine's noise), so a pool that fills the cores collects on each job's own thread.
 */
export function workerFlags(jobs: number, memoryLimitMB: number, cores = availableParallelism()): string[] {
  const flags = [`--max-old-space-size=${memoryLimitMB}`];
  if (jobs >= cores) flags.push('--single-threaded-gc', ...LEAN_JIT);
  return flags;
}

/**
 * Less optimizing-compiler work per job, for a pool that fills the cores. A fresh job spends ~3 s of
 * compiler-thread CPU on its first 4 pairs (then ~0.1 core), which a lone job gets from the idle core
 * but a full pool takes from the other job. Optimizing later (4x the interrupt budget: more type
 * feedback, fewer deopt-and-recompile rounds) and inlining less (half the cumulative budget) cut it
 * (one process analysing the 4 sample recipes in turn, helper-thread CPU: first round 3.0-3.4 ->
 * 2.0-2.1 s, second 0.44-0.54 -> 0.27-0.32 s; main thread the same within noise). Batch of 40 pairs
 * at --jobs 2, interleaved runs: 1.13-1.31 -> 1.25-1.50 pairs/s, CPU per pair 1614 -> 1394 ms
 * (means); results identical. At --jobs 1 no change (0.80/0.87 pairs/s either way), so a lone job
 * keeps V8's defaults.
 */
const LEAN_JIT = ['--interrupt-budget=270336', '--max-inlined-bytecode-size-cumulative=460'];

const WATCH_MS = 200;
const STDERR_TAIL = 4096;

interface Slot {
  proc: ChildProcess;
  /** The CPU the job's process is pinned to (affinity.ts), or null. */
  cpu: number | null;
  job: { id: number; spec: JobSpec; t0: number; peakMB: number } | null;
  killedForMemory: number | null;
  stderr: string;
}

export interface PoolOptions {
  script: string;
  jobs: number;
  memoryLimitMB: number;
  onStart?: (pair: BatchPair, pid: number) => void;
}

/** Run every spec in the pool; `onLine` gets each pair's line as it finishes (in the parent, in finishing order). */
export function runPool(specs: readonly JobSpec[], opts: PoolOptions, onLine: (line: BatchLine) => void): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    let finished = 0;
    const slots = new Set<Slot>();
    const plan = specs.length > 0 ? cpuPlan(Math.min(opts.jobs, specs.length)) : null;
    const watchdog = setInterval(() => {
      for (const s of slots) {
        if (!s.job || s.proc.pid === undefined) continue;
        const mb = residentMB(s.proc.pid);
        if (mb === null) continue;
        s.job.peakMB = Math.max(s.job.peakMB, mb);
        if (mb > opts.memoryLimitMB && s.killedForMemory === null) {
          s.killedForMemory = mb;
          s.proc.kill('SIGKILL');
        }
      }
    }, WATCH_MS);
    const finish = (line: BatchLine): void => {
      finished++;
      onLine(line);
      if (finished === specs.length) {
        clearInterval(watchdog);
        resolve();
      }
    };
    const dispatch = (s: Slot): void => {
      if (next >= specs.length) {
        s.job = null;
        slots.delete(s);
        s.proc.disconnect?.();
        return;
      }
      const id = next++;
      const spec = specs[id];
      s.job = { id, spec, t0: performance.now(), peakMB: 0 };
      s.killedForMemory = null;
      s.stderr = '';
      s.proc.send({ id, spec });
      if (s.proc.pid !== undefined) opts.onStart?.(spec.pair, s.proc.pid);
    };
    const start = (): void => {
      const cpu = plan
        ? freeCpu(
            plan,
            [...slots].map((s) => s.cpu),
          )
        : null;
      const flags = workerFlags(opts.jobs, opts.memoryLimitMB);
      // Pinned: fork runs `taskset -c <cpu> node <flags> worker.js`, taskset execs node in its place.
      const proc = fork(opts.script, [], {
        ...(plan && cpu !== null ? { execPath: plan.taskset, execArgv: ['-c', String(cpu), process.execPath, ...flags] } : { execArgv: flags }),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      const slot: Slot = { proc, cpu, job: null, killedForMemory: null, stderr: '' };
      slots.add(slot);
      proc.stderr?.on('data', (d: Buffer) => {
        slot.stderr = (slot.stderr + d.toString('utf8')).slice(-STDERR_TAIL);
      });
      proc.on('message', (msg: { id?: number; line?: BatchLine }) => {
        if (!slot.job || msg.id !== slot.job.id || !msg.line) return;
        const peak = Math.max(msg.line.peakRssMB ?? 0, slot.job.peakMB);
        if (peak > opts.memoryLimitMB) {
          // The watchdog samples every WATCH_MS, so a short job can pass its limit unseen and finish; its own
          // resident peak still tells. The verdict must not depend on when the watchdog looked: the job is
          // out of memory, and its process (resident above the limit) is replaced through `died`.
          slot.killedForMemory = peak;
          proc.kill('SIGKILL');
          return;
        }
        const line: BatchLine = { ...msg.line, peakRssMB: peak || null };
        slot.job = null;
        finish(line);
        dispatch(slot);
      });
      let gone = false;
      const died = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
        if (gone) return;
        gone = true;
        // An IPC error can come before the exit: make sure the process is gone before another replaces it.
        if (error) proc.kill('SIGKILL');
        slots.delete(slot);
        const job = slot.job;
        if (!job) return;
        slot.job = null;
        finish(
          deathLine(job.spec.pair, {
            code,
            signal,
            error,
            stderr: slot.stderr,
            killedForMemory: slot.killedForMemory,
            limitMB: opts.memoryLimitMB,
            elapsedMs: performance.now() - job.t0,
            peakMB: job.peakMB,
          }),
        );
        if (next < specs.length) start();
      };
      proc.on('exit', (code, signal) => died(code, signal));
      proc.on('error', (e) => died(null, null, e));
      dispatch(slot);
    };
    if (specs.length === 0) {
      clearInterval(watchdog);
      resolve();
      return;
    }
    for (let i = 0; i < Math.min(opts.jobs, specs.length); i++) start();
  });
}

interface Death {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: Error | undefined;
  stderr: string;
  killedForMemory: number | null;
  limitMB: number;
  elapsedMs: number;
  peakMB: number;
}

/** The error line of a pair whose process died under it. */
function deathLine(pair: BatchPair, d: Death): BatchLine {
  let error: string;
  let kind: BatchLine['errorKind'];
  if (d.killedForMemory !== null) {
    error = `out of memory: the job used ${d.killedForMemory} MB, over its limit of ${d.limitMB} MB; it was stopped`;
    kind = 'out-of-memory';
  } else if (/heap out of memory|Reached heap limit|Allocation failed/i.test(d.stderr)) {
    error = `out of memory: the job's JavaScript heap passed its limit of ${d.limitMB} MB`;
    kind = 'out-of-memory';
  } else {
    const last = d.stderr.trim().split('\n').pop()?.trim();
    const how = d.error ? `could not run (${d.error.message})` : d.signal ? `was killed (${d.signal})` : `exited with code ${d.code}`;
    error = `the job's process ${how}${last ? `: ${last}` : ''}`;
    kind = 'crash';
  }
  return {
    pair: pair.name,
    status: 'error',
    magnitude: pair.magnitude,
    phase: pair.phase,
    error: `${pair.magnitude}: ${error}`,
    errorKind: kind,
    elapsedMs: Math.round(d.elapsedMs),
    wav: null,
    phaseStatus: null,
    recipe: null,
    notes: [],
    peakRssMB: d.peakMB || null,
    candidates: [],
  };
}

/** A process's resident memory (MB) from /proc, or null where there is none. */
function residentMB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
