import { decodingKey, type Evidence, EvidenceCache, isDecodable } from '../../src/analysis/evidence.js';
import { isComplexDtype, type PartialStftConfig } from '../../src/config/types.js';
import { type Layout, layoutIndex, makeLayout } from './fit.js';
import { imprintOf, type Segments } from '../shared/window-imprint.js';
import { type SearchHints, searchWindows, type WindowSearch } from './search.js';
import { shape } from './families.js';
import { classScales, settleClassScales, smoothClassScales } from './class-scales.js';

/**
 * The window search shared by the analyzer and the measured window (`window: 'estimated'`): the imprint
 * gives its shape; where frames overlap, the samples two frames share give the ratios w[i + hop] / w[i]
 * exactly (see refineByOverlap).
 */

/**
 * Reduced χ² above which no named window explains the imprint to within its noise: the measured window
 * is proposed too, and every score is scaled by ESTIMATE_REDUCED_CHI2 / reduced χ².
 */
export const ESTIMATE_REDUCED_CHI2 = 4;

/** Searches are the expensive part; the analyzer and estimateWindow share them per evidence and config. */
const cache = new EvidenceCache<WindowSearch | string>();

export function cachedSearch(evidence: Evidence, fixed: PartialStftConfig): WindowSearch | string {
  if (!isDecodable(fixed) || fixed.nfft === undefined || fixed.sided === undefined) return 'storage, shape, scale and unit fields are not all fixed';
  if (evidence.phase === null && !isComplexDtype(fixed.magnitudeFile.dtype)) return 'no phase: the window imprint needs complex frames';
  const cfg = { ...fixed, nfft: fixed.nfft, sided: fixed.sided };
  const hints: SearchHints = { reference: fixed.phaseReference, sign: fixed.phaseSign, hop: fixed.hop };
  return cache.get(evidence, `${decodingKey(cfg)}|${cfg.nfft}|${cfg.sided}|${JSON.stringify(hints)}`, () => {
    const s = searchWindows(evidence, cfg, hints);
    return 'failed' in s ? s.failed : s;
  });
}

/** What geometryFromConfig needs beside a config: the measured window for 'estimated', nothing for a named one. */
export function measuredWindowOf(evidence: Evidence, config: PartialStftConfig): Float64Array | undefined {
  return config.window === 'estimated' ? estimateWindow(evidence, config) : undefined;
}

/**
 * The measured window for `window: 'estimated'`: from the imprint over the window's support (floor
 * removed), with the signal's power trend across the frame divided out and the two mirrored halves
 * averaged (analysis windows are symmetric about their centre: (L−1)/2 symmetric, L/2 periodic), then √,
 * peak 1, length winLength. Layout, symmetry and sign from `fixed` where pinned, else from the best fit.
 */
export function estimateWindow(evidence: Evidence, fixed: PartialStftConfig): Float64Array {
  const r = cachedSearch(evidence, fixed);
  if (typeof r === 'string') throw new RangeError(`cannot estimate the window: ${r}`);
  const N = r.segments.nfft;
  const best = r.candidates[0];
  const L = fixed.winLength ?? best.layout.winLength;
  const placement = fixed.windowPlacement ?? best.layout.placement;
  const symmetric = (fixed.windowSymmetry ?? best.symmetry) === 'symmetric';
  const layout = makeLayout(N, L, placement, best.layout.reference, fixed.phaseSign ?? best.layout.sign);
  const shapeOf = (seg: Segments): Float64Array => imprintShape(imprintOf(seg, (i) => (seg.frame[i] * r.driftPerFrame) % N).mean, layout, L, symmetric);
  const w = shapeOf(r.segments);
  // Frames that overlap share samples: refine (not under a drifting absolute-time reference, whose segments
  // rotate). The class scales follow the best named window where it explains the imprint within its noise
  // (smoother than the imprint of real speech: a triangle's sqrt-Hann gave 30 dB, its imprint 21 dB), else
  // the imprint; they are smoothed where that window also meets the measured ratios within CLOSE_MISS (a
  // Blackman-Harris read as a Kaiser: 2 %; 56 -> 69 dB), and not otherwise (the triangle's sqrt-Hann
  // misses by 18 %, and smoothing its kink away took its audio to 0 dB).
  // The search measured the ratios at this hop (fixed.hop is its hint).
  if (fixed.hop !== undefined && fixed.hop < L && r.driftPerFrame === 0 && r.ratios) {
    const Lb = best.layout.winLength;
    const bestShape = shape(best.family, best.param, Lb, best.symmetry);
    const miss = Lb <= L && Lb > fixed.hop ? r.ratios.miss(best.layout, bestShape) : null;
    const named = r.reducedChi2 <= ESTIMATE_REDUCED_CHI2 && Lb <= L;
    const imprint = Float64Array.from(w);
    if (named) {
      // A shorter named window sits inside this one as the maker would place it; outside it, zeros.
      w.fill(0);
      w.set(bestShape, best.layout.placement === 'centred' ? Math.floor((L - Lb) / 2) : 0);
    }
    const chains = classChains(r.ratios.of(layout), fixed.hop, w);
    fitClasses(chains, w, fixed.hop);
    if (named && miss !== null && miss <= CLOSE_MISS) smoothClassScales(w, fixed.hop, SMOOTH_REACH * miss);
    else {
      // Else the smoothest scales the imprint does not contradict, its noise from two halves of the frames.
      const half = r.segments.count >> 1;
      const halves = [view(r.segments, 0, half), view(r.segments, half, r.segments.count)].map(shapeOf);
      settleClassScales(w, chains, imprint, halves, fixed.hop);
    }
  }
  let peak = 0;
  for (let i = 0; i < L; i++) if (w[i] > peak) peak = w[i];
  if (peak > 0) for (let i = 0; i < L; i++) w[i] /= peak;
  return w;
}

/**
 * The window from a mean imprint: over the window's support (floor removed), the signal's power trend
 * across the frame divided out and the two mirrored halves averaged (analysis windows are symmetric
 * about their centre: (L−1)/2 symmetric, L/2 periodic), then √.
 */
function imprintShape(mean: Float64Array, layout: Layout, L: number, symmetric: boolean): Float64Array {
  const N = mean.length;
  const inside = new Uint8Array(N);
  for (let i = 0; i < L; i++) inside[layoutIndex(layout, i, N)] = 1;
  // The floor: the mean imprint outside the support (rounding noise, a dropped Nyquist bin).
  let floor = 0;
  let outside = 0;
  for (let n = 0; n < N; n++)
    if (!inside[n]) {
      floor += mean[n];
      outside++;
    }
  floor = outside > 0 ? floor / outside : 0;
  const J = new Float64Array(L);
  for (let i = 0; i < L; i++) J[i] = Math.max(0, mean[layoutIndex(layout, i, N)] - floor);
  const centre = symmetric ? (L - 1) / 2 : L / 2;
  const mirror = (i: number): number => (symmetric ? L - 1 - i : (L - i) % L);
  const t = (i: number): number => (i - centre) / (L / 2);
  // A trend P(1 + a·t) makes mirrored samples differ: J_i − J_m = a·t_i·(J_i + J_m). Least squares for a.
  let num = 0;
  let den = 0;
  for (let i = 0; i < L; i++) {
    const s2 = J[i] + J[mirror(i)];
    num += (J[i] - J[mirror(i)]) * s2 * t(i);
    den += s2 * s2 * t(i) * t(i);
  }
  const a = den > 0 ? Math.max(-0.9, Math.min(0.9, num / den)) : 0;
  const w = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    const m = mirror(i);
    w[i] = Math.sqrt(0.5 * (J[i] / (1 + a * t(i)) + J[m] / (1 + a * t(m))));
  }
  return w;
}

/**
 * Frame m's window sample i + hop and frame m + 1's sample i see the same signal sample, so over many
 * pairs y_m[i + hop] / y_{m+1}[i] = w[i + hop] / w[i] to the data's precision, where the imprint is
 * only as good as the signal is steady. The ratios chain the samples of each residue class i mod hop,
 * from the class's largest sample in `ref` outwards, each ratio taken the well-conditioned way round: the
 * window up to one scale per class (NaN where a class has no chain). That scale cannot be seen by
 * consistency at all: a window wrong by a factor per class gives the signal divided by that factor, whose
 * STFT is the data again. So the chained window ranks at round-off, and the audio is as good as the class
 * scales (fitClasses, class-scales.ts).
 */
function classChains(ratio: Float64Array, hop: number, ref: Float64Array): Float64Array {
  const L = ref.length;
  const u = new Float64Array(L).fill(NaN);
  for (let r = 0; r < hop && r < L; r++) {
    let anchor = r;
    for (let i = r; i < L; i += hop) if (ref[i] > ref[anchor]) anchor = i;
    u[anchor] = 1;
    // A negative ratio is a window that changes sign across the hop (scipy's flattop): the chain keeps it,
    // and the imprint, which only sees w², gives the class its size.
    for (let i = anchor; i + hop < L && Number.isFinite(ratio[i]) && ratio[i] !== 0; i += hop) u[i + hop] = u[i] * ratio[i];
    for (let i = anchor - hop; i >= 0 && Number.isFinite(ratio[i]) && ratio[i] !== 0; i -= hop) u[i] = u[i + hop] / ratio[i];
  }
  return u;
}

/** Each class's chain scaled to fit `w` (least squares on |chain|), written into `w` where the chain reaches. */
function fitClasses(chains: Float64Array, w: Float64Array, hop: number): void {
  const c = classScales(chains, w, hop);
  for (let i = 0; i < w.length; i++) if (Number.isFinite(chains[i]) && Number.isFinite(c[i % hop])) w[i] = c[i % hop] * chains[i];
}

/** Segments start..end of `s`, as views. */
function view(s: Segments, start: number, end: number): Segments {
  const N = s.nfft;
  return { ...s, count: end - start, y: s.y.subarray(start * N, end * N), frame: s.frame.subarray(start, end), energy: s.energy.subarray(start, end) };
}

/** Ratio miss under which the best named window is taken as the shape the class scales follow. */
const CLOSE_MISS = 0.05;

/**
 * How far smoothing may move a class scale, in multiples of the named window's ratio miss. Where the
 * smoothest window is the file's, the scales move by well under it (Blackman-Harris 0.2 % at a 2.1 %
 * miss, Nuttall 0.1 %); a Parzen window (cubic pieces) moved them 4 % at a 1.5 % miss and lost 23 dB;
 * where the window has a kink or end spikes (Bartlett-Hann, Dolph-Chebyshev) they move by 100 % and
 * more, and the audio fell from 43-55 dB to nothing.
 */
const SMOOTH_REACH = 2;
