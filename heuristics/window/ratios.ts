import { type Layout, layoutIndex } from './fit.js';
import type { Segments } from '../shared/window-imprint.js';

/**
 * Frame m's window sample i + hop and frame m + 1's sample i see the same signal sample, so over many
 * pairs y_m[i + hop] / y_{m+1}[i] = w[i + hop] / w[i] to the data's precision: evidence on the window's
 * shape far sharper than the imprint of a few seconds of speech. Used to weigh the named readings and
 * offer the measured window (ratio-weighing.ts, index.ts), to chain it (estimate.ts) and to refine a
 * parametrised family (search.ts). Measured once per layout and search (ratioSource).
 */

/** Pair correlation a ratio needs to be taken as exact: the samples two frames share are one sample. */
const EXACT_RATIO = 0.9999;
/** Window samples under this fraction of the peak are not compared: their ratios carry the data's noise. */
const RATIO_FLOOR = 0.01;

/**
 * w[i + hop] / w[i] for i < L − hop, measured on consecutive kept segments (NaN where the pairs do not
 * pin it): least squares over the pairs, taken the well-conditioned way round.
 */
function overlapRatios(s: Segments, layout: Layout, hop: number, L: number): Float64Array {
  const N = s.nfft;
  const at = Int32Array.from({ length: L }, (_, i) => layoutIndex(layout, i, N));
  const n = Math.max(0, L - hop);
  const sab = new Float64Array(n);
  const saa = new Float64Array(n);
  const sbb = new Float64Array(n);
  for (let k = 0; k + 1 < s.count; k++) {
    if (s.frame[k + 1] !== s.frame[k] + 1) continue;
    const ya = k * N;
    const yb = (k + 1) * N;
    for (let i = 0; i < n; i++) {
      const a = s.y[ya + at[i + hop]];
      const b = s.y[yb + at[i]];
      sab[i] += a * b;
      saa[i] += a * a;
      sbb[i] += b * b;
    }
  }
  const ratio = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const exact = sab[i] * sab[i] >= EXACT_RATIO * saa[i] * sbb[i] && saa[i] > 0 && sbb[i] > 0;
    ratio[i] = exact ? (sbb[i] >= saa[i] ? sab[i] / sbb[i] : saa[i] / sab[i]) : NaN;
  }
  return ratio;
}

/**
 * How far a window misses the measured ratios `ratio` (overlapRatios of its layout, hop and length): the
 * median over the samples above RATIO_FLOOR of |ρ_i·w[i] / w[i + hop] − 1|; null when fewer than a
 * quarter of them have an exact ratio (coarse storage: the test cannot be made). A named window that
 * made the file misses by the data's precision.
 */
function missOf(ratio: Float64Array, hop: number, w: Float64Array): number | null {
  const L = w.length;
  let peak = 0;
  for (let i = 0; i < L; i++) peak = Math.max(peak, Math.abs(w[i]));
  const miss: number[] = [];
  let compared = 0;
  for (let i = 0; i < ratio.length; i++) {
    if (!(w[i] > RATIO_FLOOR * peak && w[i + hop] > RATIO_FLOOR * peak)) continue;
    compared++;
    if (Number.isFinite(ratio[i])) miss.push(Math.abs((ratio[i] * w[i]) / w[i + hop] - 1));
  }
  if (compared === 0 || miss.length < compared / 4) return null;
  miss.sort((a, b) => a - b);
  return miss[Math.floor(miss.length / 2)];
}

/** overlapRatios per layout, measured once per search (they depend on the layout, not on the window). */
export interface RatioSource {
  hop: number;
  of(layout: Layout): Float64Array;
  /** missOf a window of the layout's length under it. */
  miss(layout: Layout, w: Float64Array): number | null;
}

export function ratioSource(segments: Segments, hop: number): RatioSource {
  const cache = new Map<string, Float64Array>();
  const of = (l: Layout): Float64Array => {
    const key = `${l.winLength}:${l.start}:${l.step}`;
    let r = cache.get(key);
    if (!r) cache.set(key, (r = overlapRatios(segments, l, hop, l.winLength)));
    return r;
  };
  return { hop, of, miss: (l, w) => missOf(of(l), hop, w) };
}
