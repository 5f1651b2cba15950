import type { ValueSource } from '../../src/io/source.js';

/**
 * The dims analyzer's magnitude-only test (DESIGN 4.3): the lag at which the magnitude stream repeats
 * itself, and which axis of a reshape is the spectral one.
 */

/**
 * Correlation of the (compressed) magnitude stream with itself `lag` values later, over a few spread
 * windows: high at the row length of the matrix (the next frame's same bin, or the next bin's same
 * frame), low at lags that land on unrelated cells.
 */
export function lagCorrelation(src: ValueSource, length: number, lag: number, scale: number): number {
  const W = 2048;
  if (lag + 16 >= length) return 0;
  const windows = 4;
  const n = Math.min(W, length - lag);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const ai = new Float64Array(n);
  const bi = new Float64Array(n);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let cnt = 0;
  for (let w = 0; w < windows; w++) {
    const start = Math.floor(((length - lag - n) * (w + 0.5)) / windows);
    // Two reads, not one spanning the lag: long lags (bin-major rows) would read megabytes.
    src.read(start, n, a, src.complex ? ai : undefined);
    src.read(start + lag, n, b, src.complex ? bi : undefined);
    for (let i = 0; i < n; i++) {
      const x = compress(a[i], src.complex ? ai[i] : 0, scale);
      const y = compress(b[i], src.complex ? bi[i] : 0, scale);
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      cnt++;
    }
  }
  const vx = sxx / cnt - (sx / cnt) ** 2;
  const vy = syy / cnt - (sy / cnt) ** 2;
  if (!(vx > 1e-12) || !(vy > 1e-12)) return 0;
  return (sxy / cnt - (sx / cnt) * (sy / cnt)) / Math.sqrt(vx * vy);
}

/** asinh(|v| / scale) for complex data, asinh(v / scale) otherwise: log-like for linear, dB-safe. */
function compress(re: number, im: number, scale: number): number {
  const v = im !== 0 ? Math.hypot(re, im) : re;
  return Number.isFinite(v) ? Math.asinh(v / scale) : 0;
}

/** Median |value| of a spread sample (the scale the compression works at): 16 windows of 256 values. */
export function typicalScale(src: ValueSource, length: number): number {
  const win = Math.min(256, length);
  const n = Math.min(16, Math.max(1, Math.floor(length / win)));
  const re = new Float64Array(win);
  const im = new Float64Array(win);
  const mags: number[] = [];
  for (let w = 0; w < n; w++) {
    src.read(Math.floor(((length - win) * w) / Math.max(1, n - 1)), win, re, src.complex ? im : undefined);
    for (let i = 0; i < win; i++) {
      const a = Math.hypot(re[i], src.complex ? im[i] : 0);
      if (Number.isFinite(a) && a > 0) mags.push(a);
    }
  }
  if (mags.length === 0) return 0;
  mags.sort((a, b) => a - b);
  return mags[mags.length >> 1];
}

/**
 * Which axis of a row-length-`L` reshape carries the spectrum; positive says positions are bins (rows
 * are frames), negative that rows are bins. Two witnesses, added:
 * - the variance of the mean row profile (across positions) over that of the row means (across rows),
 *   as a log ratio: the long-term spectrum varies across frequency by tens of dB, frame energies less;
 * - the spectral tilt, TILT_WEIGHT × (ρ_rows − ρ_positions) with ρ the rank correlation of each profile
 *   with its index: sound falls off towards high bins, while frame energies have no lasting trend.
 *   Notes that start and stop fool the first witness (librosa sample, bin-major: variance ratio +0.45
 *   the wrong way; tilt −0.84 across rows against +0.39 along them).
 */
export function spectralAxisEvidence(src: ValueSource, length: number, L: number, scale: number): AxisEvidence {
  const rows = Math.floor(length / L);
  if (rows < 2 || L < 2) return { axis: 0, silence: 0 };
  const n = Math.min(64, rows);
  // Long rows are sampled in 16 spread runs of 256 positions (the profile's variance needs no more).
  const runs: [number, number][] = L <= 4096 ? [[0, L]] : Array.from({ length: 16 }, (_, i) => [Math.floor(((L - 256) * i) / 15), 256]);
  const width = runs.reduce((a, r) => a + r[1], 0);
  const profile = new Float64Array(width);
  const means = new Float64Array(n);
  const re = new Float64Array(Math.min(L, 4096));
  const im = new Float64Array(re.length);
  const nonzeroAt = new Uint8Array(width);
  let zeroRows = 0;
  for (let i = 0; i < n; i++) {
    const row = Math.floor((i * (rows - 1)) / Math.max(1, n - 1));
    let sum = 0;
    let j = 0;
    let nonzero = false;
    for (const [at, len] of runs) {
      src.read(row * L + at, len, re, src.complex ? im : undefined);
      for (let t = 0; t < len; t++, j++) {
        const v = compress(re[t], src.complex ? im[t] : 0, scale);
        profile[j] += v / n;
        sum += v;
        if (v !== 0) {
          nonzero = true;
          nonzeroAt[j] = 1;
        }
      }
    }
    means[i] = sum / width;
    if (!nonzero) zeroRows++;
  }
  const zeroPositions = nonzeroAt.length - nonzeroAt.reduce((a, b) => a + b, 0);
  const variance = (x: Float64Array): number => {
    let m = 0;
    for (const v of x) m += v / x.length;
    let q = 0;
    for (const v of x) q += (v - m) ** 2 / x.length;
    return q;
  };
  const vp = variance(profile);
  const vr = variance(means);
  const spread = vp > 0 && vr > 0 ? Math.log(vp / vr) : 0;
  const silence = (zeroRows > 0 ? 1 : 0) - (zeroPositions > 0 ? 1 : 0);
  return { axis: spread + TILT_WEIGHT * (rankTrend(means) - rankTrend(profile)), silence };
}

/** spectralAxisEvidence's witnesses: positive says positions are bins (rows are frames). */
export interface AxisEvidence {
  /** Variance log ratio plus spectral tilt (unbounded; the caller clamps it). */
  axis: number;
  /**
   * +1 when some sampled row is exactly zero throughout and no position is, −1 the other way round,
   * else 0. Digital silence zeroes whole frames; an STFT bin is not exactly zero in every frame of a
   * recording. A silent stretch also makes the row variance of frame energies huge, which misleads the
   * variance witness (Octave specgram of alsa8: 13 silent frames of 61, axis −0.57 the wrong way).
   */
  silence: number;
}

/** Weight of the spectral tilt against the variance log ratio (a tilt difference spans −2…2). */
const TILT_WEIGHT = 2;

/** Spearman rank correlation of x with its index (ties in rank order): +1 rising, −1 falling. */
function rankTrend(x: Float64Array): number {
  const n = x.length;
  if (n < 3) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  // Σ (rank − mean)(i − mean) over Σ (i − mean)²: both are permutations of 0..n−1.
  const mean = (n - 1) / 2;
  let num = 0;
  let den = 0;
  order.forEach((i, rank) => {
    num += (rank - mean) * (i - mean);
    den += (i - mean) ** 2;
  });
  return den > 0 ? num / den : 0;
}
