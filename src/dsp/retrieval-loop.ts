import { getRealFft } from './fft.js';
import { PhaseRotator, type StftGeometry } from './stft.js';

/**
 * The machinery of one retrieval (retrieval.ts): conversion between a geometry's stored convention and
 * the canonical one, and the consistency loop (least-squares ISTFT, STFT, magnitude projection) over
 * preallocated buffers.
 */

/** Σw² below this fraction of its maximum counts as no coverage (as OverlapAdd). */
const ENVELOPE_FLOOR = 1e-8;

export interface KnownPhase {
  mask: Uint8Array;
  /** Unit phasors (canonical) where mask is 1. */
  re: Float64Array;
  im: Float64Array;
}

/**
 * Conversion between the geometry's stored convention and the canonical one. Stored values relate to
 * the canonical frame-start spectrum X as stored = conj^s(gain · R_m · X), R_m = e^{-2πikτ_m/nfft}
 * (the inverse of FrameSynthesizer, so the result goes straight into istft/export).
 */
export class Conventions {
  readonly half: number;
  readonly absGain: number;
  private readonly rot: PhaseRotator;
  private readonly sign: number;
  constructor(
    private readonly g: StftGeometry,
    readonly frames: number,
    readonly bins: number,
  ) {
    this.half = Math.floor(g.nfft / 2) + 1;
    this.absGain = Math.abs(g.gain) || 1;
    this.rot = new PhaseRotator(g);
    this.sign = g.phaseSign === '-' ? -1 : 1;
  }

  toCanonical(re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const { frames, bins, half: H } = this;
    const copy = Math.min(bins, H);
    const inv = 1 / (this.g.gain || 1);
    for (let m = 0; m < frames; m++) {
      const o = m * H;
      for (let k = 0; k < copy; k++) {
        outRe[o + k] = re[m * bins + k] * inv;
        outIm[o + k] = im[m * bins + k] * inv * this.sign;
      }
      for (let k = copy; k < H; k++) outRe[o + k] = outIm[o + k] = 0;
      this.rot.rotate(outRe, outIm, o, H, this.rot.shift(m), -1);
    }
  }

  fromCanonical(cRe: Float64Array, cIm: Float64Array, re: Float64Array, im: Float64Array): void {
    const { frames, bins, half: H } = this;
    const nfft = this.g.nfft;
    const gain = this.g.gain || 1;
    const copy = Math.min(bins, H);
    const fr = new Float64Array(H);
    const fi = new Float64Array(H);
    for (let m = 0; m < frames; m++) {
      fr.set(cRe.subarray(m * H, m * H + H));
      fi.set(cIm.subarray(m * H, m * H + H));
      this.rot.rotate(fr, fi, 0, H, this.rot.shift(m), 1);
      const o = m * bins;
      for (let k = 0; k < copy; k++) {
        re[o + k] = fr[k] * gain;
        im[o + k] = fi[k] * gain * this.sign;
      }
      // Two-sided: the upper half mirrors the lower one (conjugate), as for any real signal.
      for (let k = H; k < bins; k++) {
        re[o + k] = re[o + nfft - k];
        im[o + k] = -im[o + nfft - k];
      }
    }
  }

  /** A stored-layout cell mask as a canonical one (two-sided: the lower half decides). */
  maskToCanonical(mask: Uint8Array): Uint8Array {
    const { frames, bins, half: H } = this;
    const out = new Uint8Array(frames * H);
    const copy = Math.min(bins, H);
    for (let m = 0; m < frames; m++) for (let k = 0; k < copy; k++) out[m * H + k] = mask[m * bins + k] ? 1 : 0;
    return out;
  }
}

/**
 * The two projections of (F)GLA on preallocated buffers, canonical domain. q = P_mag(c) is kept (in
 * the caller's c arrays) instead of c: the FGLA update and the magnitude projection are fused into the
 * STFT pass, and the ISTFT pass reads q frame by frame through fixed views.
 */
export class ConsistencyLoop {
  private readonly fft;
  /** Spectrum and segment of the even and odd frame of a pair: frames go through the FFT two at a time (RealFft.forwardPair). */
  private readonly fr: Float64Array;
  private readonly fi: Float64Array;
  private readonly fr2: Float64Array;
  private readonly fi2: Float64Array;
  private readonly seg: Float64Array;
  private readonly seg2: Float64Array;
  private readonly invEnv: Float64Array;
  /** Least-squares ISTFT of the last synthesised estimate, covered span. */
  readonly signal: Float64Array;
  /** t of the previous iteration (FGLA momentum). */
  private readonly pRe: Float64Array;
  private readonly pIm: Float64Array;
  private readonly qReViews: Float64Array[] = [];
  private readonly qImViews: Float64Array[] = [];
  private readonly normS: number;

  constructor(
    private readonly g: StftGeometry,
    private readonly frames: number,
    private readonly H: number,
    private readonly S: Float64Array,
    private readonly known: KnownPhase | null,
    private readonly qRe: Float64Array,
    private readonly qIm: Float64Array,
  ) {
    const { nfft, hop, window: w } = g;
    this.fft = getRealFft(nfft);
    this.fr = new Float64Array(H);
    this.fi = new Float64Array(H);
    this.fr2 = new Float64Array(H);
    this.fi2 = new Float64Array(H);
    this.seg = new Float64Array(nfft);
    this.seg2 = new Float64Array(nfft);
    const span = frames > 0 ? (frames - 1) * hop + nfft : 0;
    this.signal = new Float64Array(span);
    this.invEnv = new Float64Array(span);
    for (let m = 0; m < frames; m++) for (let n = 0; n < nfft; n++) this.invEnv[m * hop + n] += w[n] * w[n];
    let maxEnv = 0;
    for (let i = 0; i < span; i++) if (this.invEnv[i] > maxEnv) maxEnv = this.invEnv[i];
    for (let i = 0; i < span; i++) this.invEnv[i] = this.invEnv[i] > maxEnv * ENVELOPE_FLOOR ? 1 / this.invEnv[i] : 0;
    this.pRe = new Float64Array(frames * H);
    this.pIm = new Float64Array(frames * H);
    for (let m = 0; m < frames; m++) {
      this.qReViews.push(qRe.subarray(m * H, m * H + H));
      this.qImViews.push(qIm.subarray(m * H, m * H + H));
    }
    let n2 = 0;
    for (let i = 0; i < S.length; i++) if (S[i] > 0) n2 += S[i] * S[i];
    this.normS = n2;
  }

  /** signal ← ISTFT(q). Frames are added in order, so pairing changes nothing but the FFT calls. */
  synthesize(): void {
    const { frames, seg, seg2, signal } = this;
    const { hop, nfft, window: w } = this.g;
    signal.fill(0);
    for (let m = 0; m < frames; m += 2) {
      if (m + 1 < frames) this.fft.inversePair(this.qReViews[m], this.qImViews[m], this.qReViews[m + 1], this.qImViews[m + 1], seg, seg2);
      else this.fft.inverse(this.qReViews[m], this.qImViews[m], seg);
      let base = m * hop;
      for (let n = 0; n < nfft; n++) signal[base + n] += w[n] * seg[n];
      if (m + 1 >= frames) break;
      base += hop;
      for (let n = 0; n < nfft; n++) signal[base + n] += w[n] * seg2[n];
    }
    const inv = this.invEnv;
    for (let i = 0; i < signal.length; i++) signal[i] *= inv[i];
  }

  /**
   * t ← STFT(signal); returns the spectral convergence of q (the synthesised estimate) in dB. With a
   * momentum (not null): c ← t + α(t − t_prev), q ← P_mag(c) (α = 0 on the first step: no t_prev yet).
   */
  analyse(alpha: number | null): number {
    const { frames, seg, seg2, signal, fr, fi, fr2, fi2 } = this;
    const { hop, nfft, window: w } = this.g;
    let err = 0;
    for (let m = 0; m < frames; m += 2) {
      const base = m * hop;
      for (let n = 0; n < nfft; n++) seg[n] = w[n] * signal[base + n];
      if (m + 1 < frames) {
        for (let n = 0; n < nfft; n++) seg2[n] = w[n] * signal[base + hop + n];
        this.fft.forwardPair(seg, seg2, fr, fi, fr2, fi2);
      } else this.fft.forward(seg, fr, fi);
      err = this.project(m, fr, fi, alpha, err);
      if (m + 1 < frames) err = this.project(m + 1, fr2, fi2, alpha, err);
    }
    if (this.normS === 0) return err === 0 ? -Infinity : Infinity;
    return 10 * Math.log10(err / this.normS);
  }

  /**
   * Frame m's squared error against S added to `err` (one running sum in frame order: the same
   * rounding as a single loop) and, with a momentum, its FGLA step and magnitude projection.
   */
  private project(m: number, fr: Float64Array, fi: Float64Array, alpha: number | null, sum: number): number {
    const { H, S, pRe, pIm } = this;
    const o = m * H;
    let err = sum;
    for (let k = 0; k < H; k++) {
      const s = S[o + k];
      if (s >= 0) {
        const d = Math.sqrt(fr[k] * fr[k] + fi[k] * fi[k]) - s;
        err += d * d;
      }
    }
    if (alpha === null) return err;
    for (let k = 0; k < H; k++) {
      const i = o + k;
      const tr = fr[k];
      const ti = fi[k];
      fr[k] = tr + alpha * (tr - pRe[i]);
      fi[k] = ti + alpha * (ti - pIm[i]);
      pRe[i] = tr;
      pIm[i] = ti;
    }
    projectMagnitudes(fr, fi, 0, S, this.known, o, H, this.qRe, this.qIm);
    return err;
  }
}

/**
 * Magnitude projection of `count` cells: c (cRe/cIm from index `from`) → q (qRe/qIm from index `o`,
 * where S and known are read too). Known magnitudes S ≥ 0 are imposed, unknown ones (S < 0) only capped at
 * −S; trusted cells get their known phase back. c and q may be the same arrays.
 */
export function projectMagnitudes(
  cRe: Float64Array,
  cIm: Float64Array,
  from: number,
  S: Float64Array,
  known: KnownPhase | null,
  o: number,
  count: number,
  qRe: Float64Array,
  qIm: Float64Array,
): void {
  const d = from - o;
  for (let i = o; i < o + count; i++) {
    const a = cRe[i + d];
    const b = cIm[i + d];
    const s = S[i];
    const n = Math.sqrt(a * a + b * b);
    if (s >= 0) {
      if (n > 0) {
        const f = s / n;
        qRe[i] = a * f;
        qIm[i] = b * f;
      } else {
        qRe[i] = s;
        qIm[i] = 0;
      }
    } else {
      const f = n > -s ? -s / n : 1;
      qRe[i] = a * f;
      qIm[i] = b * f;
    }
  }
  if (known === null) return;
  const { mask, re, im } = known;
  for (let i = o; i < o + count; i++) {
    if (!mask[i]) continue;
    const mag = Math.sqrt(qRe[i] * qRe[i] + qIm[i] * qIm[i]);
    qRe[i] = re[i] * mag;
    qIm[i] = im[i] * mag;
  }
}
