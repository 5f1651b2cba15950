/**
 * Short listening excerpts for the report: one stretch of the file (up to 10 s where the signal is
 * loud), reconstructed under each of the top candidates, as 16-bit WAV bytes. Only the frames that
 * cover the excerpt are read and synthesised: the export's own reconstruction loop (export-range.ts)
 * with the file's phase, phase retrieval on those frames (plus context) without it.
 */
import { measuredWindowOf } from '../../heuristics/index.js';
import type { Evidence } from '../analysis/evidence.js';
import type { StftConfig } from '../config/types.js';
import { decodeMagnitudes } from '../decode/scales.js';
import { pghiLambda } from '../dsp/pghi.js';
import { retrievePhase } from '../dsp/retrieval.js';
import { geometryFromConfig, outputRange, subGeometry } from '../dsp/stft.js';
import { DEFAULT_SAMPLE_RATE } from '../export/index.js';
import { BlockDecoder, synthesizeJob } from '../export/range.js';
import { PEAK_TARGET } from '../io/wav.js';
import type { SpectrogramGrid } from './figures.js';

/** The longest excerpt (seconds). */
export const EXCERPT_SECONDS = 10;
/**
 * Retrieval iterations for an excerpt without usable phase: past most of the gain (retrieval.ts's
 * benchmark: PGHI start −29 dB, 32 iterations −38.5, 100 −42) at a third of export's cost.
 */
export const EXCERPT_RETRIEVAL_ITERATIONS = 32;

/** The stored frames [frameStart, frameEnd) an excerpt stands for: the same stretch of the file for every candidate. */
export interface ExcerptSpan {
  frameStart: number;
  frameEnd: number;
}

export interface Excerpt {
  /** Reconstructed samples (unit gain: not normalised). */
  samples: Float64Array;
  /** Original-signal index of samples[0]. */
  start: number;
  /** The sample rate an export of the candidate would write (its config's, else export's default). */
  sampleRate: number;
  /** Whether the samples come from the phase file or from phase retrieval on the magnitudes. */
  phase: 'file' | 'retrieved';
}

/** The sample rate an export of this config would use (the config's, else export's default). */
function exportSampleRate(c: StftConfig): number {
  return c.sampleRate ?? DEFAULT_SAMPLE_RATE;
}

/**
 * The loudest stretch of at most EXCERPT_SECONDS under the rank-1 config, from the spectrogram's
 * column energies (already decoded: no second pass over the file).
 */
export function loudestSpan(grid: SpectrogramGrid, c: StftConfig): ExcerptSpan {
  const length = Math.max(1, Math.min(c.frames, Math.floor((EXCERPT_SECONDS * exportSampleRate(c)) / c.hop)));
  const ends = Array.from(grid.frameOf, (_, x) => (x + 1 < grid.columns ? grid.frameOf[x + 1] : c.frames));
  let best = 0;
  let bestEnergy = -1;
  let sum = 0;
  let z = 0;
  // Window of columns [x, z) whose frames all lie in [frameOf[x], frameOf[x] + length).
  for (let x = 0; x < grid.columns; x++) {
    if (z < x) {
      z = x;
      sum = 0;
    }
    while (z < grid.columns && ends[z] <= grid.frameOf[x] + length) {
      sum += grid.energy[z] * (ends[z] - grid.frameOf[z]);
      z++;
    }
    if (sum > bestEnergy) {
      bestEnergy = sum;
      best = grid.frameOf[x];
    }
    if (z > x) sum -= grid.energy[x] * (ends[x] - grid.frameOf[x]);
  }
  const frameStart = Math.max(0, Math.min(best, c.frames - length));
  return { frameStart, frameEnd: frameStart + length };
}

/**
 * The samples a span stands for under config c: from its first frame's centre to the centre past its
 * last (the export's own start or end where the span reaches the file's), cut to EXCERPT_SECONDS and
 * to what an export writes; a span at the file's end reaches back to fill EXCERPT_SECONDS.
 */
function spanSamples(c: StftConfig, span: ExcerptSpan): { start: number; end: number } {
  const range = outputRange(c, c.frames, c.originalLength);
  const centre = (m: number): number => c.firstFrameStart + m * c.hop + Math.floor(c.nfft / 2);
  const first = span.frameStart <= 0 ? range.start : centre(Math.min(span.frameStart, c.frames - 1));
  const last = span.frameEnd >= c.frames ? range.end : centre(span.frameEnd);
  const longest = Math.round(EXCERPT_SECONDS * exportSampleRate(c));
  let start = Math.max(range.start, Math.min(range.end, first));
  let end = Math.max(start, Math.min(range.end, last));
  if (end - start > longest) end = start + longest;
  // A span at the file's end stops at the last sample: it starts earlier instead of playing short.
  else if (span.frameEnd >= c.frames) start = Math.max(range.start, end - longest);
  return { start, end };
}

/**
 * The excerpt of one candidate. `filePhase`: the phase file (or complex values) is usable under this
 * candidate; otherwise the phase of the excerpt's frames is retrieved from their magnitudes.
 */
export function candidateExcerpt(evidence: Evidence, c: StftConfig, span: ExcerptSpan, filePhase: boolean): Excerpt {
  const { start, end } = spanSamples(c, span);
  const sampleRate = exportSampleRate(c);
  const samples = new Float64Array(end - start);
  if (end <= start) return { samples, start, sampleRate, phase: filePhase ? 'file' : 'retrieved' };
  // Frames whose support [f0 + m·hop, f0 + m·hop + nfft) meets [start, end).
  const first = Math.max(0, Math.ceil((start - c.firstFrameStart - c.nfft + 1) / c.hop));
  const last = Math.min(c.frames, Math.floor((end - 1 - c.firstFrameStart) / c.hop) + 1);
  const g = geometryFromConfig(c, measuredWindowOf(evidence, c));
  if (filePhase) {
    const mag = evidence.magnitude.source(c.magnitudeFile);
    const phase = c.phaseFile && evidence.phase ? evidence.phase.source(c.phaseFile) : null;
    let at = 0;
    synthesizeJob(c, g, new BlockDecoder(c, mag, phase), { frameStart: first, frameEnd: last, outStart: start, outEnd: end }, (x) => {
      samples.set(x, at);
      at += x.length;
    });
    return { samples, start, sampleRate, phase: 'file' };
  }
  // Retrieval needs context: frames beyond the excerpt keep its edges as consistent as its middle.
  const context = 2 * Math.ceil(c.nfft / c.hop);
  const a = Math.max(0, first - context);
  const b = Math.min(c.frames, last + context);
  const block = evidence.decodedFrames({ ...c, phaseFile: null }, a, b - a);
  const r = retrievePhase(block.magnitude, subGeometry(g, a), {
    iterations: EXCERPT_RETRIEVAL_ITERATIONS,
    init: 'pghi',
    ...(block.floor ? { unknownMagnitude: block.floor } : {}),
    ...(c.dbFloor !== null ? { floorMagnitude: floorLevel(c) } : {}),
    ...(c.window !== 'estimated' ? { lambda: pghiLambda(c.window, c.winLength, c.windowSymmetry) } : {}),
  });
  const from = start - r.signalStart;
  samples.set(r.signal.subarray(Math.max(0, from), Math.max(0, from) + samples.length), Math.max(0, -from));
  return { samples, start, sampleRate, phase: 'retrieved' };
}

/** The linear magnitude of the config's dB floor (stored units decoded). */
function floorLevel(c: StftConfig): number {
  const v = new Float64Array([c.dbFloor ?? 0]);
  decodeMagnitudes(v, c.magnitudeScale);
  return v[0];
}

/** A mono 16-bit PCM WAV of the samples, peak-normalised to just under full scale (levels compare by ear). */
export function wav16(samples: Float64Array, sampleRate: number): Uint8Array {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) if (Math.abs(samples[i]) > peak && Number.isFinite(samples[i])) peak = Math.abs(samples[i]);
  const k = peak > 0 ? (PEAK_TARGET * 32767) / peak : 0;
  const out = new Uint8Array(44 + samples.length * 2);
  const dv = new DataView(out.buffer);
  const ascii = (o: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[o + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  ascii(36, 'data');
  dv.setUint32(40, samples.length * 2, true);
  // WAV is little-endian: a typed view where the machine is too (a non-finite sample stores as 0
  // there, as ToInt16 makes it), the DataView elsewhere.
  const little = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  if (little) {
    const pcm = new Int16Array(out.buffer, 44, samples.length);
    for (let i = 0; i < samples.length; i++) pcm[i] = Math.round(samples[i] * k);
  } else {
    for (let i = 0; i < samples.length; i++) dv.setInt16(44 + 2 * i, Number.isFinite(samples[i]) ? Math.round(samples[i] * k) : 0, true);
  }
  return out;
}
