import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseAssessment } from '../analysis/phase-quality.js';
import { parseConfigObject, readConfigFile } from '../config/parse.js';
import type { PartialStftConfig } from '../config/types.js';
import { SpecDetectError } from '../errors.js';
import { anyHdf5, loadHdf5 } from '../io/containers/index.js';
import { checkInputPaths } from '../io/input.js';
import { reconstruct } from '../export/index.js';
import { analyze, recipeOf } from '../analyze/index.js';
import type { BatchErrorKind, BatchLine, BatchPair } from './types.js';

/** Everything one pair's job needs; plain data, so it crosses to a worker process as is. */
export interface JobSpec {
  pair: BatchPair;
  pins: PartialStftConfig;
  top: number;
  exportDir: string | null;
}

/**
 * One pair, start to end: its paths checked, its manifest config read, analyze (as `analyze --json`),
 * and with an export folder the rank-1 WAV written sequentially (a job is one core's worth of work:
 * an export inside a batch never starts threads of its own). Never throws: a failure is the pair's
 * error line.
 */
export async function runJob(spec: JobSpec): Promise<BatchLine> {
  const { pair } = spec;
  const t0 = performance.now();
  resetPeakRss();
  const base: BatchLine = {
    pair: pair.name,
    status: 'error',
    magnitude: pair.magnitude,
    phase: pair.phase,
    error: null,
    errorKind: null,
    elapsedMs: 0,
    wav: null,
    phaseStatus: null,
    recipe: null,
    notes: [],
    peakRssMB: null,
    candidates: [],
  };
  try {
    if (pair.problem) return { ...base, error: `${pair.magnitude}: ${pair.problem}`, errorKind: 'input', elapsedMs: 0 };
    checkInputPaths([{ path: pair.magnitude }, { path: pair.phase }, { path: typeof pair.config === 'string' ? pair.config : null, role: 'config' }]);
    const pins = pairPins(spec.pins, pair);
    if (anyHdf5([pair.magnitude, pair.phase])) await loadHdf5();
    const r = analyze(pair.magnitude, pair.phase, { pins, top: spec.top });
    const line: BatchLine = {
      ...base,
      status: 'ok',
      phaseStatus: r.phase,
      recipe: r.candidates[0] ? recipeOf(r.candidates[0]) : null,
      notes: r.notes,
      candidates: r.candidates,
    };
    if (spec.exportDir !== null) {
      const config = r.candidates[0].config;
      const output = join(spec.exportDir, `${pair.name}.wav`);
      const verdict: PhaseAssessment | undefined =
        r.phaseFile !== null ? { usable: r.phase.usable, kind: r.phase.kind, reason: r.phase.reason, metrics: {} } : undefined;
      reconstruct(config, r.magnitudeFile, r.phaseFile, {
        output,
        bits: 32,
        // As `export`: an unknown gain makes the absolute level meaningless.
        normalize: config.gain === 'unknown' ? 'peak' : 'none',
        // A WAV left by a run killed before its line was written is this pair's: replaced.
        force: true,
        parallel: false,
        ...(verdict ? { phaseVerdict: verdict } : {}),
        startAmbiguous: r.candidates[0].ambiguousStart !== null,
      });
      line.wav = output;
    }
    return { ...line, elapsedMs: Math.round(performance.now() - t0), peakRssMB: peakRssMB() };
  } catch (e) {
    return { ...base, ...describeError(e), elapsedMs: Math.round(performance.now() - t0), peakRssMB: peakRssMB() };
  }
}

/** Global pins, then the manifest row's config on top (the more specific wins). */
function pairPins(pins: PartialStftConfig, pair: BatchPair): PartialStftConfig {
  if (!pair.config) return pins;
  const own = typeof pair.config === 'string' ? readConfigFile(pair.config) : parseConfigObject(pair.config, `${pair.name}: config`);
  return { ...pins, ...own };
}

/** An error as the CLI would put it, in one line, and its kind. */
export function describeError(e: unknown): { error: string; errorKind: BatchErrorKind } {
  if (e instanceof SpecDetectError) return { error: oneLine(e.message), errorKind: e.exitCode === 2 ? 'usage' : 'input' };
  const err = e as NodeJS.ErrnoException;
  if (err && (err.code === 'ENOSPC' || err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EDQUOT'))
    return { error: oneLine(err.message), errorKind: 'input' };
  if (e instanceof RangeError && /allocation|Array buffer|Invalid typed array length/i.test(e.message))
    return { error: `out of memory: ${oneLine(e.message)}`, errorKind: 'out-of-memory' };
  return { error: `internal error: ${oneLine(err?.message ?? String(e))} (please report this)`, errorKind: 'internal' };
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');

/** Linux: restart this process's resident-memory high-water mark, so the next reading is this pair's. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux, or not allowed: the mark then covers the process's life */
  }
}

/** This process's peak resident memory (MB) since the last reset. */
export function peakRssMB(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    /* not Linux */
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
