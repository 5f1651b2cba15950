import type { PadMode, PhaseReference, PhaseSign, Sided, StftConfig } from '../config/types.js';
import { getRealFft } from './fft.js';
import { makeWindow, placeWindow, windowOffset } from './windows.js';

/**
 * Everything the transform itself needs, resolved from a config: the placed analysis window and the
 * conventions that change the numbers. Storage, scaling and units are not here (see decode/).
 */
export interface StftGeometry {
  nfft: number;
  hop: number;
  sided: Sided;
  /** Analysis window placed in the nfft frame (length nfft). */
  window: Float64Array;
  /** Index in the frame of the window's centre sample (offset + floor(winLength/2)). */
  windowCentre: number;
  firstFrameStart: number;
  padMode: PadMode;
  phaseReference: PhaseReference;
  phaseSign: PhaseSign;
  /** stored = gain · X */
  gain: number;
  /** Global index of this geometry's frame 0 (sub-blocks of a long STFT keep absolute-time phase right). */
  frameIndexOffset: number;
}

/** Complex STFT matrix, frame-major: value (m, k) at index m·bins + k. */
export interface ComplexFrames {
  frames: number;
  bins: number;
  re: Float64Array;
  im: Float64Array;
}

export function binsFor(nfft: number, sided: Sided): number {
  if (sided === 'two') return nfft;
  if (sided === 'one-no-nyquist') return Math.ceil(nfft / 2);
  return Math.floor(nfft / 2) + 1;
}

type GeometryFields = Pick<
  StftConfig,
  | 'nfft'
  | 'hop'
  | 'sided'
  | 'winLength'
  | 'windowPlacement'
  | 'window'
  | 'windowSymmetry'
  | 'firstFrameStart'
  | 'padMode'
  | 'phaseReference'
  | 'phaseSign'
  | 'gain'
>;

/**
 * Resolve a config into a geometry. `estimatedWindow` (length winLength) is required when
 * config.window is 'estimated', since that window exists only as a measurement.
 */
export function geometryFromConfig(c: GeometryFields, estimatedWindow?: Float64Array): StftGeometry {
  let win: Float64Array;
  if (c.window === 'estimated') {
    if (!estimatedWindow) throw new RangeError('window "estimated" needs a measured window');
    win = estimatedWindow;
  } else {
    win = makeWindow(c.window, c.winLength, c.windowSymmetry);
  }
  return {
    nfft: c.nfft,
    hop: c.hop,
    sided: c.sided,
    window: placeWindow(win, c.nfft, c.windowPlacement),
    windowCentre: windowOffset(c.nfft, win.length, c.windowPlacement) + Math.floor(win.length / 2),
    firstFrameStart: c.firstFrameStart,
    padMode: c.padMode,
    phaseReference: c.phaseReference,
    phaseSign: c.phaseSign,
    gain: c.gain === 'unknown' ? 1 : c.gain,
    frameIndexOffset: 0,
  };
}

/** The geometry of frames [m0, ...) of a longer STFT, as if they were frames [0, ...). */
export function subGeometry(g: StftGeometry, m0: number): StftGeometry {
  return { ...g, firstFrameStart: g.firstFrameStart + m0 * g.hop, frameIndexOffset: g.frameIndexOffset + m0 };
}

/** Number of frames a maker that pads by `-firstFrameStart` and stops at the last full frame produces. */
export function frameCountFor(signalLength: number, g: Pick<StftGeometry, 'nfft' | 'hop' | 'firstFrameStart'>): number {
  const span = signalLength - 2 * g.firstFrameStart;
  return span < g.nfft ? 0 : 1 + Math.floor((span - g.nfft) / g.hop);
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
    const g = this.g;
    let tau = 0;
    if (g.phaseReference === 'window-centre') tau = -g.windowCentre;
    else if (g.phaseReference === 'absolute-time') tau = ((m + g.frameIndexOffset) * g.hop) % g.nfft;
    tau %= g.nfft;
    return tau < 0 ? tau + g.nfft : tau;
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
  if (L === 1) return x[0];
  // numpy 'reflect' (edge not repeated), folded as often as needed for very short signals.
  const period = 2 * (L - 1);
  let j = ((i % period) + period) % period;
  if (j >= L) j = period - j;
  return x[j];
}

/** Forward STFT of a real signal under every convention of the geometry. */
export function stft(x: Float64Array, g: StftGeometry, frames = frameCountFor(x.length, g)): ComplexFrames {
  const { nfft, hop, window } = g;
  const bins = binsFor(nfft, g.sided);
  const fft = getRealFft(nfft);
  const half = fft.bins;
  const seg = new Float64Array(nfft);
  const fr = new Float64Array(half);
  const fi = new Float64Array(half);
  const re = new Float64Array(frames * bins);
  const im = new Float64Array(frames * bins);
  const rot = new PhaseRotator(g);
  const sign = g.phaseSign === '-' ? -1 : 1;
  for (let m = 0; m < frames; m++) {
    const start = g.firstFrameStart + m * hop;
    const inside = start >= 0 && start + nfft <= x.length;
    for (let n = 0; n < nfft; n++) {
      seg[n] = window[n] === 0 ? 0 : window[n] * (inside ? x[start + n] : paddedSample(x, start + n, g.padMode));
    }
    fft.forward(seg, fr, fi);
    const o = m * bins;
    const ncopy = Math.min(bins, half);
    for (let k = 0; k < ncopy; k++) {
      re[o + k] = fr[k] * g.gain;
      im[o + k] = fi[k] * g.gain;
    }
    // Two-sided: the upper half is the conjugate mirror of the lower one.
    for (let k = half; k < bins; k++) {
      re[o + k] = fr[nfft - k] * g.gain;
      im[o + k] = -fi[nfft - k] * g.gain;
    }
    rot.rotate(re, im, o, bins, rot.shift(m), 1);
    // A conjugating maker conjugates the referenced spectrum: the sign applies after the rotation.
    if (sign < 0) for (let k = 0; k < bins; k++) im[o + k] = -im[o + k];
  }
  return { frames, bins, re, im };
}

/** A run of output samples [start, end) where the window envelope is too small to invert (NOLA fails). */
export interface SampleRange {
  start: number;
  end: number;
}

/** Σ w² below this fraction of its maximum is treated as no coverage. */
const NOLA_RELATIVE_FLOOR = 1e-8;

/**
 * Streaming least-squares overlap-add (Griffin & Lim): x = Σ w·y_m / Σ w². Frames arrive in order;
 * samples no later frame can touch are finished and handed to `sink` in original-signal indices,
 * so a 10-minute export never holds more than a few frame spans in memory.
 *
 * Only Σ w·y is accumulated: Σ w² depends on the window and on which frames exist, so it is computed
 * when a sample is finished, summed in frame order like the accumulation itself would (bit for bit).
 */
export class OverlapAdd {
  /** Σ w·y; acc[i] holds original index base + i. */
  private readonly acc: Float64Array;
  private readonly out: Float64Array;
  /** Σ w² at offset p (mod hop) from a frame start, where every frame that can cover the sample exists. */
  private readonly envFull: Float64Array;
  /** Original index of acc[0]. */
  private base: number;
  /** Original index of the first sample not yet finished. */
  private next: number;
  private readonly envFloor: number;
  /** Every sample with all its frames present is covered (NOLA holds in the interior). */
  private readonly fullCovered: boolean;
  readonly gaps: SampleRange[] = [];
  private lastFrame = -1;

  constructor(
    private readonly g: StftGeometry,
    /** Original-signal index range to produce. */
    private readonly outStart: number,
    private readonly outEnd: number,
    private readonly sink: (start: number, samples: Float64Array) => void,
  ) {
    // A frame needs nfft samples past its start; the slack lets the buffer slide once every few frames.
    const cap = 4 * g.nfft + g.hop;
    this.acc = new Float64Array(cap);
    this.out = new Float64Array(cap);
    this.base = Math.min(g.firstFrameStart, outStart);
    this.next = this.base;
    const w = g.window;
    this.envFull = new Float64Array(g.hop);
    let maxEnv = 0;
    // The interior envelope is periodic in hop; its peak sets the floor for "no coverage".
    for (let p = 0; p < g.hop; p++) {
      let e = 0;
      // Later frames see the sample at smaller window offsets: frame order is descending offset.
      for (let n = p + Math.floor(Math.max(0, g.nfft - 1 - p) / g.hop) * g.hop; n >= p; n -= g.hop) if (n < g.nfft) e += w[n] * w[n];
      this.envFull[p] = e;
      if (e > maxEnv) maxEnv = e;
    }
    this.envFloor = maxEnv * NOLA_RELATIVE_FLOOR;
    this.fullCovered = this.envFull.every((e) => e > this.envFloor);
  }

  /** Add frame m's time segment y (length nfft, as IFFT gives it: still windowed by the analysis window). */
  add(m: number, y: Float64Array): void {
    if (m !== this.lastFrame + 1) throw new RangeError(`frames must arrive in order (got ${m} after ${this.lastFrame})`);
    const { nfft, hop, window: w } = this.g;
    const start = this.g.firstFrameStart + m * hop;
    this.flushBefore(start);
    this.lastFrame = m;
    if (start + nfft > this.base + this.acc.length) this.slide(start);
    const acc = this.acc.subarray(start - this.base, start - this.base + nfft);
    let n = 0;
    for (; n + 3 < nfft; n += 4) {
      acc[n] += w[n] * y[n];
      acc[n + 1] += w[n + 1] * y[n + 1];
      acc[n + 2] += w[n + 2] * y[n + 2];
      acc[n + 3] += w[n + 3] * y[n + 3];
    }
    for (; n < nfft; n++) acc[n] += w[n] * y[n];
  }

  /** Finish everything: flush what the frames covered and mark the rest of the output range as a gap. */
  end(): void {
    const coveredEnd = this.g.firstFrameStart + this.lastFrame * this.g.hop + this.g.nfft;
    this.flushBefore(Math.max(this.outEnd, coveredEnd));
  }

  /** Move the buffer so that it starts at original index `to` (everything before it is finished). */
  private slide(to: number): void {
    const shift = to - this.base;
    const cap = this.acc.length;
    if (shift >= cap) this.acc.fill(0);
    else {
      this.acc.copyWithin(0, shift);
      this.acc.fill(0, cap - shift);
    }
    this.base = to;
  }

  /** Emit every sample before `limit` (no later frame can touch them). */
  private flushBefore(limit: number): void {
    const cap = this.acc.length;
    while (this.next < limit) {
      const n = Math.min(limit - this.next, cap);
      if (this.next + n > this.base + cap) this.slide(this.next);
      const from = Math.max(this.next, this.outStart);
      const to = Math.min(this.next + n, this.outEnd);
      if (to > from) {
        const out = this.out.subarray(0, to - from);
        this.normalise(from, out);
        this.sink(from, out);
      }
      this.next += n;
    }
  }

  /** out[i] = Σ w·y / Σ w² at original index from + i over frames 0..lastFrame; 0 and a gap where Σ w² is too small. */
  private normalise(from: number, out: Float64Array): void {
    const { nfft, hop, firstFrameStart: f0 } = this.g;
    const count = out.length;
    const acc = this.acc;
    const off = from - this.base;
    // [a, b): samples every frame that can reach is present for, whose Σ w² is periodic in hop.
    const a = Math.min(Math.max(from, f0 + Math.max(0, nfft - hop)), from + count) - from;
    const b = Math.max(a, Math.min(from + count, f0 + (this.lastFrame + 1) * hop) - from);
    for (let i = 0; i < a; i++) out[i] = this.normalised(from + i, acc[off + i], this.envelopeAt(from + i));
    const full = this.envFull;
    let p = (((from + a - f0) % hop) + hop) % hop;
    if (this.fullCovered) {
      for (let i = a; i < b; i++) {
        out[i] = acc[off + i] / full[p];
        if (++p === hop) p = 0;
      }
    } else {
      for (let i = a; i < b; i++) {
        out[i] = this.normalised(from + i, acc[off + i], full[p]);
        if (++p === hop) p = 0;
      }
    }
    for (let i = b; i < count; i++) out[i] = this.normalised(from + i, acc[off + i], this.envelopeAt(from + i));
  }

  /** acc / env, or 0 (noting a gap at original index i) when env is below the floor. */
  private normalised(i: number, acc: number, env: number): number {
    if (env > this.envFloor) return acc / env;
    this.noteGap(i);
    return 0;
  }

  /** Σ w² at original index i over the frames present, in frame order. */
  private envelopeAt(i: number): number {
    const { nfft, hop, window: w } = this.g;
    const d = i - this.g.firstFrameStart;
    const mLo = Math.max(0, Math.floor((d - nfft) / hop) + 1);
    const mHi = Math.min(this.lastFrame, Math.floor(d / hop));
    let e = 0;
    for (let m = mLo; m <= mHi; m++) {
      const wn = w[d - m * hop];
      e += wn * wn;
    }
    return e;
  }

  private noteGap(i: number): void {
    const last = this.gaps[this.gaps.length - 1];
    if (last && last.end === i) last.end = i + 1;
    else this.gaps.push({ start: i, end: i + 1 });
  }
}

/**
 * Undo gain, sign and phase reference of frame m in place and inverse-transform it to the windowed
 * time segment. Shared by the in-memory ISTFT, the streaming export and phase retrieval.
 */
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

/** The original-signal sample range an ISTFT produces by default (see StftConfig.originalLength). */
export function outputRange(
  g: Pick<StftGeometry, 'nfft' | 'hop' | 'firstFrameStart'>,
  frames: number,
  center: boolean,
  originalLength: number | null,
): { start: number; end: number } {
  if (originalLength !== null) return { start: 0, end: originalLength };
  const coveredEnd = g.firstFrameStart + (frames - 1) * g.hop + g.nfft;
  if (center) {
    // A centred maker padded as much after the signal as before it (librosa: length (frames-1)·hop).
    return { start: 0, end: Math.max(0, coveredEnd + g.firstFrameStart) };
  }
  return { start: Math.max(0, g.firstFrameStart), end: Math.max(0, coveredEnd) };
}

export interface IstftResult {
  signal: Float64Array;
  /** Original-signal index of signal[0]. */
  start: number;
  /** Where NOLA failed: samples set to 0 because no window weight covers them. */
  gaps: SampleRange[];
}

/** In-memory least-squares ISTFT. A dropped Nyquist bin is first restored by consistency. */
export function istft(X: ComplexFrames, g: StftGeometry, range: { start: number; end: number }): IstftResult {
  if (g.sided === 'one-no-nyquist') {
    X = restoreNyquist(X, g);
    g = { ...g, sided: 'one' };
  }
  const signal = new Float64Array(Math.max(0, range.end - range.start));
  const ola = new OverlapAdd(g, range.start, range.end, (s, chunk) => signal.set(chunk, s - range.start));
  const syn = new FrameSynthesizer(g);
  for (let m = 0; m < X.frames; m++) ola.add(m, syn.synth(m, X.re, X.im, m * X.bins, X.bins));
  ola.end();
  return { signal, start: range.start, gaps: ola.gaps };
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
  const gFull: StftGeometry = { ...g, sided: 'one' };
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

/** Merge gap ranges into a short human-readable list. */
export function describeGaps(gaps: SampleRange[], limit = 4): string {
  const parts = gaps.slice(0, limit).map((r) => (r.end - r.start === 1 ? `${r.start}` : `${r.start}-${r.end - 1}`));
  const total = gaps.reduce((s, r) => s + r.end - r.start, 0);
  return `${total} sample(s) not covered by the window envelope (NOLA fails) at ${parts.join(', ')}${gaps.length > limit ? ', …' : ''}`;
}
