import type { PhaseSign, WindowPlacement } from '../../src/config/types.js';
import { windowOffset } from '../../src/dsp/windows.js';
import type { Imprint } from '../shared/window-imprint.js';

/**
 * Fitting named windows to a measured imprint (mean of y_m², ∝ w² placed in the frame). The model is
 * w²·(a0 + a1·t) + b0 over the whole frame: a0 the mean power, a1 a linear power trend across the frame
 * (decaying notes give frames a systematic slope that would otherwise mimic the half-sample shift between
 * periodic and symmetric windows), b0 a constant floor (rounding, a dropped Nyquist bin, dB-floor cells).
 * Errors are weighted by the measured variance of the mean, so every sample counts by its own precision.
 */

/** What the imprint can tell about the phase reference (absolute-time is undone before fitting). */
export type ImprintReference = 'frame-start' | 'window-centre';

/** Where a window of winLength samples sits in the imprint of plainly inverse-transformed frames. */
export interface Layout {
  winLength: number;
  placement: WindowPlacement;
  reference: ImprintReference;
  sign: PhaseSign;
  /** Imprint index of window sample i: (start + step·i) mod N, step = +1 (sign +) or −1 (sign −). */
  start: number;
  step: 1 | -1;
}

/**
 * The maker's frame holds window sample i at j = offset + i; its spectrum is rotated by e^{−2πik·τ/N}
 * (τ = 0 frame-start, −(offset + ⌊L/2⌋) window-centre) and then conjugated (sign −; src/dsp/stft.ts), so
 * the plain inverse FFT holds frame sample j at n = s·(j + τ) mod N, s = ±1 the sign. Under
 * window-centre the window's centre lands at 0 whatever the offset: the placement is erased.
 */
export function makeLayout(nfft: number, winLength: number, placement: WindowPlacement, reference: ImprintReference, sign: PhaseSign): Layout {
  const off = windowOffset(nfft, winLength, placement);
  const tau = reference === 'frame-start' ? 0 : -(off + Math.floor(winLength / 2));
  const step = sign === '+' ? 1 : -1;
  const start = (((step * (tau + off)) % nfft) + nfft) % nfft;
  return { winLength, placement, reference, sign, start, step };
}

/** Imprint index of window sample i under a layout. */
export function layoutIndex(layout: Layout, i: number, nfft: number): number {
  return (((layout.start + layout.step * i) % nfft) + nfft) % nfft;
}

export interface FitResult {
  chi2: number;
  /** Model coefficients: window power, its linear trend across the frame, the constant floor. */
  a0: number;
  a1: number;
  b0: number;
}

/** Largest constant floor the model admits, relative to the imprint's peak. */
const FLOOR_MAX = 0.01;
/**
 * Largest power trend across the frame, as |a1|/a0 (power at the frame's ends 1 ± this): real signals drift
 * by a few percent per frame; a steeper "trend" is a window of the wrong shape bent to fit.
 */
const SLOPE_MAX = 0.5;

/** (a0, a1, b0) of the model w²·(a0 + a1·t) + b0. */
type Coefficients = [number, number, number];

/** Weighted least-squares fits of candidate windows to the imprint under one layout. */
export class LayoutFit {
  readonly L: number;
  /** Imprint samples under the window (window sample order), their weights and trend coordinate. */
  private readonly J: Float64Array;
  private readonly u: Float64Array;
  private readonly t: Float64Array;
  /** Σu and ΣuJ over the whole frame; outside the support: Σu, the weighted mean of J and Σu(J − mean)². */
  private readonly sU: number;
  private readonly sUJ: number;
  private readonly outU: number;
  private readonly outMean: number;
  private readonly outSpread: number;

  constructor(
    readonly imprint: WeightedImprint,
    readonly layout: Layout,
  ) {
    const N = imprint.J.length;
    const L = layout.winLength;
    this.L = L;
    this.J = new Float64Array(L);
    this.u = new Float64Array(L);
    this.t = new Float64Array(L);
    const inside = new Uint8Array(N);
    for (let i = 0; i < L; i++) {
      const n = layoutIndex(layout, i, N);
      inside[n] = 1;
      this.J[i] = imprint.J[n];
      this.u[i] = imprint.u[n];
      this.t[i] = L > 1 ? (2 * i) / (L - 1) - 1 : 0;
    }
    let sU = 0;
    let sUJ = 0;
    let outU = 0;
    let outUJ = 0;
    for (let n = 0; n < N; n++) {
      sU += imprint.u[n];
      sUJ += imprint.u[n] * imprint.J[n];
      if (inside[n]) continue;
      outU += imprint.u[n];
      outUJ += imprint.u[n] * imprint.J[n];
    }
    const outMean = outU > 0 ? outUJ / outU : 0;
    let outSpread = 0;
    for (let n = 0; n < N; n++) if (!inside[n]) outSpread += imprint.u[n] * (imprint.J[n] - outMean) ** 2;
    this.sU = sU;
    this.sUJ = sUJ;
    this.outU = outU;
    this.outMean = outMean;
    this.outSpread = outSpread;
  }

  /** No window fits this layout better: the part of χ² outside the support at the best admissible floor. */
  lowerBound(): number {
    const b0 = Math.min(FLOOR_MAX, Math.max(0, this.outMean));
    return this.outSpread + this.outU * (b0 - this.outMean) ** 2;
  }

  /** Fit window w (length L, any scale) as w². */
  fit(w: Float64Array): FitResult {
    const { J, u, t } = this;
    let a11 = 0;
    let a12 = 0;
    let a22 = 0;
    let a13 = 0;
    let a23 = 0;
    let b1 = 0;
    let b2 = 0;
    for (let i = 0; i < this.L; i++) {
      const qi = w[i] * w[i];
      const uq = u[i] * qi;
      const uqt = uq * t[i];
      a11 += uq * qi;
      a12 += uqt * qi;
      a22 += uqt * qi * t[i];
      a13 += uq;
      a23 += uqt;
      b1 += uq * J[i];
      b2 += uqt * J[i];
    }
    const a33 = this.sU;
    const b3 = this.sUJ;
    const feasible = (c: Coefficients | null): c is Coefficients =>
      c !== null && c[0] > 0 && c[2] >= 0 && c[2] <= FLOOR_MAX && Math.abs(c[1]) <= SLOPE_MAX * c[0];
    const free = solve3(a11, a12, a13, a22, a23, a33, b1, b2, b3);
    if (feasible(free)) return this.result(w, free);
    // The constrained optimum lies on a face of the feasible set: the floor at a bound, the trend at
    // ±SLOPE_MAX, or both. χ² is convex, so the best feasible face solution is the optimum.
    const faces: (Coefficients | null)[] = [];
    for (const b0 of [0, FLOOR_MAX]) {
      const s2 = solve2(a11, a12, a22, b1 - b0 * a13, b2 - b0 * a23);
      faces.push(s2 && [s2[0], s2[1], b0]);
    }
    for (const k of [SLOPE_MAX, -SLOPE_MAX]) {
      // One window term q·(1 + k·t) with weight a0.
      const A = a11 + 2 * k * a12 + k * k * a22;
      const B = a13 + k * a23;
      const C = b1 + k * b2;
      const s2 = solve2(A, B, a33, C, b3);
      faces.push(s2 && [s2[0], k * s2[0], s2[1]]);
      for (const b0 of [0, FLOOR_MAX]) faces.push(A > 0 ? [(C - b0 * B) / A, k * ((C - b0 * B) / A), b0] : null);
    }
    let best: FitResult = { chi2: Infinity, a0: 0, a1: 0, b0: 0 };
    for (const c of faces) {
      if (!feasible(c)) continue;
      const r = this.result(w, c);
      if (r.chi2 < best.chi2) best = r;
    }
    return best;
  }

  /** χ² summed directly (weights span many decades: expanding the square would cancel catastrophically). */
  private result(w: Float64Array, [a0, a1, b0]: Coefficients): FitResult {
    const { J, u, t } = this;
    let chi2 = this.outSpread + this.outU * (b0 - this.outMean) ** 2;
    for (let i = 0; i < this.L; i++) {
      const r = J[i] - w[i] * w[i] * (a0 + a1 * t[i]) - b0;
      chi2 += u[i] * r * r;
    }
    return { chi2, a0, a1, b0 };
  }

  /** Normalised residuals (J − model)·√u over the whole frame, in frame order, for the correlation length. */
  residuals(w: Float64Array, f: FitResult): Float64Array {
    const imp = this.imprint;
    const N = imp.J.length;
    const r = new Float64Array(N);
    for (let n = 0; n < N; n++) r[n] = (imp.J[n] - f.b0) * Math.sqrt(imp.u[n]);
    for (let i = 0; i < this.L; i++) {
      const n = layoutIndex(this.layout, i, N);
      r[n] -= w[i] * w[i] * (f.a0 + f.a1 * this.t[i]) * Math.sqrt(imp.u[n]);
    }
    return r;
  }
}

/** The imprint normalised to peak 1 with its least-squares weights. */
export interface WeightedImprint {
  J: Float64Array;
  u: Float64Array;
}

/**
 * Variances below this fraction of the squared peak are float64 round-off, not information: floored so
 * exact zeros outside the support do not make weights infinite.
 */
const VARIANCE_FLOOR = 1e-28;

export function weighImprint(imp: Imprint): WeightedImprint {
  const N = imp.mean.length;
  let peak = 0;
  for (let n = 0; n < N; n++) if (imp.mean[n] > peak) peak = imp.mean[n];
  const scale = peak > 0 ? 1 / peak : 1;
  const J = new Float64Array(N);
  const u = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    J[n] = imp.mean[n] * scale;
    u[n] = 1 / (imp.varianceOfMean[n] * scale * scale + VARIANCE_FLOOR);
  }
  return { J, u };
}

/**
 * Correlation length of normalised residuals: 1 + 2·Σρ(lag) up to the first non-positive lag. Neighbouring
 * imprint samples share the signal's local power, so Δχ² between hypotheses counts each independent
 * piece of evidence about this many times.
 */
export function correlationLength(r: Float64Array): number {
  const N = r.length;
  let e = 0;
  for (let n = 0; n < N; n++) e += r[n] * r[n];
  if (e === 0) return 1;
  let c = 1;
  for (let lag = 1; lag < N / 8; lag++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += r[n] * r[(n + lag) % N];
    const rho = s / e;
    if (rho <= 0) break;
    c += 2 * rho;
  }
  return Math.min(c, N / 8);
}

/** Symmetric 2×2 solve, Jacobi-scaled like solve3. */
function solve2(a11: number, a12: number, a22: number, b1: number, b2: number): [number, number] | null {
  if (!(a11 > 0 && a22 > 0)) return null;
  const d1 = 1 / Math.sqrt(a11);
  const d2 = 1 / Math.sqrt(a22);
  const m = a12 * d1 * d2;
  const det = 1 - m * m;
  if (!(Math.abs(det) > 1e-14)) return null;
  const c1 = b1 * d1;
  const c2 = b2 * d2;
  return [((c1 - m * c2) / det) * d1, ((c2 - m * c1) / det) * d2];
}

/**
 * Symmetric 3×3 solve by Cramer's rule on the Jacobi-scaled system (the diagonal spans many decades:
 * the floor's Σu counts every sample of the frame, the window terms only the weighted support).
 */
function solve3(
  a11: number,
  a12: number,
  a13: number,
  a22: number,
  a23: number,
  a33: number,
  b1: number,
  b2: number,
  b3: number,
): [number, number, number] | null {
  if (!(a11 > 0 && a22 > 0 && a33 > 0)) return null;
  const d1 = 1 / Math.sqrt(a11);
  const d2 = 1 / Math.sqrt(a22);
  const d3 = 1 / Math.sqrt(a33);
  const m12 = a12 * d1 * d2;
  const m13 = a13 * d1 * d3;
  const m23 = a23 * d2 * d3;
  const c1 = b1 * d1;
  const c2 = b2 * d2;
  const c3 = b3 * d3;
  const k11 = 1 - m23 * m23;
  const k12 = m13 * m23 - m12;
  const k13 = m12 * m23 - m13;
  const det = k11 + m12 * k12 + m13 * k13;
  if (!(Math.abs(det) > 1e-14) || !Number.isFinite(det)) return null;
  const k22 = 1 - m13 * m13;
  const k23 = m12 * m13 - m23;
  const k33 = 1 - m12 * m12;
  return [((k11 * c1 + k12 * c2 + k13 * c3) / det) * d1, ((k12 * c1 + k22 * c2 + k23 * c3) / det) * d2, ((k13 * c1 + k23 * c2 + k33 * c3) / det) * d3];
}
