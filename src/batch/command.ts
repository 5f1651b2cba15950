import type { PartialStftConfig } from '../config/types.js';
import { SpecDetectError, UsageError } from '../errors.js';
import { checkInputPaths } from '../io/input.js';
import { batch } from './batch.js';
import { countBar } from '../cli/progress.js';
import { batchProgress, duration } from './progress.js';
import type { BatchSummary } from './types.js';

/** `spec-detect batch`: options as commander parsed them. */
export interface BatchCliOptions {
  out?: string;
  exportDir?: string;
  jobs?: number;
  shard?: string;
  top: number;
  set: string[];
  config?: string;
  maxMemory?: number;
  dryRun: boolean;
}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

/** Some pairs failed: exit 4, after every pair has its line. */
export class PairsFailed extends SpecDetectError {
  constructor(message: string) {
    super(message, 4);
  }
}

/** Parse `--shard I/N`. */
export function parseShard(s: string | undefined): { index: number; count: number } {
  if (s === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard ${s}: expected I/N with 0 <= I < N (e.g. 0/4)`);
  return { index, count };
}

/**
 * The command: a thin call to the library's batch(). `pinsOf` turns --config/--set into pins (the
 * CLI's own reader, so every command reads them alike). Throws PairsFailed (exit 4) when pairs failed.
 */
export async function batchCommand(
  input: string,
  o: BatchCliOptions,
  io: Io,
  pinsOf: (config: string | undefined, sets: string[]) => PartialStftConfig,
): Promise<void> {
  checkInputPaths([
    { path: input, kind: 'any' },
    { path: o.config, role: 'config' },
  ]);
  if (!o.out && !o.dryRun) throw new UsageError("batch: required option '--out <results.jsonl>' not specified");
  const shard = parseShard(o.shard);
  const pins = pinsOf(o.config, o.set);
  const progress = batchProgress(countBar(io, 'batch', 'pairs'));
  const s = await batch(input, {
    out: o.out ?? '',
    exportDir: o.exportDir ?? null,
    ...(o.jobs !== undefined ? { jobs: o.jobs } : {}),
    shard,
    top: o.top,
    pins,
    ...(o.maxMemory !== undefined ? { memoryLimitMB: o.maxMemory } : {}),
    dryRun: o.dryRun,
    onEvent: progress.onEvent,
  });
  progress.done();
  if (o.dryRun) {
    io.stdout(dryRunText(s, o.out ?? null));
    return;
  }
  const rate = s.lines.length / Math.max(s.elapsedMs / 1000, 1e-3);
  io.stderr(
    `batch: ${s.selected} pair(s)${s.shard.count > 1 ? ` in shard ${s.shard.index}/${s.shard.count}` : ''}: ${s.ok} ok, ${s.failed} failed, ${s.alreadyDone} already done; ` +
      `${duration(s.elapsedMs / 1000)} (${rate.toFixed(2)} pairs/s, ${s.jobs} job(s)${s.peakRssMB !== null ? `, peak ${s.peakRssMB} MB per job` : ''})` +
      `${s.repaired ? '; a cut-short last line from an earlier run was removed' : ''}; results in ${o.out}\n`,
  );
  if (s.failed > 0) throw new PairsFailed(`${s.failed} of ${s.lines.length} pair(s) failed: their lines in ${o.out} say why`);
}

/** What --dry-run prints: every pair of the shard (and whether it is done), then what was skipped. */
export function dryRunText(s: BatchSummary, out: string | null): string {
  const shardPairs = s.plan.pairs.filter((_, i) => i % s.shard.count === s.shard.index);
  const lines = [
    `${s.plan.pairs.length} pair(s) in ${s.plan.input}${s.shard.count > 1 ? `; shard ${s.shard.index}/${s.shard.count} takes ${s.selected}` : ''}${out ? `; ${s.alreadyDone} already ok in ${out}` : ''}`,
  ];
  const done = new Set(s.donePairs);
  const width = Math.min(32, Math.max(4, ...shardPairs.map((p) => p.name.length)));
  for (const p of shardPairs) {
    const what = p.problem
      ? `cannot run: ${p.problem}`
      : p.phase
        ? `${p.magnitude} + ${p.phase}`
        : `${p.magnitude} (alone: magnitude-only, or a file holding both arrays)`;
    lines.push(
      `  ${p.name.padEnd(width)}  ${done.has(p.name) ? '(done) ' : ''}${what}${p.config ? ` [config ${typeof p.config === 'string' ? p.config : 'inline'}]` : ''}`,
    );
  }
  if (s.plan.skipped.length) {
    lines.push(`skipped ${s.plan.skipped.length}:`);
    for (const k of s.plan.skipped) lines.push(`  ${k.path}: ${k.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
