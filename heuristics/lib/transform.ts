import { type DecodableConfig, type Evidence, isDecodable, sampleBlockStarts } from '../../src/analysis/evidence.js';
import { isComplexDtype, type PartialStftConfig, type PhaseReference, type PhaseSign, type Sided } from '../../src/config/types.js';
import { windowOffset } from '../../src/dsp/windows.js';
import { dcPhaseStructure, realBinsOf } from '../../src/analysis/phase-quality.js';
import { storageNoise } from './transform-noise.js';
import { collectSegments, measureDrift, type Segments } from './window-imprint.js';

/**
 * The overlap test behind the hop, phase-convention and centring analyzers (DESIGN.md §4.6). Consecutive
 * frames of a real STFT share nfft − hop samples: in frame-start coordinates y_m[j+hop] and y_{m+1}[j]
 * hold the same sample x under two window weights for every j in [0, nfft − hop). Across many frame
 * pairs their ratio at a fixed j is the constant w[j+hop]/w[j], so their normalised correlation over the
 * pairs is 1 to round-off, whatever the window; positions outside the overlap hold unrelated samples.
 * A convention (reference, sign) only decides where frame m keeps its j-th sample: the raw segment
 * (inverse FFT of the stored frame) holds it at n = s·(j + τ_m) (mod nfft), s = ±1 the sign, τ_m = 0
 * (frame-start), −centre (window-centre) or m·hop (absolute-time, m the global frame index). So one
 * function scores any (hop, convention) exactly, without knowing the window. Coarse storage (uint8 dB,
 * a dropped Nyquist bin) bounds how close to 1 even the shared samples get: each position is judged
 * against the decades its noise allows (see capacity and lib/transform-noise.ts).
 */

export interface Convention {
  reference: PhaseReference;
  sign: PhaseSign;
}

/** Most common first: ties go to the earlier one. */
export const CONVENTIONS: readonly Convention[] = [
  { reference: 'frame-start', sign: '+' },
  { reference: 'window-centre', sign: '+' },
  { reference: 'absolute-time', sign: '+' },
  { reference: 'frame-start', sign: '-' },
  { reference: 'window-centre', sign: '-' },
  { reference: 'absolute-time', sign: '-' },
];

export const conventionName = (c: Convention): string => `${c.reference} ${c.sign}`;

/** What the transform analyzers need fixed: the decodable fields plus the transform size. */
export type TransformInput = DecodableConfig & { nfft: number; sided: Sided };

/**
 * Fields every transform analyzer needs. Whole file objects, so the search's result cache tells storage
 * hypotheses apart; phaseUnit too, since a wrong unit changes every segment.
 */
export const TRANSFORM_NEEDS = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'];

/** The decodable config of `fixed`, or why there is none. */
export function transformInput(fixed: PartialStftConfig): TransformInput | string {
  // Without a phase file the unit is irrelevant to decoding; the values stage may leave it open.
  const c = fixed.phaseFile === null && fixed.phaseUnit === undefined ? { ...fixed, phaseUnit: 'radians' as const } : fixed;
  if (!isDecodable(c) || c.nfft === undefined || c.sided === undefined) return 'storage, shape, scale and unit fields are not all fixed';
  return { ...c, nfft: c.nfft, sided: c.sided };
}

/** Whether complex frames (hence time segments) exist: a phase file or a complex dtype. */
export function hasPhase(evidence: Evidence, fixed: PartialStftConfig): boolean {
  const dtype = fixed.magnitudeFile?.dtype;
  return evidence.phase !== null || (dtype !== undefined && isComplexDtype(dtype));
}

/** Sampled blocks of consecutive frames: 4 × 16 frames give 60 pairs, enough for ρ to be exact. */
const BLOCK_LENGTH = 16;
const BLOCKS = 4;

/** Segments with the relative noise power ε² their storage implies (lib/transform-noise.ts). */
export interface TransformSegments extends Segments {
  noise: number;
}

const segmentCache = new WeakMap<Evidence, Map<string, TransformSegments>>();

/**
 * Raw segments (inverse FFT of the stored frames, no convention undone) of sampled interior blocks,
 * shared by the transform analyzers of one evidence and decodable config.
 */
export function rawSegments(evidence: Evidence, c: TransformInput): TransformSegments {
  const key = JSON.stringify([c.magnitudeFile, c.phaseFile, c.frames, c.bins, c.layout, c.nfft, c.sided, c.magnitudeScale, c.dbFloor, c.phaseUnit]);
  let perEvidence = segmentCache.get(evidence);
  if (!perEvidence) {
    perEvidence = new Map();
    segmentCache.set(evidence, perEvidence);
  }
  let s = perEvidence.get(key);
  if (!s) {
    const noise = storageNoise(evidence, c, sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS), BLOCK_LENGTH);
    s = { ...collectSegments(evidence, { ...c, phaseSign: '+' }, BLOCK_LENGTH, BLOCKS), noise };
    perEvidence.set(key, s);
  }
  return s;
}

/** Indices i of segments whose successor is the next frame (the pairs the test pools). */
function consecutivePairs(s: Segments): Int32Array {
  const out: number[] = [];
  for (let i = 0; i + 1 < s.count; i++) if (s.frame[i + 1] === s.frame[i] + 1) out.push(i);
  return Int32Array.from(out);
}

/** Index in the raw segment of frame m that holds frame-start sample j under a convention. */
export function rawIndex(j: number, m: number, hop: number, conv: Convention, centre: number, N: number): number {
  // stored = conj(referenced spectrum): the reference shifts by τ, conjugation then reverses time.
  const n = j + tau(conv.reference, m, hop, centre, N);
  return mod(conv.sign === '-' ? -n : n, N);
}

/** The window-centre roll of a frame: offset + ⌊winLength/2⌋ when the window is known, else ⌊nfft/2⌋. */
export function windowCentreOf(fixed: PartialStftConfig, N: number): number {
  const L = fixed.winLength;
  if (L === undefined || L > N) return Math.floor(N / 2);
  return windowOffset(N, L, fixed.windowPlacement ?? 'centred') + Math.floor(L / 2);
}

export interface OverlapFit {
  /** support − leak: 1 for the true (hop, convention), near 0 or below for wrong ones. */
  fit: number;
  /** Exactness inside the predicted overlap: the share of its positions' capacity reached (1 when right). */
  support: number;
  /** The same outside it (near 0 when right). */
  leak: number;
  /** Mean capacity of the counted positions inside, in decades: EXACT_DECADES in a clean file, less in a coarse one. */
  capacity: number;
  /** Positions tested inside / outside the predicted overlap. */
  inside: number;
  outside: number;
}

/** Positions whose pooled energy is below this fraction of the largest are rounding noise: not tested. */
const TESTABLE_RELATIVE = 1e-6;
/** Fewer tested positions inside the overlap than this and the fit is not measured. */
const MIN_INSIDE = 3;
/** Decades of agreement that count as exact in a clean file: ρ = 1 − 10^−4. */
const EXACT_DECADES = 4;

/**
 * How exactly ρ reaches 1, in decades of 1 − ρ. The shared samples give ρ = 1 to round-off, while merely
 * similar ones (a sustained note one period away, a neighbouring lag of a low-pass signal) give
 * 0.5–0.95: on a log scale of 1 − ρ the two are far apart, on a linear one they are not.
 */
function decades(r: number): number {
  return r > 0 ? -Math.log10(Math.max(1 - r, 1e-12)) : 0;
}

/**
 * The decades of agreement a position can show at all: with signal-to-noise ratios s_a, s_b on its two
 * samples, even the shared samples give 1 − ρ ≈ (1/s_a + 1/s_b)/2, so log10(1 + min s) of them, capped at
 * EXACT_DECADES. A clean file gives every position the full EXACT_DECADES; in a coarse one (uint8 dB:
 * about 3 at the window's middle) the positions where a window vanishes can show next to nothing.
 */
function capacity(ea: number, noiseA: number, eb: number, noiseB: number): number {
  const s = Math.min(noiseA > 0 ? ea / noiseA - 1 : Infinity, noiseB > 0 ? eb / noiseB - 1 : Infinity);
  return s > 0 ? Math.min(EXACT_DECADES, Math.log10(1 + s)) : 0;
}

/**
 * Decades that merely similar samples reach (ρ = 0.9: a sustained note one period away, a neighbouring
 * lag of a low-pass signal; unrelated samples over the 4+ pairs the test needs stay below it by chance):
 * agreement up to here is no evidence of shared samples.
 */
const SIMILAR_DECADES = 1;

/**
 * Tally of agreement inside / outside the predicted overlap. Each position is credited with its decades
 * above SIMILAR_DECADES, up to its capacity, and weighs by its capacity above SIMILAR_DECADES: exactness
 * is measured against what the data's precision allows, and positions that cannot tell shared samples
 * from similar ones (a window's vanishing tail under coarse quantisation, where both reach the
 * capacity) do not count. In a clean file every capacity is EXACT_DECADES: the shared samples score 1,
 * similar ones 0–0.1, unrelated ones 0. Measured at 512/128 on uint8 dB / int16 phase files (capacity
 * 2.4–2.5 decades): the truth 1.00, a hop one sample off 0.04 (float32: 1.00 against 0.02); against a
 * flat 4-decade scale the truth itself scored 0.17–0.44 there, under the no-overlap line.
 */
class Tally {
  private sIn = 0;
  private cIn = 0;
  private nIn = 0;
  private sOut = 0;
  private cOut = 0;
  private nOut = 0;
  add(d: number, cap: number, inside: boolean): void {
    const room = cap - SIMILAR_DECADES;
    if (!(room > 0)) return;
    const credit = Math.min(room, Math.max(0, d - SIMILAR_DECADES));
    if (inside) {
      this.sIn += credit;
      this.cIn += room;
      this.nIn++;
    } else {
      this.sOut += credit;
      this.cOut += room;
      this.nOut++;
    }
  }
  result(): OverlapFit | null {
    if (this.nIn < MIN_INSIDE) return null;
    const support = this.sIn / this.cIn;
    const leak = this.cOut > 0 ? this.sOut / this.cOut : 0;
    const capacity = SIMILAR_DECADES + this.cIn / this.nIn;
    return { fit: support - leak, support, leak, capacity, inside: this.nIn, outside: this.nOut };
  }
}

/** Noise power per sample of the pooled segments i (plus `next`): ε²·Σ energy / nfft. */
function pooledNoise(s: TransformSegments, pairs: Int32Array, next: 0 | 1): number {
  if (!(s.noise > 0)) return 0;
  let e = 0;
  for (let p = 0; p < pairs.length; p++) e += s.energy[pairs[p] + next];
  return (s.noise * e) / s.nfft;
}

/**
 * Score one (hop, convention): exactness of the correlation of y_m[j+hop] and y_{m+1}[j] (frame-start
 * coordinates) over the pairs, at every position j, or at `perSide` positions spread over each of the
 * predicted overlap [0, nfft − hop) and the rest (a cheap screen that still tests hops near nfft).
 * `centre` is the window-centre roll. Null when too few positions can be tested.
 */
export function overlapFit(s: TransformSegments, pairs: Int32Array, hop: number, conv: Convention, centre: number, perSide?: number): OverlapFit | null {
  const N = s.nfft;
  const inside = Math.max(0, N - hop);
  const js = perSide === undefined ? null : spread(inside, N, perSide);
  const J = js ? js.length : N;
  const num = new Float64Array(J);
  const ea = new Float64Array(J);
  const eb = new Float64Array(J);
  const y = s.y;
  const sg = conv.sign === '-' ? -1 : 1;
  for (let p = 0; p < pairs.length; p++) {
    const i = pairs[p];
    const m = s.frame[i];
    const oa = i * N;
    const ob = oa + N;
    // Raw index of frame-start sample j is sg·(j + τ) (mod N): both frames step alike.
    const ta = rawIndex(hop, m, hop, conv, centre, N);
    const tb = rawIndex(0, m + 1, hop, conv, centre, N);
    for (let q = 0; q < J; q++) {
      const d = sg * (js ? js[q] : q);
      const a = y[oa + wrapIndex(ta + d, N)];
      const b = y[ob + wrapIndex(tb + d, N)];
      num[q] += a * b;
      ea[q] += a * a;
      eb[q] += b * b;
    }
  }
  const thA = TESTABLE_RELATIVE * max(ea);
  const thB = TESTABLE_RELATIVE * max(eb);
  const noiseA = pooledNoise(s, pairs, 0);
  const noiseB = pooledNoise(s, pairs, 1);
  const t = new Tally();
  for (let q = 0; q < J; q++) {
    if (ea[q] > thA && eb[q] > thB) t.add(decades(num[q] / Math.sqrt(ea[q] * eb[q])), capacity(ea[q], noiseA, eb[q], noiseB), (js ? js[q] : q) < inside);
  }
  return t.result();
}

/** Up to k positions spread over [0, split) and k over [split, N). */
function spread(split: number, N: number, k: number): Int32Array {
  const out: number[] = [];
  const runs: [number, number][] = [
    [0, split],
    [split, N],
  ];
  for (const [a, b] of runs) {
    const n = Math.min(k, b - a);
    for (let i = 0; i < n; i++) out.push(a + Math.floor((i * (b - a)) / n));
  }
  return Int32Array.from(out);
}

/**
 * Exactness of y_m[n+ℓ] against y_{m+1}[n] for every raw lag ℓ at every `stride`-th raw position n, pooled
 * over the pairs. Frame-start and window-centre conventions shift every frame alike, so this one table
 * scores all their (hop, sign, centre) hypotheses at once.
 */
class LagProfile {
  /** Decades and capacity of each (position, lag) cell; capacity 0 where untestable. */
  private readonly d: Float64Array;
  private readonly cap: Float64Array;
  readonly J: number;
  constructor(
    private readonly s: TransformSegments,
    pairs: Int32Array,
    readonly stride: number,
  ) {
    const N = s.nfft;
    const J = Math.ceil(N / stride);
    this.J = J;
    const num = new Float64Array(J * N);
    const EA = new Float64Array(N);
    const EB = new Float64Array(J);
    const y = s.y;
    for (let p = 0; p < pairs.length; p++) {
      const oa = pairs[p] * N;
      const ob = oa + N;
      for (let n = 0; n < N; n++) EA[n] += y[oa + n] * y[oa + n];
      for (let q = 0; q < J; q++) {
        const n = q * stride;
        const bn = y[ob + n];
        EB[q] += bn * bn;
        const row = q * N;
        // ℓ from 0 to N−1 reads a[n+ℓ] circularly: two straight runs.
        for (let l = 0, k = oa + n; l < N - n; l++, k++) num[row + l] += y[k] * bn;
        for (let l = N - n, k = oa; l < N; l++, k++) num[row + l] += y[k] * bn;
      }
    }
    const thA = TESTABLE_RELATIVE * max(EA);
    const thB = TESTABLE_RELATIVE * max(EB);
    const noiseA = pooledNoise(s, pairs, 0);
    const noiseB = pooledNoise(s, pairs, 1);
    this.d = new Float64Array(J * N);
    this.cap = new Float64Array(J * N);
    for (let q = 0; q < J; q++) {
      if (!(EB[q] > thB)) continue;
      const n = q * stride;
      for (let l = 0; l < N; l++) {
        const ea = EA[(n + l) % N];
        if (!(ea > thA)) continue;
        this.cap[q * N + l] = capacity(ea, noiseA, EB[q], noiseB);
        this.d[q * N + l] = decades(num[q * N + l] / Math.sqrt(ea * EB[q]));
      }
    }
  }

  /** Fit value (support − leak) of (hop, convention) for a frame-start or window-centre convention; NaN if untestable. */
  fit(hop: number, conv: Convention, centre: number): number {
    const N = this.s.nfft;
    const sg = conv.sign === '-' ? -1 : 1;
    const lag = mod(sg * hop, N);
    // Frame-start position of raw position q·stride, stepped without a division.
    let j = mod(-tau(conv.reference, 0, hop, centre, N), N);
    const step = mod(sg * this.stride, N);
    const t = new Tally();
    for (let q = 0, k = lag; q < this.J; q++, k += N) {
      t.add(this.d[k], this.cap[k], j < N - hop);
      j = wrapIndex(j + step, N);
    }
    return t.result()?.fit ?? NaN;
  }
}

export interface HopFit {
  hop: number;
  conv: Convention;
  fit: OverlapFit;
}

/**
 * Screening resolution: positions per frame for the shared lag table, positions per side of the overlap
 * for the absolute-time hypotheses, and frame pairs; the best few are then verified densely.
 */
const SCREEN_POSITIONS = 64;
const SCREEN_PER_SIDE = 16;
const SCREEN_PAIRS = 12;
const VERIFIED = 16;
const VERIFY_PER_SIDE = 128;
/**
 * An absolute-time reference moves the window's energy centre by ±hop (mod nfft) per frame: when the
 * pairs agree on that advance, absolute-time hops are screened only within ±nfft/DRIFT_WINDOW of it.
 */
const DRIFT_AGREEMENT = 0.6;
const DRIFT_WINDOW = 16;

/**
 * Every hop 1..nfft under every convention, best first: a coarse screen (sparse positions, a subset of
 * pairs), then the best VERIFIED (hop, convention) re-scored at more positions over every pair.
 */
export function screenHops(s: TransformSegments, pairs: Int32Array, centre: number): HopFit[] {
  const N = s.nfft;
  const stride = Math.max(1, Math.floor(N / SCREEN_POSITIONS));
  const sub = evenSubset(pairs, SCREEN_PAIRS);
  const profile = new LagProfile(s, sub, stride);
  const drift = measureDrift(s);
  // The centre advances by sign·hop: conjugation reverses time, so a '−' file drifts backwards.
  const near =
    drift.agreement >= DRIFT_AGREEMENT
      ? (advance: number) => Math.abs(wrap((2 * Math.PI * (advance - drift.samples)) / N)) <= (2 * Math.PI) / DRIFT_WINDOW
      : () => true;
  // The best VERIFIED of the screen, kept sorted (thousands of candidates, a dozen kept).
  const top: { hop: number; conv: Convention; value: number }[] = [];
  const offer = (hop: number, conv: Convention, value: number): void => {
    if (!(value > (top.length < VERIFIED ? -Infinity : top[top.length - 1].value))) return;
    let i = top.length;
    while (i > 0 && top[i - 1].value < value) i--;
    top.splice(i, 0, { hop, conv, value });
    if (top.length > VERIFIED) top.pop();
  };
  for (let hop = 1; hop <= N; hop++) {
    for (const conv of CONVENTIONS) {
      if (conv.reference !== 'absolute-time') offer(hop, conv, profile.fit(hop, conv, centre));
      else if (near(conv.sign === '-' ? -hop : hop)) offer(hop, conv, overlapFit(s, sub, hop, conv, centre, SCREEN_PER_SIDE)?.fit ?? NaN);
    }
  }
  const out: HopFit[] = [];
  for (const c of top) {
    const f = overlapFit(s, pairs, c.hop, c.conv, centre, VERIFY_PER_SIDE);
    if (f) out.push({ hop: c.hop, conv: c.conv, fit: f });
  }
  return out.sort((a, b) => b.fit.fit - a.fit.fit);
}

/**
 * The imprint (mean of y²/Σy² over the segments) at the frame boundary, j = 0 and nfft − 1 in
 * frame-start coordinates under a convention, relative to its mean over the frame, capped at 1. A real
 * window tapers there or ends before it (near 0); a misread convention leaves the window's middle at the
 * boundary (1). Flat (rectangular) imprints give 1 under every convention and decide nothing.
 */
export function boundaryShare(s: Segments, hop: number, conv: Convention, centre: number): number {
  const N = s.nfft;
  let edge = 0;
  for (let i = 0; i < s.count; i++) {
    const o = i * N;
    const m = s.frame[i];
    const a = s.y[o + rawIndex(0, m, hop, conv, centre, N)];
    const b = s.y[o + rawIndex(N - 1, m, hop, conv, centre, N)];
    edge += (a * a + b * b) / (2 * s.energy[i]);
  }
  // Each segment contributes 1 over the whole frame, so the imprint's mean is count/N.
  return s.count > 0 ? Math.min(1, (edge * N) / s.count) : 1;
}

/** A (hop, convention) with its overlap fit, boundary share and the value they give together. */
export interface RankedFit extends HopFit {
  boundary: number;
  /** fit − (boundary − the smallest boundary among its near-equals): what hypotheses are ranked by. */
  value: number;
}

/**
 * Fits closer than this are near-equals the boundary arbitrates: the twins below differ by a sample or
 * two of the overlap (0.01 of fit in a clean file, a few hundredths in a coarse one), while the truth
 * and any merely similar reading differ by 0.3 or more.
 */
const NEAR_EQUAL_FIT = 0.1;
/** Imprint share at the frame edge under which the segments show a real, tapering window. */
export const TAPERED = 0.3;

/**
 * Rank (hop, convention) fits by fit minus a boundary penalty. At hop ≈ nfft/2 a frame-start STFT is
 * also an exact window-centre STFT of opposite sign and hop nfft − hop (only a sample or two outside
 * the overlap differ): the window's imprint at the frame boundary tells them apart. The penalty is
 * counted only against near-equals whose window does taper at the boundary: a window that is not small
 * there (rectangular, or placed at the frame start) must not lose to a clearly worse reading that
 * happens to leave the window's silent part there, and between two flat imprints the boundary is just
 * the signal's local power (measured 0.84 against 0.90 on a rectangular twin pair), while the fit still
 * differs at the one or two positions the twins disagree on.
 */
export function rankFits(s: Segments, fits: HopFit[], centre: number): RankedFit[] {
  const withBoundary = fits.map((f) => ({ ...f, boundary: boundaryShare(s, f.hop, f.conv, centre), value: 0 }));
  for (const f of withBoundary) {
    const least = Math.min(...withBoundary.filter((o) => o.fit.fit >= f.fit.fit - NEAR_EQUAL_FIT).map((o) => o.boundary));
    f.value = f.fit.fit - (least < TAPERED ? f.boundary - least : 0);
  }
  return withBoundary.sort((a, b) => b.value - a.value);
}

/** Every convention at a known hop, ranked. */
export function rankConventions(s: TransformSegments, pairs: Int32Array, hop: number, centre: number): RankedFit[] {
  const fits: HopFit[] = [];
  for (const conv of CONVENTIONS) {
    const f = overlapFit(s, pairs, hop, conv, centre);
    if (f) fits.push({ hop, conv, fit: f });
  }
  return rankFits(s, fits, centre);
}

/** Fewer consecutive pairs than this and ρ is not meaningful. */
const MIN_PAIRS = 4;
/** Relative frame-to-frame change under which the frames are the same (a constant input). */
const MIN_CHANGE = 1e-9;

/**
 * The consecutive pairs of `s`, or why the overlap test cannot run on them: too few usable frames, or
 * frames that are all the same (a constant file, or a tone whose period divides the hop), which fit
 * every hop and convention alike.
 */
export function overlapPairs(s: Segments): Int32Array | string {
  const pairs = consecutivePairs(s);
  if (pairs.length < MIN_PAIRS) {
    return `only ${pairs.length} consecutive frame pairs usable of ${s.read} sampled frames (${s.quiet} silent, ${s.floored} on the dB floor)`;
  }
  const change = frameChange(s, pairs);
  if (!(change >= MIN_CHANGE)) return `consecutive frames are identical (relative change ${change.toExponential(1)}): no time structure to align`;
  return pairs;
}

/** Mean relative change between consecutive segments. */
function frameChange(s: Segments, pairs: Int32Array): number {
  const N = s.nfft;
  let sum = 0;
  for (let p = 0; p < pairs.length; p++) {
    const o = pairs[p] * N;
    let d = 0;
    for (let n = 0; n < N; n++) d += (s.y[o + N + n] - s.y[o + n]) ** 2;
    sum += d / s.energy[pairs[p]];
  }
  return pairs.length > 0 ? sum / pairs.length : 0;
}

/** A best value under this is no overlap at all; (value − FLOOR)/(EXACT − FLOOR) is the confidence. */
export const NO_OVERLAP = 0.5;
const VALUE_FLOOR = 0.3;
const VALUE_EXACT = 0.9;
/** Exponent turning value ratios into scores: a rival at 0.6 of the best value scores 0.017 of it. */
const SHARPNESS = 8;

/**
 * Scores for ranked values (best first): the best gets its confidence, the others fall off steeply
 * with their ratio to it, since only the true hypothesis reaches exactness 1. The confidence is scaled
 * by the precision of the best reading (its capacity over EXACT_DECADES): agreement to within coarse
 * quantisation is less decisive than agreement to round-off.
 */
export function relativeScores(values: number[], capacity: number): number[] {
  const best = values[0];
  const precision = Math.min(1, capacity / EXACT_DECADES);
  const conf = precision * Math.min(1, Math.max(0.05, (best - VALUE_FLOOR) / (VALUE_EXACT - VALUE_FLOOR)));
  return values.map((v) => Math.max(1e-3, conf * Math.max(0, v / best) ** SHARPNESS));
}

export interface PhaseAdvance {
  /** Share of strong stationary peak bins whose advance matches the hop within ±π·hop/nfft (×1.25). */
  agreement: number;
  /** The share a random phase would reach. */
  chance: number;
  bins: number;
}

/** Peaks below this fraction of their frame's largest magnitude are too weak to carry a clean phase. */
const PEAK_RELATIVE = 0.05;
/** Tolerance on |f − k/nfft| ≤ 1/(2·nfft) for the peak bin (vibrato, leakage). */
const ADVANCE_TOLERANCE = 1.25;

/**
 * The phase-vocoder witness (DESIGN.md §4.6): on a stationary partial the phase of its peak bin k
 * advances by 2π·f·hop per frame (frame-start reference), f within 1/(2·nfft) of k/nfft; an
 * absolute-time reference subtracts 2πk·hop/nfft, a conjugated phase flips the sign. Returns how often
 * the advance fits the (hop, convention), against the chance rate.
 */
export function phaseAdvance(evidence: Evidence, c: TransformInput, hop: number, conv: Convention): PhaseAdvance {
  const N = c.nfft;
  const half = Math.min(c.bins, Math.floor((N - 1) / 2));
  const sg = conv.sign === '-' ? -1 : 1;
  const abs = conv.reference === 'absolute-time' ? 1 : 0;
  const limit = Math.PI * (hop / N) * ADVANCE_TOLERANCE;
  let agree = 0;
  let total = 0;
  for (const m0 of sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS)) {
    const n = Math.min(BLOCK_LENGTH, c.frames - m0);
    const b = evidence.decodedFrames(c, m0, n);
    for (let i = 0; i + 1 < n; i++) {
      const o = i * c.bins;
      const o2 = o + c.bins;
      let peak = 0;
      for (let k = 0; k < half; k++) if (b.magnitude[o + k] > peak) peak = b.magnitude[o + k];
      for (let k = 1; k + 1 < half; k++) {
        const a = b.magnitude[o + k];
        if (!(a > peak * PEAK_RELATIVE) || a < b.magnitude[o + k - 1] || a < b.magnitude[o + k + 1]) continue;
        const a2 = b.magnitude[o2 + k];
        if (a2 < b.magnitude[o2 + k - 1] || a2 < b.magnitude[o2 + k + 1]) continue;
        const heterodyne = (2 * Math.PI * k * hop) / N;
        const d = Math.atan2(b.im[o2 + k], b.re[o2 + k]) - Math.atan2(b.im[o + k], b.re[o + k]);
        total++;
        if (Math.abs(wrap(sg * d + abs * heterodyne - heterodyne)) <= limit) agree++;
      }
    }
  }
  return { agreement: total > 0 ? agree / total : 0, chance: Math.min(1, (ADVANCE_TOLERANCE * hop) / N), bins: total };
}

export interface DcShare {
  /** Share of the tested frames whose DC (and Nyquist) phase is 0 or ±π. */
  share: number;
  /** Sampled frames with a DC cell loud enough to judge. */
  tested: number;
  nyquist: boolean;
}

/**
 * How often the DC (and Nyquist) cells of the sampled blocks are real, as a real signal's are under
 * every phase convention (DESIGN.md 4.3): ~100 % for a true STFT, ~1 % for random phase. The same
 * blocks as the segments, so the decoded frames come from the evidence's cache.
 */
export function dcRealShare(evidence: Evidence, c: TransformInput): DcShare {
  const realBins = realBinsOf(c.nfft, c.bins, c.sided);
  let tested = 0;
  let hits = 0;
  for (const m0 of sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS)) {
    const n = Math.min(BLOCK_LENGTH, c.frames - m0);
    // The decoder gives the phase of a phase file and of a complex file alike; magnitudes alone have none.
    const { phase, magnitude } = evidence.decodedFrames(c, m0, n);
    if (!phase) continue;
    const dc = dcPhaseStructure(phase, magnitude, n, c.bins, realBins);
    tested += dc.tested;
    if (dc.tested > 0) hits += dc.fraction * dc.tested;
  }
  return { share: tested > 0 ? hits / tested : Number.NaN, tested, nyquist: realBins.length > 1 };
}

export const dcText = (dc: DcShare): string => `DC${dc.nyquist ? '/Nyquist' : ''} phase on 0/±π in ${pct(dc.share)} of ${dc.tested} sampled frames`;

/** Formatting for reasons and metrics. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
export const round4 = (x: number): number => Number(x.toPrecision(4));

function tau(ref: PhaseReference, m: number, hop: number, centre: number, N: number): number {
  if (ref === 'frame-start') return 0;
  if (ref === 'window-centre') return mod(-centre, N);
  return mod(m * hop, N);
}

function evenSubset(a: Int32Array, k: number): Int32Array {
  if (a.length <= k) return a;
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) out[i] = a[Math.floor((i * a.length) / k)];
  return out;
}

function max(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** a mod n for a in (−n, 2n): the hot loops' index wrap without a division. */
function wrapIndex(a: number, n: number): number {
  return a < 0 ? a + n : a >= n ? a - n : a;
}

function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

function wrap(x: number): number {
  return x - 2 * Math.PI * Math.round(x / (2 * Math.PI));
}
