import type { Detrend } from '../../src/config/types.js';
import {
  type OverlapFit,
  overlapFit,
  pairSamples,
  type PairSamples,
  positionExactness,
  TESTABLE_RELATIVE,
  type TransformSegments,
} from './overlap-exactness.js';
import type { Convention } from './transform-input.js';

/**
 * The overlap test (overlap-exactness.ts) for segments whose maker removed a trend before windowing
 * (scipy `spectrogram`'s default `detrend='constant'`, or 'linear'). Frame m then holds w·(x − μ_m − s_m·n),
 * so at a shared position j pair p gives a_p = α_j·(x_p − μ_p − …) and b_p = β_j·(x_p − ν_p − …):
 * b_j = r_j·a_j + β_j·(d + j·e) over the pairs, with d, e one vector each for the whole overlap. The
 * plain correlation of a_j and b_j then misses exactness by the trends' share of the signal (measured
 * 0.46 and 0.66 of fit on scipy's own files at hop 224/256 and 32/128, under the no-overlap line at the
 * first). Projecting the unknown trend vectors out of every position (their span is fitted by
 * alternating least squares over the overlap) restores it to round-off, while a wrong hop gains nothing
 * from them: measured ≤ 0.09 next to the truth, 0 elsewhere, as without the trend.
 */

/** A (hop, convention) with its overlap fit and the trend projected out of the segment pairs to get it. */
export interface HopFit {
  hop: number;
  conv: Convention;
  fit: OverlapFit;
  trend: Detrend;
}

/** How a fit was measured when each pair's trend had to be projected out first. */
export function trendText(trend: Detrend): string {
  return trend === 'none' ? '' : ` once each frame pair's ${trend} trend is projected out (segments detrended before windowing)`;
}

/**
 * Exactness inside the overlap (support) at or above this is exact: when a plain reading reaches it no
 * trend is looked for, so files whose segments were not detrended keep the plain test exactly (the
 * truth reaches 1.00 there, in coarse files too).
 */
const EXACT_FIT = 0.9;
/** A trend model must beat the plain fit by this much to be preferred (it has more unknowns). */
const MODEL_GAIN = 0.05;
/** Alternating least-squares rounds: 3 already converge on scipy's files; a couple more for safety. */
const ROUNDS = 5;
/**
 * Pairs beyond the trend unknowns needed: each fitted direction takes one pair's worth of freedom, and
 * with 8 left a smooth signal's neighbouring samples came within 0.73 of exact.
 */
const FREE_PAIRS = 12;
/**
 * Overlap positions needed per trend vector: over a few positions any locally smooth pair of segments
 * is a line plus one shared shape, which two fitted vectors make exact.
 */
const POSITIONS_PER_TREND = 6;
/**
 * Support the same trend model may reach one sample either side of the hop. Shared samples single out
 * their hop: on scipy's files the neighbours reach 0.04–0.08 (0.43 on a slow synthetic sinusoid), while
 * a block FFT read under a wrong magnitude scale, where the model merely follows the segments' smooth
 * edges, came out exact at hops 241–251 alike.
 */
const NEIGHBOUR_SUPPORT = 0.6;
/**
 * Plain support under which a reading shows no sign of shared samples and is not re-fitted: a removed
 * trend leaves the truth's samples agreeing in part (0.17–0.89 measured, scipy's files and synthetic
 * ones), while the search's many wrong readings (scales, units) show none; re-fitting them all doubled
 * the e2e grid's time.
 */
const MIN_PLAIN_SUPPORT = 0.1;

const ORDERS: readonly { trend: Detrend; order: number }[] = [
  { trend: 'constant', order: 1 },
  { trend: 'linear', order: 2 },
];

/**
 * Overlap fits of (hop, convention) readings, plain; when none is exact inside its overlap, each reading
 * takes the simplest trend model (constant, then linear) that makes it exact there, not one sample
 * either side, and gains MODEL_GAIN of fit. Exactness inside (support), not the fit, decides: a smooth signal leaves some agreement
 * outside the overlap too (leak 0.13–0.16 on a slow sinusoid), which lowers the fit of the truth alike.
 */
export function overlapFits(
  s: TransformSegments,
  pairs: Int32Array,
  readings: readonly { hop: number; conv: Convention }[],
  centre: number,
  perSide?: number,
): HopFit[] {
  // Beam states that differ only in fields this test does not read (window, scale twins of one
  // decoding) ask it again: centring ran 38 times on a 30 s pair, each refitting the same trend.
  let memo = fitMemo.get(s);
  if (!memo) fitMemo.set(s, (memo = new Map()));
  const key = `${centre}|${perSide}|${pairsKey(pairs)}|${readings.map((r) => `${r.hop}${r.conv.reference}${r.conv.sign}`).join(',')}`;
  let fits = memo.get(key);
  if (!fits) memo.set(key, (fits = computeFits(s, pairs, readings, centre, perSide)));
  // A copy: callers sort their list.
  return [...fits];
}

/** overlapFits per segments (shared per evidence and decoding by rawSegments), by everything else it reads. */
const fitMemo = new WeakMap<TransformSegments, Map<string, HopFit[]>>();

/** The pair list as a key (callers pass all pairs or an even subset: a few hundred indices). */
const pairsKey = (pairs: Int32Array): string => pairs.join(' ');

function computeFits(
  s: TransformSegments,
  pairs: Int32Array,
  readings: readonly { hop: number; conv: Convention }[],
  centre: number,
  perSide: number | undefined,
): HopFit[] {
  const out: HopFit[] = [];
  for (const { hop, conv } of readings) {
    const f = overlapFit(s, pairs, hop, conv, centre, perSide);
    if (f) out.push({ hop, conv, fit: f, trend: 'none' });
  }
  if (out.some((f) => f.fit.support >= EXACT_FIT)) return out;
  return readings
    .map(({ hop, conv }) => {
      const plain = out.find((f) => f.hop === hop && f.conv === conv);
      if (!plain || plain.fit.support < MIN_PLAIN_SUPPORT) return plain;
      const x = pairSamples(s, pairs, hop, conv, centre, perSide);
      for (const { trend, order } of ORDERS) {
        const f = detrendedFit(s, pairs, x, order);
        // Only exactness that singles out the hop is evidence of a trend: unknowns fitted per pair bring
        // merely similar samples part of the way (0.73 at hop 223 of a 256 block FFT) or all the way.
        if (!f || f.support < EXACT_FIT || !(f.fit > plain.fit.fit + MODEL_GAIN)) continue;
        const neighbours = [hop - 1, hop + 1].filter((h) => h >= 1 && h < s.nfft);
        const rivals = neighbours.map((h) => detrendedFit(s, pairs, pairSamples(s, pairs, h, conv, centre, perSide), order)?.support ?? 0);
        if (rivals.every((r) => r < NEIGHBOUR_SUPPORT)) return { hop, conv, fit: f, trend };
      }
      return plain;
    })
    .filter((f): f is HopFit => f !== undefined);
}

/**
 * The overlap fit of pair samples with the best `order` trend vectors (over the pairs) projected out of
 * every position: the partial correlation of a_j and b_j given them. The vectors span the residuals
 * b_j − r_j·a_j over the overlap; r_j and the span are refined in turn. Null when too few pairs or
 * positions remain free of the fitted unknowns.
 */
function detrendedFit(s: TransformSegments, pairs: Int32Array, x: PairSamples, order: number): OverlapFit | null {
  const { a, b, P, J } = x;
  if (P < order + FREE_PAIRS) return null;
  const ea = columnEnergy(a, P, J);
  const eb = columnEnergy(b, P, J);
  const thA = TESTABLE_RELATIVE * Math.max(...ea);
  const thB = TESTABLE_RELATIVE * Math.max(...eb);
  const cols: number[] = [];
  for (let q = 0; q < J; q++) if (x.inside[q] && ea[q] > thA && eb[q] > thB) cols.push(q);
  if (cols.length < POSITIONS_PER_TREND * order) return null;
  const basis = new Basis(P, order);
  const ratio = new Float64Array(J);
  const ra = new Float64Array(P);
  const rb = new Float64Array(P);
  const residual = cols.map(() => new Float64Array(P));
  for (let round = 0; round < ROUNDS; round++) {
    cols.forEach((q, c) => {
      basis.project(a, q * P, ra);
      basis.project(b, q * P, rb);
      const aa = dot(ra, ra);
      ratio[q] = aa > 0 ? dot(ra, rb) / aa : 0;
      const res = residual[c];
      for (let p = 0; p < P; p++) res[p] = b[q * P + p] - ratio[q] * a[q * P + p];
    });
    basis.refine(residual);
  }
  const num = new Float64Array(J);
  const pa = new Float64Array(J);
  const pb = new Float64Array(J);
  for (let q = 0; q < J; q++) {
    basis.project(a, q * P, ra);
    basis.project(b, q * P, rb);
    num[q] = dot(ra, rb);
    pa[q] = dot(ra, ra);
    pb[q] = dot(rb, rb);
  }
  return positionExactness(s, pairs, { num, ea: pa, eb: pb, inside: x.inside });
}

/** An orthonormal basis of `order` vectors over the pairs, refined toward the span of given columns. */
class Basis {
  private readonly u: Float64Array[];
  constructor(
    private readonly P: number,
    order: number,
  ) {
    // Any start that is not orthogonal to the trends converges; distinct slow sinusoids are not.
    this.u = Array.from({ length: order }, (_, k) => Float64Array.from({ length: P }, (_, p) => Math.sin(1.7 * (k + 1) * p + 0.3)));
    this.orthonormalise();
  }

  /** out = v[o .. o+P) with the basis projected out. */
  project(v: Float64Array, o: number, out: Float64Array): void {
    for (let p = 0; p < this.P; p++) out[p] = v[o + p];
    for (const u of this.u) {
      const d = dot(u, out);
      for (let p = 0; p < this.P; p++) out[p] -= d * u[p];
    }
  }

  /** Two subspace-iteration steps toward the leading left singular vectors of the columns. */
  refine(cols: Float64Array[]): void {
    for (let step = 0; step < 2; step++) {
      for (let k = 0; k < this.u.length; k++) {
        const next = new Float64Array(this.P);
        for (const v of cols) {
          const d = dot(v, this.u[k]);
          for (let p = 0; p < this.P; p++) next[p] += d * v[p];
        }
        this.u[k] = next;
      }
      this.orthonormalise();
    }
  }

  private orthonormalise(): void {
    for (let k = 0; k < this.u.length; k++) {
      const v = this.u[k];
      for (let l = 0; l < k; l++) {
        const d = dot(v, this.u[l]);
        for (let p = 0; p < this.P; p++) v[p] -= d * this.u[l][p];
      }
      const n = Math.sqrt(dot(v, v));
      // A degenerate direction (no residual left) contributes nothing: zero it rather than divide by 0.
      for (let p = 0; p < this.P; p++) v[p] = n > 0 ? v[p] / n : 0;
    }
  }
}

function columnEnergy(v: Float64Array, P: number, J: number): Float64Array {
  const e = new Float64Array(J);
  for (let q = 0; q < J; q++) for (let p = q * P, end = p + P; p < end; p++) e[q] += v[p] * v[p];
  return e;
}

function dot(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d;
}
