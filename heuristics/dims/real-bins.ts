import { sampleBlockStarts } from '../../src/analysis/evidence.js';
import { componentDtype } from '../../src/io/dtype.js';
import { type BinOrder, type Dtype, type Layout, orderFitsSided } from '../../src/config/types.js';
import { dcIndex } from '../../src/decode/bin-order.js';
import type { ValueSource } from '../../src/io/source.js';
import type { Transform } from '../shared/stft-shapes.js';

/**
 * The dims analyzer's phase test (DESIGN 4.3): the DC/Nyquist bins whose phase is exactly 0 or ±bound,
 * read at period `bins` in a frame-major stream, as runs of `frames` values in a bin-major one, plus
 * Hermitian symmetry for two-sided spectra and the real runs at a stream's ends.
 */

/** Points closer than this share one read: a read costs a syscall and a view, a value a few ns. */
const POINT_SPAN = 512;

/** Stored values of a source at ascending positions, nearby ones read together. */
export function readPoints(src: ValueSource, idx: readonly number[], re: Float64Array, im: Float64Array): void {
  const r = new Float64Array(Math.min(POINT_SPAN, src.length));
  const i1 = new Float64Array(src.complex ? r.length : 0);
  for (let j = 0; j < idx.length;) {
    let k = j;
    while (k + 1 < idx.length && idx[k + 1] >= idx[k] && idx[k + 1] - idx[j] < POINT_SPAN) k++;
    const start = idx[j];
    src.read(start, idx[k] - start + 1, r, src.complex ? i1 : undefined);
    for (let t = j; t <= k; t++) {
      re[t] = r[idx[t] - start];
      im[t] = src.complex ? i1[idx[t] - start] : 0;
    }
    j = k + 1;
  }
}

/**
 * The test for "this bin is real": for a complex source, im ≈ 0 next to re; for a phase stream, the
 * value 0 or ±c for a bound c of a phase unit (π, 180, 0.5, integer full scale), or the most repeated
 * extreme of the sampled values (any other scale). Tolerances follow the stored precision.
 */
export interface RealBinTest {
  isReal(re: number, im: number): boolean;
  /**
   * Real to the FFT's round-off rather than the storage's: a bin far below its frame's peak carries the
   * frame's round-off in its phase (a reflect-padded edge frame under torch.kaiser_window's β 12, whose
   * weak bins miss the storage test in most of the frame). Random phases pass it 0.1 % of the time.
   */
  isRoughlyReal(re: number, im: number): boolean;
  describe: string;
}

/** Relative tolerance of isRoughlyReal. */
const ROUND_OFF = 1e-3;

export function realBinTest(dtype: Dtype, complex: boolean, sample: Float64Array): RealBinTest {
  const comp = componentDtype(dtype);
  const rel = comp === 'float16' ? 2e-3 : comp === 'float32' ? 2e-6 : comp === 'float64' ? 1e-9 : 0;
  if (complex) {
    const tol = Math.max(rel, 1e-6);
    return {
      isReal: (re, im) => Math.abs(im) <= tol * Math.abs(re),
      isRoughlyReal: (re, im) => Math.abs(im) <= Math.max(tol, ROUND_OFF) * Math.abs(re),
      describe: 'imaginary part 0',
    };
  }
  const bits = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32 }[comp as string];
  const bounds = new Set<number>(bits ? [2 ** (bits - 1), 2 ** (bits - 1) - 1] : [Math.PI, 180, 0.5]);
  let maxAbs = 0;
  for (const v of sample) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  let atMax = 0;
  for (const v of sample) if (Math.abs(v) === maxAbs) atMax++;
  // Float values whose extreme is no unit's bound are unwrapped phase (np.unwrap; radians unwrapped to
  // 150 too): a real bin then sits on a multiple of the bound, to the value's own precision.
  const unwrapped = !bits && maxAbs > 1.01 * Math.min(...bounds) && ![...bounds].some((b) => Math.abs(maxAbs - b) <= 0.01 * b);
  // Another scale (degrees·100, a custom period): its bound shows up as an exactly repeated extreme.
  if (maxAbs > 0 && atMax >= 3) bounds.add(maxAbs);
  const list = [...bounds];
  const scale = Math.max(1, ...list.filter((b) => b <= maxAbs * 1.01));
  const within = (r: number) => (v: number) => {
    const a = Math.abs(v);
    if (a <= r * scale) return true;
    for (const b of list) if (Math.abs(a - b) <= r * b) return true;
    if (unwrapped) for (const b of list) if (Math.abs(a - Math.round(a / b) * b) <= r * a) return true;
    return false;
  };
  // Integer phase codes are exact or not: no looser reading of them.
  const rough = bits ? within(rel) : within(Math.max(rel, ROUND_OFF));
  return {
    isReal: within(rel),
    isRoughlyReal: rough,
    describe: `phase ∈ {0, ±${[...new Set(list.map((b) => +b.toPrecision(6)))].join(', ±')}}`,
  };
}

export interface Shape {
  frames: number;
  bins: number;
  layout: Layout;
}

/** Stream index of matrix cell (frame m, bin k). */
export function cellIndex(s: Shape, m: number, k: number): number {
  return s.layout === 'frame-major' ? m * s.bins + k : k * s.frames + m;
}

/** Which columns are real in (nearly) every non-silent sampled frame, and how sure that is. */
export interface RealColumns {
  /** Bins whose values passed the real-bin test in ≥ 90 % of the non-silent sampled frames. */
  real: number[];
  /** Bins real in ≥ 50 % of them: a lenient reading for a quick screen on few frames. */
  likely: number[];
  /** Bins that were checked (all for frame-major, a spread sample for bin-major). */
  checked: number;
  /** Non-silent frames the rates are over. */
  frames: number;
  /** Real rate of the likeliest DC column (first, last, or middle under the bin orders: dcColumns). */
  dcRate: number;
  /** Mean rate over the checked bins that are not real (what chance gives). */
  background: number;
  /**
   * Bins real in a quarter to 90 % of the frames: a true shape has none (bins are real always or by
   * chance); a wrong one that half-overlaps a real run of the true layout does.
   */
  partial: number;
}

/** Bins to check when not all can be read: the ends, the middle and a spread of others. */
function checkedBins(bins: number): number[] {
  const h = Math.floor(bins / 2);
  const set = new Set<number>([0, 1, 2, 3, h - 1, h, h + 1, bins - 4, bins - 3, bins - 2, bins - 1]);
  for (let i = 0; i < 24; i++) set.add(Math.floor(((i + 0.5) * bins) / 24));
  return [...set].filter((k) => k >= 0 && k < bins).sort((a, b) => a - b);
}

/**
 * Frames to sample: blocks spread over the file plus the first and last frames (a bin-major shape with
 * too many frames per bin shows itself only at the ends of its runs), fewer for long frames.
 */
function frameSample(s: Shape, perFrame: number): number[] {
  // 2^18 values: 48 frames up to 5461 bins; wide shapes (mostly misreadings of a long file) get the
  // 8-frame minimum (2^20 cost 60 ms per 39 000-bin shape, 7 such shapes on a 30-second file).
  const budget = 1 << 18;
  const total = Math.max(8, Math.min(48, Math.floor(budget / Math.max(1, perFrame))));
  const len = Math.min(16, total);
  const edge = Math.min(4, Math.floor(len / 4));
  const set = new Set<number>();
  for (let m = 0; m < edge; m++) set.add(Math.min(s.frames - 1, m)).add(Math.max(0, s.frames - 1 - m));
  for (const m0 of sampleBlockStarts(s.frames, len, Math.ceil(total / len))) for (let m = m0; m < Math.min(s.frames, m0 + len); m++) set.add(m);
  return [...set].sort((a, b) => a - b);
}

/**
 * Real-bin rates per column under a shape. Frames where most checked bins are "real" are silence
 * (phase 0 everywhere) and are left out.
 */
export function realColumns(src: ValueSource, test: RealBinTest, s: Shape, quick = false): RealColumns {
  // quick: the checked bins of a few frames, to drop a shape before reading its frames whole.
  const cols = !quick && s.layout === 'frame-major' && s.bins <= 1 << 16 ? null : checkedBins(s.bins);
  const nCols = cols ? cols.length : s.bins;
  const frames = quick ? frameSample(s, 1 << 15) : frameSample(s, nCols);
  const flags = new Uint8Array(frames.length * nCols);
  const re = new Float64Array(Math.max(s.bins, frames.length));
  const im = new Float64Array(re.length);
  if (s.layout === 'frame-major') {
    frames.forEach((m, i) => {
      if (cols) {
        const at = cols.map((k) => m * s.bins + k);
        readPoints(src, at, re, im);
      } else src.read(m * s.bins, s.bins, re, src.complex ? im : undefined);
      for (let c = 0; c < nCols; c++) flags[i * nCols + c] = test.isReal(re[c], src.complex ? im[c] : 0) ? 1 : 0;
    });
  } else {
    // One read per checked bin and block of consecutive frames.
    const runs: [number, number, number][] = [];
    for (let i = 0; i < frames.length;) {
      let j = i;
      while (j + 1 < frames.length && frames[j + 1] === frames[j] + 1) j++;
      runs.push([i, frames[i], j - i + 1]);
      i = j + 1;
    }
    (cols as number[]).forEach((k, c) => {
      for (const [i0, m0, len] of runs) {
        src.read(k * s.frames + m0, len, re, src.complex ? im : undefined);
        for (let t = 0; t < len; t++) flags[(i0 + t) * nCols + c] = test.isReal(re[t], src.complex ? im[t] : 0) ? 1 : 0;
      }
    });
  }
  const counts = new Float64Array(nCols);
  let live = 0;
  for (let i = 0; i < frames.length; i++) {
    let n = 0;
    for (let c = 0; c < nCols; c++) n += flags[i * nCols + c];
    if (n > nCols / 2) continue;
    live++;
    for (let c = 0; c < nCols; c++) counts[c] += flags[i * nCols + c];
  }
  const real: number[] = [];
  const likely: number[] = [];
  let bg = 0;
  let bgN = 0;
  let partial = 0;
  for (let c = 0; c < nCols; c++) {
    const rate = live ? counts[c] / live : 0;
    const k = cols ? cols[c] : c;
    if (rate >= 0.5) likely.push(k);
    if (rate >= 0.9) real.push(k);
    else {
      if (rate >= 0.25) partial++;
      bg += rate;
      bgN++;
    }
  }
  let dcRate = 0;
  for (const k of dcColumns(s.bins)) {
    const c = cols ? cols.indexOf(k) : k;
    if (c >= 0 && live) dcRate = Math.max(dcRate, counts[c] / live);
  }
  return { real, likely, checked: nCols, frames: live, dcRate, background: bgN ? bg / bgN : 0, partial };
}

/** Columns the DC bin may be stored in: first (ascending), last (flipped), middle (fftshift, centred). */
export function dcColumns(bins: number): number[] {
  return [...new Set([0, bins - 1, Math.floor(bins / 2), Math.ceil(bins / 2) - 1])];
}

/** The real bins each (nfft, sided) must show among `bins` columns, stored ascending. */
export function expectedRealBins(bins: number, t: Transform): number[] {
  if (t.sided === 'one') return t.nfft % 2 === 0 ? [0, bins - 1] : [0];
  if (t.sided === 'two') return t.nfft % 2 === 0 ? [0, bins / 2] : [0];
  return [0];
}

/** Stored column of ascending bin k under a bin order (descending flips, the two-sided orders rotate). */
function storedColumn(order: BinOrder, bins: number, k: number): number {
  return order === 'descending' ? bins - 1 - k : (k + dcIndex(order, bins)) % bins;
}

/** A bin order the real columns may show, with the columns it puts the real bins in. */
export interface OrderedReal {
  /** null when another order puts the real bins in the same columns (the real bins cannot tell them apart). */
  order: BinOrder | null;
  /** The order a null stands for when something must be assumed (ascending, or the rotation's pairing). */
  pairing: BinOrder;
  real: number[];
}

/**
 * The bin orders a transform allows and where each puts its real bins (DESIGN 4.3): for odd nfft the
 * single real DC bin is the first column ascending, the last flipped, the middle one shifted; for even
 * nfft a flipped one-sided spectrum has real bins at both ends like an ascending one, and an fftshifted
 * two-sided one at 0 and N/2 like an ascending one, so those pairs come back as one undecided reading.
 */
export function realBinsByOrder(bins: number, t: Transform): OrderedReal[] {
  const asc = expectedRealBins(bins, t);
  const out: OrderedReal[] = [];
  for (const order of ['ascending', 'descending', 'fftshift', 'centred'] as BinOrder[]) {
    if (!orderFitsSided(order, t.sided)) continue;
    const real = asc.map((k) => storedColumn(order, bins, k)).sort((a, b) => a - b);
    const same = out.find((o) => o.real.length === real.length && o.real.every((v, i) => v === real[i]));
    if (same) same.order = null;
    // One-sided spectra are checked against the ascending pairing (is this really two-sided?).
    else out.push({ order, pairing: t.sided === 'two' ? order : 'ascending', real });
  }
  return out;
}

/**
 * Fraction of sampled bin pairs (j, c−j mod bins) with equal magnitude (to the stored precision): exact
 * for a two-sided spectrum of a real signal, chance otherwise. c is twice the stored DC column (0 for
 * ascending and even fftshift, N−2 for even centred, N−1 for odd shifted spectra): X[−k] pairs with X[k].
 */
export function hermitianFraction(src: ValueSource, s: Shape, tol: number, order: BinOrder = 'ascending'): number {
  const c = (2 * dcIndex(order, s.bins)) % s.bins;
  const partner = (j: number): number => (((c - j) % s.bins) + s.bins) % s.bins;
  const ks = checkedBins(s.bins).filter((k) => partner(k) !== k);
  const frames = frameSample(s, 2 * ks.length).slice(0, 16);
  const idx: number[] = [];
  for (const m of frames) for (const k of ks) idx.push(cellIndex(s, m, k), cellIndex(s, m, partner(k)));
  const re = new Float64Array(idx.length);
  const im = new Float64Array(idx.length);
  readPoints(src, idx, re, im);
  let eq = 0;
  let n = 0;
  for (let j = 0; j < idx.length; j += 2) {
    const a = Math.hypot(re[j], im[j]);
    const b = Math.hypot(re[j + 1], im[j + 1]);
    if (a === 0 && b === 0) continue;
    n++;
    if (Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b))) eq++;
  }
  return n ? eq / n : 0;
}

/** Runs of real values at the two ends of the stream (capped): a bin-major DC run, a Nyquist run. */
export interface EndRuns {
  head: number;
  tail: number;
}

const END_RUN_CAP = 1 << 20;
/** Share of a frame's checked bins that must be real for it to count as real throughout (endRunsFit). */
const EDGE_FRAME_REAL_SHARE = 0.75;

export function realRunsAtEnds(src: ValueSource, test: RealBinTest, length: number): EndRuns {
  const chunk = 4096;
  const re = new Float64Array(chunk);
  const im = new Float64Array(chunk);
  const run = (fromEnd: boolean): number => {
    let n = 0;
    while (n < Math.min(length, END_RUN_CAP)) {
      const len = Math.min(chunk, length - n);
      src.read(fromEnd ? length - n - len : n, len, re, src.complex ? im : undefined);
      for (let i = 0; i < len; i++) {
        const j = fromEnd ? len - 1 - i : i;
        if (!test.isReal(re[j], src.complex ? im[j] : 0)) return n + i;
      }
      n += len;
    }
    return n;
  };
  return { head: run(false), tail: run(true) };
}

/**
 * A bin-major shape must end its DC run where the stream's leading run of real values ends (and its
 * Nyquist run where the trailing one begins): any real values beyond belong to frames that are real in
 * every bin (silence, a reflect-padded edge frame). A shape with slightly fewer frames per bin than the
 * truth passes the column test but fails this one.
 */
export function endRunsFit(src: ValueSource, test: RealBinTest, s: Shape, runs: EndRuns, firstReal: boolean, lastReal: boolean): boolean {
  const cols = checkedBins(s.bins).filter((k) => k > 0 && k < s.bins - 1);
  // A reflect-padded edge frame is real only up to the FFT's round-off, which the storage's test misses in
  // its weakest bins (float32 torch.stft: 2 of 257 in one file, 5 % in another, most of the frame under a
  // Kaiser β 12): judged roughly real; a misread shape's extra values are unrelated cells, real in a few %
  // of bins at most.
  const allReal = (m: number): boolean => {
    const re = new Float64Array(cols.length);
    const im = new Float64Array(cols.length);
    readPoints(
      src,
      cols.map((k) => cellIndex(s, m, k)),
      re,
      im,
    );
    let real = 0;
    for (let i = 0; i < cols.length; i++) if (test.isRoughlyReal(re[i], im[i])) real++;
    return real >= EDGE_FRAME_REAL_SHARE * cols.length;
  };
  const check = (extra: number, frameAt: (j: number) => number): boolean => {
    if (extra < 0) return false;
    for (let j = 0; j < Math.min(extra, s.frames); j++) if (!allReal(frameAt(j))) return false;
    return true;
  };
  // A flipped odd spectrum has its one real bin last: no leading run to check.
  if (firstReal && runs.head < END_RUN_CAP && !check(runs.head - s.frames, (j) => j)) return false;
  if (lastReal && runs.tail < END_RUN_CAP && !check(runs.tail - s.frames, (j) => s.frames - 1 - j)) return false;
  return true;
}
