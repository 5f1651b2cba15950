import type { Evidence } from '../../src/analysis/evidence.js';
import { FrameSynthesizer, plainGeometry } from '../../src/dsp/stft.js';
import type { Segments } from '../shared/window-imprint.js';
import { type Convention, type TransformInput } from '../shared/transform-input.js';
import { rawIndex } from '../shared/overlap-exactness.js';

/**
 * The signal at the two ends of the STFT (DESIGN.md §4.7), rebuilt by least-squares overlap-add of the
 * first and last frames: where the maker padded with zeros it falls to the data's noise floor, where it
 * reflected it is the mirror of what follows the signal's first (precedes its last) sample. Zeros stay
 * zeros whatever window rebuilds them; the mirror survives an approximate window. The convention is
 * undone by index (a roll and a reversal, shared/overlap-exactness.ts rawIndex), exact for every sign and reference.
 */

/** Where the rebuild is trusted: the window envelope at least this fraction of its largest value. */
const RELIABLE = 1e-3;

export interface EdgeSignal {
  /** Rebuilt samples, index 0 = first sample of the first frame used. */
  x: Float64Array;
  /** 1 where the window envelope makes x trustworthy. */
  reliable: Uint8Array;
}

/** Frame-start segments of frames [m0, m0+count): the raw inverse FFT, then the convention undone. */
export function frameStartSegments(
  evidence: Evidence,
  c: TransformInput,
  m0: number,
  count: number,
  hop: number,
  conv: Convention,
  centre: number,
): Float64Array {
  const N = c.nfft;
  const syn = new FrameSynthesizer(plainGeometry(N, c.sided));
  const b = evidence.decodedFrames(c, m0, count);
  const out = new Float64Array(count * N);
  for (let i = 0; i < count; i++) {
    const raw = syn.synth(m0 + i, b.re, b.im, i * c.bins, c.bins);
    for (let j = 0; j < N; j++) {
      const v = raw[rawIndex(j, m0 + i, hop, conv, centre, N)];
      out[i * N + j] = Number.isFinite(v) ? v : 0;
    }
  }
  return out;
}

/** Half-width of the moving average that steadies the imprint (the window is smooth, the noise is not). */
const SMOOTH = 2;

/**
 * An approximate window from the interior imprint: √ of the mean normalised y² in frame-start
 * coordinates, lightly smoothed, peak 1. The rebuild only needs it roughly: zeros stay exact, and a
 * mirror still correlates 0.98–0.998 (1 with the true window).
 */
export function imprintWindow(s: Segments, hop: number, conv: Convention, centre: number): Float64Array {
  const N = s.nfft;
  const imp = new Float64Array(N);
  for (let i = 0; i < s.count; i++) {
    const o = i * N;
    const inv = 1 / s.energy[i];
    for (let j = 0; j < N; j++) {
      const v = s.y[o + rawIndex(j, s.frame[i], hop, conv, centre, N)];
      imp[j] += v * v * inv;
    }
  }
  const w = new Float64Array(N);
  let peak = 0;
  for (let j = 0; j < N; j++) {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, j - SMOOTH); k <= Math.min(N - 1, j + SMOOTH); k++, n++) sum += imp[k];
    w[j] = Math.sqrt(sum / n);
    if (w[j] > peak) peak = w[j];
  }
  if (peak > 0) for (let j = 0; j < N; j++) w[j] /= peak;
  return w;
}

/** Least-squares overlap-add of `count` frame-start segments spaced by hop, with its reliability mask. */
export function rebuild(y: Float64Array, count: number, N: number, hop: number, w: Float64Array): EdgeSignal {
  const len = (count - 1) * hop + N;
  const acc = new Float64Array(len);
  const env = new Float64Array(len);
  for (let m = 0; m < count; m++) {
    const o = m * hop;
    for (let j = 0; j < N; j++) {
      acc[o + j] += w[j] * y[m * N + j];
      env[o + j] += w[j] * w[j];
    }
  }
  let peak = 0;
  for (let t = 0; t < len; t++) if (env[t] > peak) peak = env[t];
  const x = new Float64Array(len);
  const reliable = new Uint8Array(len);
  for (let t = 0; t < len; t++) {
    if (!(env[t] > peak * RELIABLE)) continue;
    reliable[t] = 1;
    x[t] = acc[t] / env[t];
  }
  return { x, reliable };
}

/**
 * Correlation of x[p − i] with x[p + i], i = 1..span, over reliable samples: 1 when x mirrors about
 * sample p (reflect padding). Null when fewer than `min` pairs can be compared.
 */
export function mirrorCorrelation(e: EdgeSignal, p: number, span: number, min: number): { r: number; pairs: number } | null {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  let n = 0;
  for (let i = 1; i <= span; i++) {
    const a = p - i;
    const b = p + i;
    if (a < 0 || b >= e.x.length || !e.reliable[a] || !e.reliable[b]) continue;
    ab += e.x[a] * e.x[b];
    aa += e.x[a] * e.x[a];
    bb += e.x[b] * e.x[b];
    n++;
  }
  if (n < min || !(aa > 0 && bb > 0)) return null;
  return { r: ab / Math.sqrt(aa * bb), pairs: n };
}

/**
 * A pad that extends the signal from its end sample p: `edge` repeats x[p], `odd` turns the signal about
 * it, `symmetric` mirrors it with x[p] repeated (reflect mirrors about x[p] itself: mirrorCorrelation).
 */
export type Extension = 'edge' | 'odd' | 'symmetric';

/**
 * How far the pad side x[p + d·i] (i = 1..span; d = −1 before the signal's first sample, +1 after its
 * last) is from the extension of the signal side x[p − d·i] about sample p, as RMS over the signal side's
 * RMS (an edge pad's over x[p]): round-off for the maker's extension, order 1 for any other. Null when
 * fewer than `min` pairs can be compared.
 */
export function extensionMiss(e: EdgeSignal, p: number, d: 1 | -1, kind: Extension, span: number, min: number): { miss: number; pairs: number } | null {
  if (p < 0 || p >= e.x.length || !e.reliable[p]) return null;
  const end = e.x[p];
  let diff = 0;
  let sig = 0;
  let n = 0;
  for (let i = 1; i <= span; i++) {
    const a = p + d * i;
    // The signal sample the pad sample copies: one nearer the end for a symmetric pad.
    const b = kind === 'symmetric' ? p - d * (i - 1) : p - d * i;
    if (a < 0 || b < 0 || a >= e.x.length || b >= e.x.length || !e.reliable[a] || !e.reliable[b]) continue;
    const predicted = kind === 'edge' ? end : kind === 'odd' ? 2 * end - e.x[b] : e.x[b];
    diff += (e.x[a] - predicted) ** 2;
    // An edge pad is judged against its own level: a quiet start before a loud onset is near a constant
    // only relative to the onset.
    sig += kind === 'edge' ? end * end : e.x[b] * e.x[b];
    n++;
  }
  if (n < min || !(sig > 0)) return null;
  return { miss: Math.sqrt(diff / sig), pairs: n };
}

/**
 * How far the pad x[p − i] (i = 1..span) is from a copy of `src` ending before sample q, src[q − i], as
 * RMS over the pad's own RMS (silence matched to silence is no copy). A wrap pad (torch's circular,
 * numpy's wrap) copies the signal's last samples: `src` the rebuilt tail, q − 1 its last signal sample.
 * Null when fewer than `min` pairs can be compared.
 */
export function copyMiss(e: EdgeSignal, p: number, src: EdgeSignal, q: number, span: number, min: number): { miss: number; pairs: number } | null {
  let diff = 0;
  let sig = 0;
  let n = 0;
  for (let i = 1; i <= span; i++) {
    const a = p - i;
    const b = q - i;
    if (a < 0 || b < 0 || b >= src.x.length || !e.reliable[a] || !src.reliable[b]) continue;
    diff += (e.x[a] - src.x[b]) ** 2;
    sig += e.x[a] * e.x[a];
    n++;
  }
  if (n < min || !(sig > 0)) return null;
  return { miss: Math.sqrt(diff / sig), pairs: n };
}

/**
 * The best copyMiss of the pad against the signal's own later samples (lag in (span, 2·span]): small
 * when the signal simply repeats (a steady tone), whose end then also fits a wrap pad; a real wrap pad
 * is the end of the signal, not its continuation.
 */
export function selfRepeatMiss(e: EdgeSignal, p: number, span: number, min: number): number {
  let best = Infinity;
  for (let lag = span + 1; lag <= 2 * span; lag++) best = Math.min(best, copyMiss(e, p, e, p + lag, span, min)?.miss ?? Infinity);
  return best;
}
