import { type Evidence, sampleBlockStarts, type Which } from '../../src/analysis/evidence.js';
import type { Dtype, FileStorage, PartialStftConfig } from '../../src/config/types.js';
import type { MatrixShape } from '../../src/decode/frames.js';

/**
 * Shared by the 'values' stage analyzers (magnitude scale, phase unit): sampled reads of stored values
 * and the order statistics they are judged by. Everything here works on stored (undecoded) numbers.
 */

/** A complete FileStorage from a partial one (variable defaults to null), or null when a field is unknown. */
export function completeStorage(s: Partial<FileStorage> | null | undefined): FileStorage | null {
  if (!s || s.format === undefined || s.dtype === undefined || s.endian === undefined || s.headerBytes === undefined) {
    return null;
  }
  return { format: s.format, dtype: s.dtype, endian: s.endian, headerBytes: s.headerBytes, variable: s.variable ?? null };
}

/** The matrix shape when frames, bins and layout are fixed (with the bin order once it is decided). */
export function shapeOf(c: PartialStftConfig): MatrixShape | null {
  if (c.frames === undefined || c.bins === undefined || c.layout === undefined) return null;
  return { frames: c.frames, bins: c.bins, layout: c.layout, binOrder: c.binOrder };
}

/** Step between representable values of an integer dtype (1); 0 for floating types. */
export function quantumOf(d: Dtype): number {
  return /^u?int/.test(d) ? 1 : 0;
}

/** Blocks of consecutive frames read from one file, concatenated frame-major. */
export interface SampledFrames {
  /** blockCount·blockLength·bins stored values, block after block. */
  values: Float64Array;
  bins: number;
  blockLength: number;
  blockCount: number;
}

/**
 * Read `blocks` blocks of `blockLength` consecutive frames spread over the file (sampleBlockStarts): the
 * statistics below need a few tens of thousands of cells, never the whole file.
 */
export function sampleFrames(
  evidence: Evidence,
  which: Which,
  storage: FileStorage,
  shape: MatrixShape,
  blockLength: number,
  blocks: number,
  modulus = false,
): SampledFrames {
  const len = Math.min(blockLength, shape.frames);
  const starts = sampleBlockStarts(shape.frames, len, blocks);
  const per = len * shape.bins;
  const values = new Float64Array(starts.length * per);
  starts.forEach((m0, i) => values.set(evidence.storedFrames(which, storage, shape, m0, len, modulus), i * per));
  return { values, bins: shape.bins, blockLength: len, blockCount: starts.length };
}

/**
 * Spread integer-quantised values over their rounding cell (in place): order statistics of values on
 * a grid are ties, and the tail estimators below need a continuous sample. The offsets follow the
 * golden-ratio sequence, so each level's cells (contiguous once sorted) fill their cell evenly and the
 * result is deterministic.
 */
export function dequantise(v: Float64Array, quantum: number): void {
  if (quantum <= 0) return;
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < v.length; i++) v[i] += (((i * phi) % 1) - 0.5) * quantum;
}

/** A pile of cells on the minimum value: a clipped floor (dB top_db, amin) or exact zeros. */
export interface Plateau {
  value: number;
  /** Cells on it. */
  count: number;
  /** Cells on the next representable level above it (integer data) or -1 (floats). */
  next: number;
}

/**
 * The minimum of an ascending sample when it is a plateau: a continuous distribution puts one cell on
 * its minimum, a clip puts many. Integer data ties everywhere, so there the minimum level must also
 * hold several times the cells of the level above (the tail pile-up of everything clipped).
 */
export function plateauAtMin(sorted: Float64Array, quantum: number): Plateau | null {
  const n = sorted.length;
  if (n === 0) return null;
  const lo = sorted[0];
  const tol = quantum > 0 ? quantum / 2 : Math.max(Math.abs(lo) * 1e-7, 1e-300);
  let count = 0;
  while (count < n && sorted[count] <= lo + tol) count++;
  // Floats: a handful of exact ties on the minimum is already a clip; integers need the pile-up test.
  if (count < (quantum > 0 ? 8 : 4) || count < 1e-4 * n || count === n) return null;
  if (quantum === 0) return { value: lo, count, next: -1 };
  // An exponential tail of rate β per step holds e^{-β} as many cells on its lowest level as on the
  // next (≈ 0.8 for dB); a clip at level L holds all the mass below it: 1/(e^β − 1) ≈ 3.3 times.
  let next = 0;
  while (count + next < n && sorted[count + next] <= lo + quantum + tol) next++;
  return count >= 1.5 * next ? { value: lo, count, next } : null;
}

/** Lower-tail fit of an ascending sample: F(u) ∝ e^{β u} near the bottom. */
export interface TailFit {
  /** Rate β from the `k` lowest values (left-censored cells included as such). */
  rate: number;
  /** Rate from the k/8 lowest: equals `rate` when the tail really is exponential in this domain. */
  deepRate: number;
  k: number;
  /** ln(deepRate / rate): 0 in the right domain, > 0 when the sample is a power of the right one. */
  drift: number;
}

/**
 * Exponential lower-tail MLE with left censoring: `sorted` holds the uncensored values ascending and
 * `censored` cells lie at or below `floor` (a clip). β = k / (c·(T − floor) + Σ(T − u_i)), T the
 * (k+1)-th value. Used in two domains: stored values (log scales: u = a·ln|X| + b, rate 2/a) and their
 * logarithm (power laws: ln v = p·ln|X| + c, rate 2/p), because near its zeros a complex STFT has
 * P(|X| < r) ∝ r² whatever the signal, window or hop (zeros of a 2-D field are isolated points).
 */
export function lowerTailFit(sorted: Float64Array, fraction: number, censored = 0, floor = 0): TailFit | null {
  const n = sorted.length + censored;
  const k = Math.min(sorted.length - 1, Math.max(64, Math.round(n * fraction) - censored));
  if (k < 64) return null;
  const rate = exponentialTailRate(sorted, k, censored, floor);
  if (!(rate > 0 && rate < Infinity)) return null;
  // The deep estimate is only meaningful without censoring (with it, the deep cells are the floor).
  const kDeep = Math.max(24, Math.round(k / 8));
  const deepRate = censored > 0 ? rate : exponentialTailRate(sorted, kDeep);
  const drift = deepRate > 0 && deepRate < Infinity ? Math.log(deepRate / rate) : 0;
  return { rate, deepRate, k, drift };
}

/**
 * The MLE of an exponential lower tail from the k lowest values of an ascending sample, below the
 * (k+1)-th value T, with `censored` cells at `floor`: k / (c·(T − floor) + Σ(T − u_i)).
 */
export function exponentialTailRate(sorted: ArrayLike<number>, k: number, censored = 0, floor = 0): number {
  const t = sorted[k];
  let s = censored * (t - floor);
  for (let i = 0; i < k; i++) s += t - sorted[i];
  return k / s;
}

/**
 * Tail fit above a floor atom of `count` cells at `floor` (below every value of `sorted`): censored
 * when the floor is contiguous with the tail (a top_db clip inside it), ignored when it lies apart,
 * more than three tail scales (and two integer codes) below the lowest value (digital silence clipped
 * at a deep amin).
 */
export function tailAboveFloor(
  sorted: Float64Array,
  fraction: number,
  floor: number | null,
  count: number,
  quantum = 0,
): { fit: TailFit | null; contiguous: boolean } {
  const plain = lowerTailFit(sorted, fraction);
  if (floor === null || count === 0 || sorted.length === 0) return { fit: plain, contiguous: false };
  // Integer data: the level right above the floor is one code up, however steep the tail looks there.
  const gap = sorted[0] - floor;
  if (plain && gap > 2 * quantum && gap * plain.rate > 3) return { fit: plain, contiguous: false };
  return { fit: lowerTailFit(sorted, fraction, count, floor), contiguous: true };
}

/** Pearson correlation of x[i] and x[i+step] over pairs accepted by `pair(i)`. */
export function lagCorrelation(x: Float64Array, step: number, pair: (i: number) => boolean): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i + step < x.length; i++) {
    if (!pair(i)) continue;
    const a = x[i];
    const b = x[i + step];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    n++;
    sa += a;
    sb += b;
    saa += a * a;
    sbb += b * b;
    sab += a * b;
  }
  if (n < 16) return 0;
  const va = saa / n - (sa / n) ** 2;
  const vb = sbb / n - (sb / n) ** 2;
  return va > 0 && vb > 0 ? (sab / n - (sa / n) * (sb / n)) / Math.sqrt(va * vb) : 0;
}

/** Short number for reasons: 3 significant digits, no exponent for ordinary magnitudes. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}
