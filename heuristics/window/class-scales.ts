import { gaussSolve } from '../../src/dsp/gauss.js';

/**
 * The one thing the samples two frames share cannot give a measured window: a scale per residue class
 * i mod hop (estimate.ts, refineByOverlap). Consistency cannot see it either, and the audio inherits it
 * as a gain that repeats every hop samples (the imprint's scales: a triangle exports at 30 dB). Windows
 * are smooth, or straight between a few kinks, so the scales that make the window smoothest are
 * candidates; the imprint's own scales, with their standard errors, say which candidate holds.
 */

/** Largest hop whose class scales are solved (a dense solve of hop + 1 unknowns). */
const MAX_SMOOTHED_HOP = 512;
/** Largest hop for the reweighted (L1) solves: a dense solve per iteration. */
const MAX_L1_HOP = 256;
const L1_ITERATIONS = 20;
/** Residuals below this fraction of the median keep full weight in the L1 reweighting. */
const L1_FLOOR = 1e-3;

/**
 * Per-class scales e (w[i] ← e[i mod hop]·w[i]) minimising the (weighted) squared `order`-th differences
 * of the window, their energy-weighted mean kept at 1 (bordered normal equations); null when the system
 * is degenerate (a scale non-finite or not positive).
 */
function smoothestScales(w: Float64Array, hop: number, order: number, weights: Float64Array | null): Float64Array | null {
  const L = w.length;
  const H = hop;
  if (H > MAX_SMOOTHED_HOP || L <= order + 4) return null;
  const beta = binomialDifference(order);
  const n = H + 1;
  const M = Array.from({ length: n }, () => new Float64Array(n + 1));
  const row = new Float64Array(H);
  const stamp = new Int32Array(H);
  const cls: number[] = [];
  for (let j = 0; j + order < L; j++) {
    cls.length = 0;
    for (let m = 0; m <= order; m++) {
      const c = (j + m) % H;
      if (stamp[c] !== j + 1) {
        stamp[c] = j + 1;
        cls.push(c);
      }
      row[c] += beta[m] * w[j + m];
    }
    const k = weights ? weights[j] : 1;
    for (const a of cls) for (const b of cls) M[a][b] += k * row[a] * row[b];
    for (const c of cls) row[c] = 0;
  }
  let total = 0;
  for (let i = 0; i < L; i++) {
    const e = w[i] * w[i];
    M[i % H][H] += e;
    M[H][i % H] += e;
    total += e;
  }
  M[H][n] = total;
  const e = gaussSolve(M).subarray(0, H);
  for (let r = 0; r < H; r++) if (!(e[r] > 0) || !Number.isFinite(e[r])) return null;
  return e;
}

/** Least absolute `order`-th differences (iteratively reweighted): exact for a window straight between kinks. */
function leastAbsoluteScales(w: Float64Array, hop: number, order: number): Float64Array | null {
  if (hop > MAX_L1_HOP) return null;
  const L = w.length;
  const beta = binomialDifference(order);
  const weights = new Float64Array(L - order).fill(1);
  const resid = new Float64Array(L - order);
  let e = smoothestScales(w, hop, order, null);
  for (let it = 0; e && it < L1_ITERATIONS; it++) {
    for (let j = 0; j < resid.length; j++) {
      let d = 0;
      for (let m = 0; m <= order; m++) d += beta[m] * e[(j + m) % hop] * w[j + m];
      resid[j] = Math.abs(d);
    }
    const floor = L1_FLOOR * median(resid) + Number.MIN_VALUE;
    for (let j = 0; j < resid.length; j++) weights[j] = 1 / Math.max(resid[j], floor);
    e = smoothestScales(w, hop, order, weights);
  }
  return e;
}

/**
 * Rescale each class of `w` (in place) by the scales that make a window least rough under a fourth
 * difference, unless a scale would move by more than `reach`: the case of a window close to a named
 * smooth one, whose own fourth differences are far smaller than what a wrong scale per class adds
 * (exact chains at 512/128: Blackman-Harris 68 dB, Blackman 88 dB, Hann 96 dB).
 */
export function smoothClassScales(w: Float64Array, hop: number, reach: number): void {
  const e = smoothestScales(w, hop, 4, null);
  if (!e) return;
  for (let r = 0; r < hop; r++) if (!(Math.abs(e[r] - 1) <= reach)) return;
  for (let i = 0; i < w.length; i++) w[i] *= e[i % hop];
}

/**
 * Smoothness candidates, each exact on its own kind of window and wrong by tens of percent on the
 * others' (class scales recovered from 3 % errors on exact 512/128 chains): least squared 4th differences
 * for smooth windows (Hamming, Kaiser 100 dB, Nuttall and Blackman-Harris 70 dB), least absolute 4th
 * differences for piecewise-polynomial ones (Parzen 131 dB), least absolute 2nd differences for straight
 * ones between kinks (triangle, Bartlett, Tukey 210 dB). Sixth differences would fit smooth windows
 * better still, but their normal equations lose the near-zero tails' classes (negative scales).
 */
const CANDIDATES: { what: string; solve: (w: Float64Array, hop: number) => Float64Array | null }[] = [
  { what: 'least squared 4th differences', solve: (w, h) => smoothestScales(w, h, 4, null) },
  { what: 'least absolute 4th differences', solve: (w, h) => leastAbsoluteScales(w, h, 4) },
  { what: 'least absolute 2nd differences', solve: (w, h) => leastAbsoluteScales(w, h, 2) },
];

/**
 * How far the chosen candidate may move the scales `w` came with: MAX_MOVE_NOISE times the imprint's
 * class-scale noise as two halves of the frames show it, and never less than MIN_MOVE. The candidate of
 * the window's own kind moved them by 0.1-3 % where the halves agreed to 10 %, the others by 50 % and
 * more (a kink smoothed, or straight pieces forced on a smooth window), and straight pieces on an
 * exponential window (a kink and curvature) by 9 %. Left alone: an imprint error the halves share (a
 * flat top over 9600 samples of speech, halves within 2 %, every candidate 8 % away) keeps its scales.
 */
const MAX_MOVE_NOISE = 2;
const MIN_MOVE = 0.05;

/** Per class, the least-squares scale c with c·|chain| ≈ ref over the class's chained samples (NaN: none). */
export function classScales(chains: Float64Array, ref: Float64Array, hop: number): Float64Array {
  const num = new Float64Array(hop);
  const den = new Float64Array(hop);
  for (let i = 0; i < chains.length; i++) {
    if (!Number.isFinite(chains[i])) continue;
    num[i % hop] += Math.abs(chains[i]) * ref[i];
    den[i % hop] += chains[i] * chains[i];
  }
  return num.map((n, r) => (den[r] > 0 && n > 0 ? n / den[r] : NaN));
}

/**
 * Replace the class scales of `w` (in place) by the smoothness candidate nearest to them, if it is within
 * MAX_MOVE_NOISE of the imprint's class-scale noise (read from two halves of the frames: `halves`, their
 * imprint windows). The scales `w` comes with follow the nearest named window where one explains the
 * imprint (smooth, a few percent off: a triangle's sqrt-Hann 3 %), else the imprint (about 10 % per
 * class on a few seconds of speech); the candidate of the window's own kind lies that close to them, the
 * others tens of percent away. Returns the candidate taken, or null (the scales stay).
 */
export function settleClassScales(w: Float64Array, chains: Float64Array, imprint: Float64Array, halves: Float64Array[], hop: number): string | null {
  const noise = splitNoise(chains, halves, hop);
  if (noise === null) return null;
  const L = w.length;
  const given = classScales(chains, w, hop);
  // The chains under the given scales; samples no chain reaches keep the imprint.
  const W = new Float64Array(L);
  for (let i = 0; i < L; i++) W[i] = Number.isFinite(chains[i]) && Number.isFinite(given[i % hop]) ? given[i % hop] * chains[i] : imprint[i];
  let best: { what: string; e: Float64Array; move: number } | null = null;
  for (const { what, solve } of CANDIDATES) {
    const e = solve(W, hop);
    const move = e ? relativeMove(e, given) : Infinity;
    if (e && (!best || move < best.move)) best = { what, e, move };
  }
  if (!best || !(best.move <= Math.max(MAX_MOVE_NOISE * noise, MIN_MOVE))) return null;
  for (let i = 0; i < L; i++) w[i] = best.e[i % hop] * W[i];
  return best.what;
}

/** The imprint's relative class-scale noise: half the spread of log(a/b) over the classes, a and b the two halves' scales. */
function splitNoise(chains: Float64Array, halves: Float64Array[], hop: number): number | null {
  const [a, b] = halves.map((h) => classScales(chains, h, hop));
  // The halves differ by a common level (their frames' loudness): only the spread is noise.
  const d: number[] = [];
  for (let r = 0; r < hop; r++) {
    const v = Math.log(a[r] / b[r]);
    if (Number.isFinite(v)) d.push(v);
  }
  if (d.length < 2) return null;
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const spread = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1));
  return spread > 0 ? spread / 2 : null;
}

/** RMS of k·e − 1 over the classes `given` holds, k the best common factor (scales are relative). */
function relativeMove(e: Float64Array, given: Float64Array): number {
  let se = 0;
  let ee = 0;
  let n = 0;
  for (let r = 0; r < e.length; r++) {
    if (!Number.isFinite(given[r])) continue;
    se += e[r];
    ee += e[r] * e[r];
    n++;
  }
  if (n === 0 || !(ee > 0)) return Infinity;
  const k = se / ee;
  let moved = 0;
  for (let r = 0; r < e.length; r++) if (Number.isFinite(given[r])) moved += (k * e[r] - 1) ** 2;
  return Math.sqrt(moved / n);
}

/** Coefficients of the order-k difference: (−1)^m·C(k, m). */
function binomialDifference(k: number): Float64Array {
  const b = new Float64Array(k + 1);
  b[0] = 1;
  for (let m = 1; m <= k; m++) b[m] = (-b[m - 1] * (k - m + 1)) / m;
  return b;
}

function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  return s.length ? s[s.length >> 1] : 0;
}
