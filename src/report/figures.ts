/**
 * The numbers behind the report's pictures, read from the input under a candidate's config: the
 * decoded spectrogram on a display grid, the window's imprint, and a waveform's envelope. Drawing
 * them is charts.ts's job; nothing here knows about SVG or colours.
 */
import type { Evidence } from '../analysis/evidence.js';
import type { StftConfig } from '../config/types.js';
import { FrameReader } from '../decode/frames.js';
import { decodeMagnitudes } from '../decode/scales.js';
import { FrameSynthesizer, geometryFromConfig, subGeometry } from '../dsp/stft.js';

/**
 * The spectrogram's plot area in pixels (charts.ts draws it at this size): at most one cell per
 * pixel, so columns stand for resampled frames and rows for merged bins, never more than can be seen.
 */
export const SPECTROGRAM_PIXELS = { width: 860, height: 320 };
/** Frames decoded per column when a column stands for many frames (their maximum is shown). */
const FRAMES_PER_COLUMN = 3;

/** Time or frequency axes in physical units when the sample rate is known, in frames and bins otherwise. */
export interface AxisSpan {
  from: number;
  to: number;
  title: string;
}

/**
 * The decoded magnitudes in dB on a grid of `columns` × `rows` cells (column-major: cell (x, r) at
 * x·rows + r, r = 0 the lowest frequency), each cell the maximum of the frames and bins it stands for.
 */
export interface SpectrogramGrid {
  columns: number;
  rows: number;
  db: Float64Array;
  /** The loudest cell (dB). */
  peakDb: number;
  /** First frame each column stands for (ascending; the column covers up to the next one's). */
  frameOf: Int32Array;
  /** Linear energy Σ|X|² of the shown bins of each column, per frame read: where the signal is loud. */
  energy: Float64Array;
  x: AxisSpan;
  y: AxisSpan;
}

/** The time of frame m's centre in the original signal, in seconds. */
function frameTime(c: Pick<StftConfig, 'firstFrameStart' | 'hop' | 'nfft'>, m: number, sampleRate: number): number {
  return (c.firstFrameStart + m * c.hop + c.nfft / 2) / sampleRate;
}

/**
 * The decoded input as a dB grid (magnitudes only: the phase file is not read). A frame-major file is
 * read a few consecutive frames per column; a bin-major one a whole bin at a time (one read per bin,
 * not one per bin and column), so either costs a bounded number of reads.
 */
export function spectrogramGrid(evidence: Evidence, c: StftConfig): SpectrogramGrid {
  const source = evidence.magnitude.source(c.magnitudeFile);
  const columns = Math.min(c.frames, SPECTROGRAM_PIXELS.width);
  const shownBins = c.sided === 'two' ? Math.floor(c.nfft / 2) + 1 : c.bins;
  const rows = Math.min(shownBins, SPECTROGRAM_PIXELS.height);
  const rowOf = Int32Array.from({ length: shownBins }, (_, k) => Math.floor((k * rows) / shownBins));
  const peak = new Float64Array(columns * rows);
  const energy = new Float64Array(columns);
  const frameOf = new Int32Array(columns);
  // Each column stands for frames [frameOf[x], next); it shows the loudest of its first few.
  const take = new Int32Array(columns);
  for (let x = 0; x < columns; x++) {
    frameOf[x] = Math.floor((x * c.frames) / columns);
    const next = Math.max(frameOf[x] + 1, Math.floor(((x + 1) * c.frames) / columns));
    take[x] = Math.min(next - frameOf[x], FRAMES_PER_COLUMN);
  }
  const add = (x: number, k: number, v: number): void => {
    energy[x] += (v * v) / take[x];
    const cell = x * rows + rowOf[k];
    if (v > peak[cell]) peak[cell] = v;
  };
  /** Stored values (re, and im for a complex file) -> |X| in re. */
  const decode = (re: Float64Array, im: Float64Array, n: number): void => {
    if (source.complex) for (let i = 0; i < n; i++) re[i] = Math.hypot(re[i], im[i]);
    else decodeMagnitudes(re, c.magnitudeScale, n);
  };
  if (c.layout === 'frame-major') {
    const reader = new FrameReader(source, c);
    const re = new Float64Array(FRAMES_PER_COLUMN * c.bins);
    const im = new Float64Array(re.length);
    for (let x = 0; x < columns; x++) {
      reader.read(frameOf[x], take[x], re, im);
      decode(re, im, take[x] * c.bins);
      for (let j = 0; j < take[x]; j++) for (let k = 0; k < shownBins; k++) add(x, k, re[j * c.bins + k]);
    }
  } else {
    const re = new Float64Array(c.frames);
    const im = new Float64Array(c.frames);
    for (let k = 0; k < shownBins; k++) {
      source.read(k * c.frames, c.frames, re, im);
      decode(re, im, c.frames);
      for (let x = 0; x < columns; x++) for (let j = 0; j < take[x]; j++) add(x, k, re[frameOf[x] + j]);
    }
  }
  const db = peak.map((v) => 20 * Math.log10(v + 1e-300));
  let peakDb = -Infinity;
  for (const d of db) if (d > peakDb) peakDb = d;
  const sr = c.sampleRate;
  return {
    columns,
    rows,
    db,
    peakDb,
    frameOf,
    energy,
    x: sr
      ? { from: frameTime(c, 0, sr) - c.hop / 2 / sr, to: frameTime(c, c.frames - 1, sr) + c.hop / 2 / sr, title: 'time (s)' }
      : { from: 0, to: c.frames, title: 'frame' },
    y: sr ? { from: 0, to: ((shownBins - 1) * sr) / c.nfft, title: 'frequency (Hz)' } : { from: 0, to: shownBins - 1, title: 'bin' },
  };
}

/** Frame indices spread evenly over the file, at most `n`. */
function spread(frames: number, n: number): number[] {
  const k = Math.min(frames, n);
  return Array.from({ length: k }, (_, i) => Math.floor((i * frames) / k));
}

/** The squared window of a config, peak 1 (placed in its nfft frame). */
export function windowSquared(c: StftConfig): Float64Array {
  const w = geometryFromConfig(c).window.map((v) => v * v);
  let max = 0;
  for (const v of w) max = Math.max(max, v);
  return max > 0 ? w.map((v) => v / max) : w;
}

/**
 * The window's imprint: mean over sampled frames of y_m² (y_m = the frame's inverse transform after
 * undoing the config's gain, sign and reference), scaled by least squares onto the chosen window's w²
 * (peak 1). Returns null without phase.
 */
export function windowImprint(evidence: Evidence, c: StftConfig, estimatedWindow?: Float64Array): { measured: Float64Array; chosen: Float64Array } | null {
  if (c.phaseFile === null && !c.magnitudeFile.dtype.startsWith('complex')) return null;
  const g = geometryFromConfig(c, estimatedWindow);
  const synthG = g.sided === 'one-no-nyquist' ? { ...g, sided: 'one' as const } : g;
  const measured = new Float64Array(c.nfft);
  for (const m of spread(c.frames, 64)) {
    const syn = new FrameSynthesizer(subGeometry(synthG, m));
    const b = evidence.decodedFrames(c, m, 1);
    const y = syn.synth(0, b.re, b.im, 0, b.bins);
    let e = 0;
    for (let n = 0; n < y.length; n++) e += y[n] * y[n];
    if (e > 0) for (let n = 0; n < y.length; n++) measured[n] += (y[n] * y[n]) / e;
  }
  const chosen = g.window.map((w) => w * w);
  let max = 0;
  for (const x of chosen) max = Math.max(max, x);
  // The measured curve is scaled onto the chosen one by least squares: a noisy peak would set a max scale.
  let mc = 0;
  let mm = 0;
  for (let n = 0; n < chosen.length; n++) {
    mc += measured[n] * chosen[n];
    mm += measured[n] * measured[n];
  }
  const k = mm > 0 && max > 0 ? mc / mm / max : 0;
  for (let n = 0; n < chosen.length; n++) {
    measured[n] *= k;
    if (max > 0) chosen[n] /= max;
  }
  return { measured, chosen };
}

/** A waveform reduced to `columns` (min, max) pairs: what a plot of many samples shows anyway. */
export function envelope(samples: ArrayLike<number>, columns: number): { min: Float64Array; max: Float64Array } {
  const n = Math.min(columns, samples.length);
  const min = new Float64Array(n);
  const max = new Float64Array(n);
  for (let x = 0; x < n; x++) {
    const a = Math.floor((x * samples.length) / n);
    const b = Math.max(a + 1, Math.floor(((x + 1) * samples.length) / n));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b; i++) {
      if (samples[i] < lo) lo = samples[i];
      if (samples[i] > hi) hi = samples[i];
    }
    min[x] = lo;
    max[x] = hi;
  }
  return { min, max };
}
