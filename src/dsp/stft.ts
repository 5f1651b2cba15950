import type { PadMode } from '../config/types.js';
import { getRealFft } from './fft.js';
import { binsFor, type ComplexFrames, frameCountFor, type StftGeometry } from './geometry.js';
import { OverlapAdd, type SampleRange } from './overlap-add.js';
import { TrendSolver, trendOrder } from './detrend.js';

/**
 * The forward STFT and the in-memory ISTFT under every convention of StftGeometry, the per-frame phase
 * rotation and synthesis they share with export and phase retrieval, and the Nyquist restoration of a
 * one-no-nyquist spectrum. The geometry (geometry.ts) and the streaming overlap-add (overlap-add.ts)
 * are re-exported: callers import the transform from here.
 */
export { binsFor, type ComplexFrames, frameCountFor, geometryFromConfig, plainGeometry, type StftGeometry, subGeometry } from './geometry.js';
export { describeGaps, OverlapAdd, type SampleRange, shortUncoveredRuns } from './overlap-add.js';

/** τ_m mod nfft of frame m: the roll its phase reference puts on the segment (0 at the frame start). */
export function frameShift(g: Pick<StftGeometry, 'nfft' | 'hop' | 'phaseReference' | 'windowCentre' | 'frameIndexOffset'>, m: number): number {
  let tau = 0;
  if (g.phaseReference === 'window-centre') tau = -g.windowCentre;
  else if (g.phaseReference === 'absolute-time') tau = ((m + g.frameIndexOffset) * g.hop) % g.nfft;
  tau %= g.nfft;
  return tau < 0 ? tau + g.nfft : tau;
}

/**
 * Per-frame phase rotation: the phase reference moves the time origin of frame m to τ_m samples after
 * the frame start, i.e. X_ref[k] = X_fs[k] · e^{-2πi k τ_m / nfft}. Integer τ makes this a table lookup.
 */
export class PhaseRotator {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  constructor(private readonly g: StftGeometry) {
    const n = g.nfft;
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      this.cos[j] = Math.cos((2 * Math.PI * j) / n);
      this.sin[j] = -Math.sin((2 * Math.PI * j) / n);
    }
  }

  /** τ_m mod nfft, or 0 when the reference is the frame start. */
  shift(m: number): number {
    return frameShift(this.g, m);
  }

  /**
   * Rotate bins [0, count) of one frame in place by e^{-2πi k τ/nfft} (direction +1) or its inverse (-1).
   * For two-sided data the bin index k is used as is: e^{-2πi k τ/N} is periodic in k with period N.
   */
  rotate(re: Float64Array, im: Float64Array, offset: number, count: number, tau: number, direction: 1 | -1): void {
    if (tau === 0) return;
    const n = this.g.nfft;
    const c = this.cos;
    const s = this.sin;
    for (let k = 0, j = 0; k < count; k++) {
      const cr = c[j];
      const ci = direction * s[j];
      const a = re[offset + k];
      const b = im[offset + k];
      re[offset + k] = a * cr - b * ci;
      im[offset + k] = a * ci + b * cr;
      j += tau;
      if (j >= n) j -= n;
    }
  }
}

/** Sample of the original signal at index i, extended beyond [0, L) by the pad mode. */
function paddedSample(x: Float64Array, i: number, pad: PadMode): number {
  const L = x.length;
  if (i >= 0 && i < L) return x[i];
  if (pad === 'zeros' || L === 0) return 0;
  if (pad === 'none') throw new RangeError(`frame reaches sample ${i}, outside the signal (0..${L - 1}) with padMode none`);
  if (pad === 'edge') return x[i < 0 ? 0 : L - 1];
  if (pad === 'wrap') return x[((i % L) + L) % L];
  if (pad === 'symmetric') {
    // numpy 'symmetric' (edge repeated): period 2L.
    const k = ((i % (2 * L)) + 2 * L) % (2 * L);
    return x[k < L ? k : 2 * L - 1 - k];
  }
  if (L === 1) return x[0];
  // numpy 'reflect' (edge not repeated), folded as often as needed for very short signals.
  const period = 2 * (L - 1);
  let j = ((i % period) + period) % period;
  if (j >= L) j = period - j;
  if (pad === 'reflect') return x[j];
  // 'odd': the reflection turned about the end sample (numpy's reflect_type='odd', scipy's odd_ext), one fold deep.
  const end = i < 0 ? x[0] : x[L - 1];
  return 2 * end - x[j];
}

/** Forward STFT of a real signal under every convention of the geometry. */
export function stft(x: Float64Array, g: StftGeometry, frames = frameCountFor(x.length, g)): ComplexFrames {
  const { nfft, hop, window } = g;
  const bins = binsFor(nfft, g.sided);
  const seg = new Float64Array(nfft);
  const re = new Float64Array(frames * bins);
  const im = new Float64Array(frames * bins);
  const ana = new FrameAnalyzer(g);
  for (let m = 0; m < frames; m++) {
    const start = g.firstFrameStart + m * hop;
    const inside = start >= 0 && start + nfft <= x.length;
    for (let n = 0; n < nfft; n++) {
      seg[n] = window[n] === 0 ? 0 : window[n] * (inside ? x[start + n] : paddedSample(x, start + n, g.padMode));
    }
    ana.analyze(m, seg, re, im, m * bins);
  }
  return { frames, bins, re, im };
}

/** The forward transform of one windowed segment to frame m's stored bins (gain, reference, sign applied). */
export class FrameAnalyzer {
  private readonly fft;
  private readonly fr: Float64Array;
  private readonly fi: Float64Array;
  private readonly rot: PhaseRotator;
  readonly bins: number;
  constructor(private readonly g: StftGeometry) {
    this.fft = getRealFft(g.nfft);
    this.fr = new Float64Array(this.fft.bins);
    this.fi = new Float64Array(this.fft.bins);
    this.rot = new PhaseRotator(g);
    this.bins = binsFor(g.nfft, g.sided);
  }

  /** Bins of frame m from the windowed segment `seg` (length nfft) into (re, im) at offset o. */
  analyze(m: number, seg: Float64Array, re: Float64Array, im: Float64Array, o: number): void {
    const { g, fr, fi, bins } = this;
    const half = this.fft.bins;
    this.fft.forward(seg, fr, fi);
    const ncopy = Math.min(bins, half);
    for (let k = 0; k < ncopy; k++) {
      re[o + k] = fr[k] * g.gain;
      im[o + k] = fi[k] * g.gain;
    }
    // Two-sided: the upper half is the conjugate mirror of the lower one.
    for (let k = half; k < bins; k++) {
      re[o + k] = fr[g.nfft - k] * g.gain;
      im[o + k] = -fi[g.nfft - k] * g.gain;
    }
    this.rot.rotate(re, im, o, bins, this.rot.shift(m), 1);
    // A conjugating maker conjugates the referenced spectrum: the sign applies after the rotation.
    if (g.phaseSign === '-') for (let k = 0; k < bins; k++) im[o + k] = -im[o + k];
  }
}

export class FrameSynthesizer {
  private readonly fft;
  private readonly hr: Float64Array;
  private readonly hi: Float64Array;
  private readonly rot: PhaseRotator;
  /** Unit gain and + sign: the stored bins go to the inverse transform unchanged (unless rotated). */
  private readonly plain: boolean;
  readonly y: Float64Array;
  constructor(private readonly g: StftGeometry) {
    this.plain = g.gain === 1 && g.phaseSign === '+';
    this.fft = getRealFft(g.nfft);
    this.hr = new Float64Array(this.fft.bins);
    this.hi = new Float64Array(this.fft.bins);
    this.rot = new PhaseRotator(g);
    this.y = new Float64Array(g.nfft);
  }

  /** Frame m from (re, im) at offset (bins values); returns the segment buffer (reused across calls). */
  synth(m: number, re: Float64Array, im: Float64Array, offset: number, bins: number): Float64Array {
    const half = this.fft.bins;
    const tau = this.rot.shift(m);
    if (this.plain && tau === 0 && bins >= half) {
      // Nothing to undo: transform the caller's bins where they are (the inverse leaves its inputs alone).
      const r = offset === 0 ? re : re.subarray(offset, offset + half);
      const i = offset === 0 ? im : im.subarray(offset, offset + half);
      this.fft.inverse(r, i, this.y);
      return this.y;
    }
    const n = Math.min(bins, half);
    const inv = 1 / this.g.gain;
    const sign = this.g.phaseSign === '-' ? -inv : inv;
    for (let k = 0; k < n; k++) {
      this.hr[k] = re[offset + k] * inv;
      this.hi[k] = im[offset + k] * sign;
    }
    for (let k = n; k < half; k++) {
      this.hr[k] = 0;
      this.hi[k] = 0;
    }
    this.rot.rotate(this.hr, this.hi, 0, half, tau, -1);
    this.fft.inverse(this.hr, this.hi, this.y);
    return this.y;
  }
}

/**
 * The original-signal sample range an ISTFT produces by default (see StftConfig.originalLength): the
 * signal's own length when it is known, else every sample some frame covers (DESIGN.md §1: never fewer).
 * Without a length the end cannot be trimmed by a rule: makers pad the end differently (librosa and torch
 * keep every frame that starts in the padded signal, so up to hop − 1 samples lie past (frames − 1)·hop;
 * scipy pads to whole segments; a phase vocoder such as aubio pads nothing after its last frame), so a
 * trim guessed from one of them drops samples another keeps: 64 of 40 000 on a centred 1024/128 file.
 * `fromFrameStart`: the start could not be read (a start in digital silence, DESIGN.md §4.13), so what
 * this config calls padding is kept from frame 0's first sample on: every reading of the start then
 * writes the same samples, and none drops the ones another calls signal.
 */
export function outputRange(
  g: Pick<StftGeometry, 'nfft' | 'hop' | 'firstFrameStart'>,
  frames: number,
  originalLength: number | null,
  fromFrameStart = false,
): SampleRange {
  const start = fromFrameStart ? g.firstFrameStart : Math.max(0, g.firstFrameStart);
  if (originalLength !== null) return { start: fromFrameStart ? start : 0, end: originalLength };
  return { start, end: Math.max(start, g.firstFrameStart + (frames - 1) * g.hop + g.nfft) };
}

export interface IstftResult {
  signal: Float64Array;
  /** Original-signal index of signal[0]. */
  start: number;
  /** Where NOLA failed: samples set to 0 because no window weight covers them. */
  gaps: SampleRange[];
  /** With a detrend: the trend removed from each frame (TrendSolver's θ, `trendOrder` per frame). */
  trends?: Float64Array;
}

/**
 * In-memory least-squares ISTFT. A dropped Nyquist bin is first restored by consistency; a segment
 * trend removed by the maker (g.detrend) is solved for and put back (detrend.ts).
 */
export function istft(X: ComplexFrames, g: StftGeometry, range: { start: number; end: number }): IstftResult {
  if (g.sided === 'one-no-nyquist') {
    X = restoreNyquist(X, g);
    g = { ...g, sided: 'one' };
  }
  const signal = new Float64Array(Math.max(0, range.end - range.start));
  const ola = new OverlapAdd(g, range.start, range.end, (s, chunk) => signal.set(chunk, s - range.start));
  const syn = new FrameSynthesizer(g);
  const solver = trendOrder(g.detrend ?? 'none') > 0 ? new TrendSolver(g, g.detrend ?? 'none', X.frames) : null;
  let trends: Float64Array | undefined;
  if (solver) {
    for (let m = 0; m < X.frames; m++) solver.add(m, syn.synth(m, X.re, X.im, m * X.bins, X.bins));
    trends = solver.solve();
  }
  for (let m = 0; m < X.frames; m++) {
    const y = syn.synth(m, X.re, X.im, m * X.bins, X.bins);
    if (solver && trends) solver.restore(m, y, trends);
    ola.add(m, y);
  }
  ola.end();
  return { signal, start: range.start, gaps: ola.gaps, ...(trends ? { trends } : {}) };
}

/** Iterations of the Nyquist restoration; measured: Hann/Hamming/Blackman at 50-87.5 % overlap pass 120 dB by 50-100. */
export const NYQUIST_ITERATIONS = 100;

/**
 * A one-no-nyquist STFT (Octave specgram) lost one real number per frame: the Nyquist bin (real under
 * every phase convention, since e^{-iπτ} = ±1). Overlapping frames are redundant, so alternating
 * projections (ISTFT, STFT, keep the known bins) converge to the consistent value; with a rectangular
 * window the problem is ill-posed and the estimate stays rough, but never worse than zero.
 */
export function restoreNyquist(X: ComplexFrames, g: StftGeometry, iterations = NYQUIST_ITERATIONS): ComplexFrames {
  const nfft = g.nfft;
  const bins = nfft / 2 + 1;
  const full: ComplexFrames = { frames: X.frames, bins, re: new Float64Array(X.frames * bins), im: new Float64Array(X.frames * bins) };
  for (let m = 0; m < X.frames; m++) {
    full.re.set(X.re.subarray(m * X.bins, m * X.bins + X.bins), m * bins);
    full.im.set(X.im.subarray(m * X.bins, m * X.bins + X.bins), m * bins);
  }
  if (X.frames === 0) return full;
  // The Nyquist bin carries no segment trend worth modelling (W(nfft/2) ≈ 0): restore it without one.
  const gFull: StftGeometry = { ...g, sided: 'one', detrend: 'none' };
  const span = { start: g.firstFrameStart, end: g.firstFrameStart + (X.frames - 1) * g.hop + nfft };
  // Re-analysing the span from index 0 with the frame-0 offset keeps every frame where it was.
  const gSpan: StftGeometry = { ...gFull, firstFrameStart: 0 };
  for (let it = 0; it < iterations; it++) {
    const x = istft(full, gFull, span).signal;
    const Y = stft(x, gSpan, X.frames);
    let change = 0;
    let total = 0;
    for (let m = 0; m < X.frames; m++) {
      const i = m * bins + bins - 1;
      change += (Y.re[i] - full.re[i]) ** 2;
      total += Y.re[i] ** 2;
      full.re[i] = Y.re[i];
    }
    if (change <= total * 1e-30) break;
  }
  return full;
}
