import { decodingKey, type Evidence, EvidenceCache, sampleBlockStarts } from '../../src/analysis/evidence.js';
import type { PhaseReference } from '../../src/config/types.js';
import { storageNoise } from './storage-noise.js';
import { BLOCK_LENGTH, BLOCKS, type Convention, type TransformInput } from './transform-input.js';
import { collectSegments, type Segments } from './window-imprint.js';

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
 * against the decades its noise allows (see capacity and storage-noise.ts).
 */

/** Segments with the relative noise power ε² their storage implies (storage-noise.ts). */
export interface TransformSegments extends Segments {
  noise: number;
}

const segmentCache = new EvidenceCache<TransformSegments>();

/**
 * Raw segments (inverse FFT of the stored frames, no convention undone) of sampled interior blocks,
 * shared by the transform analyzers of one evidence and decodable config.
 */
export function rawSegments(evidence: Evidence, c: TransformInput): TransformSegments {
  return segmentCache.get(evidence, `${decodingKey(c)}|${c.nfft}|${c.sided}`, () => {
    const noise = storageNoise(evidence, c, sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS), BLOCK_LENGTH);
    return { ...collectSegments(evidence, { ...c, phaseSign: '+' }, BLOCK_LENGTH, BLOCKS), noise };
  });
}

/** Index in the raw segment of frame m that holds frame-start sample j under a convention. */
export function rawIndex(j: number, m: number, hop: number, conv: Convention, centre: number, N: number): number {
  // stored = conj(referenced spectrum): the reference shifts by τ, conjugation then reverses time.
  const n = j + tau(conv.reference, m, hop, centre, N);
  return mod(conv.sign === '-' ? -n : n, N);
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
export const TESTABLE_RELATIVE = 1e-6;
/** Fewer tested positions inside the overlap than this and the fit is not measured. */
const MIN_INSIDE = 3;
/** Decades of agreement that count as exact in a clean file: ρ = 1 − 10^−4. */
export const EXACT_DECADES = 4;

/**
 * How exactly ρ reaches ±1, in decades of 1 − |ρ|. The shared samples give ρ = 1 to round-off, while
 * merely similar ones (a sustained note one period away, a neighbouring lag of a low-pass signal) give
 * 0.5–0.95: on a log scale of 1 − ρ the two are far apart, on a linear one they are not. ρ is −1 where a
 * window with negative lobes (scipy's flattop) changes sign across the hop, and just as exact; but a
 * steady tone half a period away is −0.99 too, so a negative ρ counts only its decades beyond
 * NEGATIVE_DISCOUNT (taken as they came, they let tonal files keep three times the readings: analyze
 * 3.5 → 5.0 s on a 30 s pair of tones).
 */
function decades(r: number): number {
  if (r >= 0) return -Math.log10(Math.max(1 - r, 1e-12));
  return Math.max(0, -Math.log10(Math.max(1 + r, 1e-12)) - NEGATIVE_DISCOUNT);
}

/** Decades a negative correlation gives up (see decades). */
const NEGATIVE_DISCOUNT = 2;

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
 * The samples one (hop, convention) says consecutive frames share, pair by pair: a[q·P + p] = y_m[j+hop]
 * and b[q·P + p] = y_{m+1}[j] (frame-start coordinates, m the first frame of pair p) at the q-th tested
 * position j = js[q], inside the predicted overlap [0, nfft − hop) when inside[q]. Column-major, so a
 * position's values over the pairs are contiguous.
 */
export interface PairSamples {
  a: Float64Array;
  b: Float64Array;
  /** Pairs P and tested positions J. */
  P: number;
  J: number;
  inside: Uint8Array;
}

/**
 * Gather the pair samples of one (hop, convention) at every position j, or at `perSide` positions spread
 * over each of the predicted overlap [0, nfft − hop) and the rest (a cheap screen that still tests hops
 * near nfft). `centre` is the window-centre roll.
 */
export function pairSamples(
  s: TransformSegments,
  pairs: Int32Array,
  hop: number,
  conv: Convention,
  centre: number,
  perSide?: number,
  into?: PairScratch,
): PairSamples {
  const N = s.nfft;
  const split = Math.max(0, N - hop);
  const js = perSide === undefined ? null : spread(split, N, perSide);
  const J = js ? js.length : N;
  const P = pairs.length;
  // Every cell is written below: a reused buffer needs no clearing.
  if (into && into.a.length < J * P) {
    into.a = new Float64Array(J * P);
    into.b = new Float64Array(J * P);
  }
  const a = into ? into.a.subarray(0, J * P) : new Float64Array(J * P);
  const b = into ? into.b.subarray(0, J * P) : new Float64Array(J * P);
  const y = s.y;
  const sg = conv.sign === '-' ? -1 : 1;
  for (let p = 0; p < P; p++) {
    const i = pairs[p];
    const m = s.frame[i];
    const oa = i * N;
    const ob = oa + N;
    // Raw index of frame-start sample j is sg·(j + τ) (mod N): both frames step alike.
    const ta = rawIndex(hop, m, hop, conv, centre, N);
    const tb = rawIndex(0, m + 1, hop, conv, centre, N);
    for (let q = 0; q < J; q++) {
      const d = sg * (js ? js[q] : q);
      a[q * P + p] = y[oa + wrapIndex(ta + d, N)];
      b[q * P + p] = y[ob + wrapIndex(tb + d, N)];
    }
  }
  const inside = new Uint8Array(J);
  for (let q = 0; q < J; q++) inside[q] = (js ? js[q] : q) < split ? 1 : 0;
  return { a, b, P, J, inside };
}

/** Buffers pairSamples may fill instead of allocating (grown as needed); the caller reads them before the next call. */
export interface PairScratch {
  a: Float64Array;
  b: Float64Array;
}

/** overlapFit's pair samples: it is called for every (hop, convention) and is done with them when it returns. */
const fitScratch: PairScratch = { a: new Float64Array(0), b: new Float64Array(0) };

/**
 * Score one (hop, convention): exactness of the correlation of y_m[j+hop] and y_{m+1}[j] over the pairs
 * at the positions pairSamples tests. Null when too few positions can be tested.
 */
export function overlapFit(s: TransformSegments, pairs: Int32Array, hop: number, conv: Convention, centre: number, perSide?: number): OverlapFit | null {
  const x = pairSamples(s, pairs, hop, conv, centre, perSide, fitScratch);
  const num = new Float64Array(x.J);
  const ea = new Float64Array(x.J);
  const eb = new Float64Array(x.J);
  for (let q = 0; q < x.J; q++) {
    for (let p = q * x.P, end = p + x.P; p < end; p++) {
      num[q] += x.a[p] * x.b[p];
      ea[q] += x.a[p] * x.a[p];
      eb[q] += x.b[p] * x.b[p];
    }
  }
  return positionExactness(s, pairs, { num, ea, eb, inside: x.inside });
}

/** Pooled Σab, Σa², Σb² over the pairs at each tested position, and whether it lies in the predicted overlap. */
export interface PooledPositions {
  num: Float64Array;
  ea: Float64Array;
  eb: Float64Array;
  inside: Uint8Array;
}

/** The overlap fit of pooled position statistics: each position's exactness against its capacity, tallied. */
export function positionExactness(s: TransformSegments, pairs: Int32Array, x: PooledPositions): OverlapFit | null {
  const thA = TESTABLE_RELATIVE * max(x.ea);
  const thB = TESTABLE_RELATIVE * max(x.eb);
  const noiseA = pooledNoise(s, pairs, 0);
  const noiseB = pooledNoise(s, pairs, 1);
  const t = new Tally();
  for (let q = 0; q < x.num.length; q++) {
    const { ea, eb } = x;
    if (ea[q] > thA && eb[q] > thB) t.add(decades(x.num[q] / Math.sqrt(ea[q] * eb[q])), capacity(ea[q], noiseA, eb[q], noiseB), x.inside[q] === 1);
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
export class LagProfile {
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

function tau(ref: PhaseReference, m: number, hop: number, centre: number, N: number): number {
  if (ref === 'frame-start') return 0;
  if (ref === 'window-centre') return mod(-centre, N);
  return mod(m * hop, N);
}

export function evenSubset(a: Int32Array, k: number): Int32Array {
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
