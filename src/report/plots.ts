import type { Evidence } from '../analysis/evidence.js';
import type { StftConfig } from '../config/types.js';
import { FrameSynthesizer, geometryFromConfig, subGeometry } from '../dsp/stft.js';
import type { Candidate } from '../analyze/index.js';
import { Canvas, colormap } from './png.js';

const MAX_COLUMNS = 800;
const MAX_ROWS = 400;
const DYNAMIC_RANGE_DB = 90;

/** Frame indices spread evenly over the file, at most `n`. */
function spread(frames: number, n: number): number[] {
  const k = Math.min(frames, n);
  return Array.from({ length: k }, (_, i) => Math.floor((i * frames) / k));
}

/** The decoded input as a dB spectrogram (time left to right, frequency upwards), sampled columns. */
export function spectrogramPng(evidence: Evidence, c: StftConfig): Uint8Array {
  const cols = spread(c.frames, MAX_COLUMNS);
  const shownBins = c.sided === 'two' ? Math.floor(c.nfft / 2) + 1 : c.bins;
  const rows = Math.min(shownBins, MAX_ROWS);
  const img = new Float64Array(cols.length * rows).fill(-Infinity);
  let peak = -Infinity;
  cols.forEach((m, x) => {
    const b = evidence.decodedFrames(c, m, 1);
    for (let k = 0; k < shownBins; k++) {
      const r = Math.floor((k * rows) / shownBins);
      const db = 20 * Math.log10(b.magnitude[k] + 1e-300);
      if (db > img[x * rows + r]) img[x * rows + r] = db;
      if (db > peak) peak = db;
    }
  });
  const canvas = new Canvas(cols.length, rows);
  for (let x = 0; x < cols.length; x++)
    for (let r = 0; r < rows; r++) canvas.set(x, rows - 1 - r, colormap((img[x * rows + r] - peak + DYNAMIC_RANGE_DB) / DYNAMIC_RANGE_DB));
  return canvas.png();
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

/** Measured imprint (blue) over the chosen window's w² (orange). */
export function imprintPng(measured: Float64Array, chosen: Float64Array): Uint8Array {
  const W = 640;
  const H = 240;
  const pad = 10;
  const canvas = new Canvas(W, H);
  canvas.line(pad, H - pad, W - pad, H - pad, [160, 160, 160]);
  // Headroom for the measured curve's noise above the chosen window's peak.
  let top = 1;
  for (const x of measured) top = Math.max(top, x);
  const y = (v: number): number => H - pad - (v / top) * (H - 2 * pad);
  const plot = (v: Float64Array, rgb: [number, number, number]): void => {
    const n = v.length;
    for (let i = 1; i < n; i++) {
      const x0 = pad + ((i - 1) * (W - 2 * pad)) / (n - 1);
      const x1 = pad + (i * (W - 2 * pad)) / (n - 1);
      canvas.line(x0, y(v[i - 1]), x1, y(v[i]), rgb);
    }
  };
  plot(chosen, [230, 120, 30]);
  plot(measured, [40, 90, 200]);
  return canvas.png();
}

/** One bar per candidate: consistency error in dB (longer bar = more consistent), best candidate green. */
export function consistencyPng(candidates: Candidate[]): Uint8Array | null {
  const vals = candidates.map((c) => c.consistencyDb);
  if (vals.every((v) => v === null)) return null;
  const W = 640;
  const barH = 22;
  const H = candidates.length * (barH + 6) + 10;
  const canvas = new Canvas(W, H);
  candidates.forEach((c, i) => {
    const db = c.consistencyDb ?? 0;
    const len = Math.max(2, (Math.min(200, -db) / 200) * (W - 20));
    canvas.rect(10, 5 + i * (barH + 6), 10 + len, 5 + i * (barH + 6) + barH, i === 0 ? [60, 170, 80] : [150, 150, 170]);
  });
  return canvas.png();
}
