import { existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { checkInputPaths } from '../io/input.js';
import { checkWritableFolder } from '../io/output.js';
import { type JobSpec, runJob } from './job.js';
import { readManifest } from './manifest.js';
import { pairFolder } from './pairing.js';
import { defaultMemoryLimitMB, defaultWorkerScript, runPool } from './pool.js';
import { appendLine, doneKey, openResults } from './results.js';
import type { BatchLine, BatchOptions, BatchPlan, BatchSummary } from './types.js';

/**
 * Analyse many pairs unattended, one JSON line each in a results file.
 *
 * The pairs come from a folder (files paired by name: `take1-mag.f32` + `take1-phase.f32`; see
 * pairing.ts) or a manifest (`.csv` with a header, or `.jsonl`: `magnitude`, `phase`, `config`
 * columns). They are sorted once; `shard` takes every pair whose index is `index` mod `count`, so
 * machines given 0/N ... N−1/N cover the batch exactly once with no coordinator. Pairs already
 * `ok` in `out` are skipped, so a killed batch run again continues where it stopped. One bad pair
 * (unreadable, no plausible configuration, a crashed or out-of-memory job) is an error line and the
 * batch goes on.
 *
 * Parameters
 * - `input`: a folder, or a manifest file (`.csv`, `.jsonl`/`.ndjson`).
 * - `opts.out`: the results file (JSON lines, appended; created if missing).
 * - `opts.exportDir`: also write each pair's rank-1 reconstruction here as `<pair>.wav` (32-bit float).
 * - `opts.jobs`: pairs run at once, each in its own process (default: the number of cores).
 * - `opts.shard`: `{ index, count }`, 0 <= index < count (default `{ index: 0, count: 1 }`).
 * - `opts.top`: candidates kept per pair (default 5), exactly as `analyze --json` gives them.
 * - `opts.pins`: fields pinned for every pair (a manifest row's `config` goes on top).
 * - `opts.memoryLimitMB`: resident memory per job in MB (default 80 % of RAM shared by the jobs).
 * - `opts.dryRun`: only list the pairs (and what is skipped, and what is already done).
 *
 * Returns a BatchSummary: the plan, counts, and this run's lines. Throws (before any work) a
 * UsageError for bad options or an unwritable output, an InputError for an unreadable input or manifest.
 *
 * Example
 * ```ts
 * const s = await batch('recordings/', { out: 'results.jsonl', exportDir: 'wav', jobs: 2 });
 * console.log(`${s.ok} ok, ${s.failed} failed`); // results.jsonl: one line per pair
 * ```
 */
export async function batch(input: string, opts: BatchOptions): Promise<BatchSummary> {
  const t0 = performance.now();
  const shard = opts.shard ?? { index: 0, count: 1 };
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new UsageError(`--shard ${shard.index}/${shard.count}: expected I/N with 0 <= I < N`);
  }
  const jobs = opts.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs must be a positive integer');
  const top = opts.top ?? 5;
  const exportDir = opts.exportDir ?? null;
  checkInputPaths([{ path: input, kind: 'any' }]);
  if (!opts.dryRun) {
    if (existsSync(opts.out) && statSync(opts.out).isDirectory()) throw new UsageError(`${opts.out}: is a directory, not a results file`);
    checkWritableFolder(opts.out);
    if (exportDir !== null) prepareExportDir(exportDir);
  }
  const plan = planBatch(
    input,
    [opts.out, exportDir].filter((p): p is string => !!p),
  );
  const mine = plan.pairs.filter((_, i) => i % shard.count === shard.index);
  const results = openResults(opts.out, !opts.dryRun);
  const todo = mine.filter((p) => !results.done.has(doneKey(p)));
  const script = opts.workerScript === undefined ? defaultWorkerScript() : opts.workerScript;
  const isolation = script ? 'process' : 'inline';
  const summary: BatchSummary = {
    plan,
    shard,
    selected: mine.length,
    alreadyDone: mine.length - todo.length,
    donePairs: mine.filter((p) => results.done.has(doneKey(p))).map((p) => p.name),
    ok: 0,
    failed: 0,
    lines: [],
    repaired: results.repaired,
    jobs: isolation === 'process' ? Math.max(1, Math.min(jobs, todo.length)) : 1,
    isolation,
    elapsedMs: 0,
    peakRssMB: null,
  };
  if (opts.dryRun) return { ...summary, elapsedMs: Math.round(performance.now() - t0) };
  const specs: JobSpec[] = todo.map((pair) => ({ pair, pins: opts.pins ?? {}, top, exportDir }));
  const onLine = (line: BatchLine): void => {
    appendLine(opts.out, line);
    summary.lines.push(line);
    if (line.status === 'ok') summary.ok++;
    else summary.failed++;
    if (line.peakRssMB !== null) summary.peakRssMB = Math.max(summary.peakRssMB ?? 0, line.peakRssMB);
    opts.onEvent?.({ type: 'done', line, done: summary.ok + summary.failed, failed: summary.failed, total: specs.length });
  };
  if (script) {
    await runPool(
      specs,
      { script, jobs, memoryLimitMB: opts.memoryLimitMB ?? defaultMemoryLimitMB(jobs), onStart: (pair, pid) => opts.onEvent?.({ type: 'start', pair, pid }) },
      onLine,
    );
  } else {
    for (const spec of specs) {
      opts.onEvent?.({ type: 'start', pair: spec.pair, pid: process.pid });
      onLine(await runJob(spec));
    }
  }
  summary.elapsedMs = Math.round(performance.now() - t0);
  return summary;
}

/** The sorted pairs of a folder or manifest (nothing is run or written). `exclude`: paths that are the batch's own output. */
export function planBatch(input: string, exclude: readonly string[] = []): BatchPlan {
  checkInputPaths([{ path: input, kind: 'any' }]);
  if (statSync(input).isDirectory()) return pairFolder(input, exclude);
  if (/\.(csv|jsonl|ndjson)$/i.test(input)) return readManifest(input);
  throw new UsageError(`${input}: expected a folder, or a manifest ending in .csv or .jsonl`);
}

function prepareExportDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--export-dir ${dir}: is not a folder`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`--export-dir ${dir}: cannot create it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  checkWritableFolder(join(dir, 'probe.wav'));
}
