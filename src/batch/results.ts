import { appendFileSync, closeSync, existsSync, ftruncateSync, openSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import type { BatchLine } from './types.js';

/**
 * The results file: one JSON line per pair, each written whole by one append from the parent process.
 * A killed run can leave a last line cut short: it is ignored and cut off before anything is appended,
 * so the file stays valid JSON lines.
 */
export interface ResultsState {
  /** doneKey() of every pair with a complete `status: "ok"` line. */
  done: Set<string>;
  /** A cut-short last line was removed. */
  repaired: boolean;
  /** Complete lines that are not JSON objects (ignored). */
  unreadable: number;
}

/** Read what earlier runs wrote, repairing a cut-short last line. A missing file is an empty one. */
export function openResults(file: string, repair: boolean): ResultsState {
  const state: ResultsState = { done: new Set(), repaired: false, unreadable: 0 };
  if (!existsSync(file)) return state;
  if (statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, not a results file`);
  const text = readFileSync(file);
  const end = text.lastIndexOf(0x0a) + 1;
  if (end < text.length) {
    state.repaired = true;
    if (repair) {
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, end);
      } finally {
        closeSync(fd);
      }
    }
  }
  for (const s of text.subarray(0, end).toString('utf8').split('\n')) {
    if (s.trim() === '') continue;
    try {
      const v = JSON.parse(s) as Partial<BatchLine>;
      if (v && typeof v.pair === 'string' && typeof v.magnitude === 'string' && v.status === 'ok')
        state.done.add(doneKey({ name: v.pair, magnitude: v.magnitude, phase: v.phase ?? null }));
    } catch {
      state.unreadable++;
    }
  }
  return state;
}

/**
 * What identifies a pair across runs: its name and its files' names. Not the full paths, which differ
 * between machines that share a batch (another mount, another working folder).
 */
export function doneKey(p: { name: string; magnitude: string; phase: string | null }): string {
  return `${p.name}\u0000${basename(p.magnitude)}\u0000${p.phase === null ? '' : basename(p.phase)}`;
}

/** Key order of a line: identity and verdict first, the (long) candidates last. */
export function formatLine(line: BatchLine): string {
  const { pair, status, magnitude, phase, error, errorKind, elapsedMs, wav, phaseStatus, recipe, notes, peakRssMB, candidates } = line;
  return `${JSON.stringify({ pair, status, magnitude, phase, error, errorKind, elapsedMs, wav, phaseStatus, recipe, notes, peakRssMB, candidates })}\n`;
}

/** Append one whole line (a single write). */
export function appendLine(file: string, line: BatchLine): void {
  appendFileSync(file, formatLine(line));
}
