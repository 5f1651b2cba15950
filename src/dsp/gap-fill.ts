import { gaussSolve } from './gauss.js';

/** A run of original-signal samples [start, end) (overlap-add.ts SampleRange). */
interface SampleRange {
  start: number;
  end: number;
}

/**
 * Samples no window weight reaches (DESIGN.md §4.12: a block FFT whose window ends in exact zeros, such
 * as np.hanning, leaves two samples at every block boundary out of the file) are not in the data at all:
 * the inverse cannot divide there. A short run of them is filled from its neighbours by least-squares
 * autoregressive interpolation (Janssen, Veldhuis & Vries 1986): fit an AR model to the known samples
 * around the run, then choose the missing samples that minimise the model's prediction error. It is an
 * estimate, reported as such; a long run (a gap between blocks, hop > nfft) stays silent.
 */

/** Longest run filled: a few samples is what a window's zero ends remove; more is a gap between blocks. */
export const MAX_FILL = 16;
/** Known samples used on each side of a run (24 ms at 16 kHz: the local spectrum, not the phrase's). */
const CONTEXT = 384;
/**
 * AR order and the context it needs at least. Measured on np.hanning(512) blocks of 16 kHz speech
 * (two samples lost per boundary): order 24 / 32 / 48 / 64 with 256 / 256 / 384 / 508 samples of
 * context gave 45.9 / 48.2 / 50.5 / 51.2 dB SI-SNR; one fit instead of two, 44.6 dB.
 */
const ORDER = 48;
const MIN_CONTEXT = 2 * ORDER;
/** Fit, fill, refit with the filled samples: the second fit no longer sees the hole. */
const PASSES = 2;

/**
 * Fill s[from, to) in place from s[0, from) and s[to, length), the known context on either side (each
 * at least MIN_CONTEXT long). Returns false (s unchanged) when the context is too short.
 */
export function fillRun(s: Float64Array, from: number, to: number): boolean {
  const g = to - from;
  if (g <= 0 || g > MAX_FILL || from < MIN_CONTEXT || s.length - to < MIN_CONTEXT) return false;
  const p = Math.min(ORDER, Math.floor(Math.min(from, s.length - to) / 2));
  const known = (t: number): boolean => t < from || t >= to;
  for (let pass = 0; pass < PASSES; pass++) {
    const a = arFit(s, p, pass === 0 ? known : () => true);
    // Digital silence on both sides: silence is the estimate.
    if (!a) {
      s.fill(0, from, to);
      return true;
    }
    solveRun(s, a, from, to);
  }
  return true;
}

/** Prediction-error filter [1, a1..ap] by Levinson-Durbin on the autocorrelation of the samples `use` admits. */
function arFit(s: Float64Array, p: number, use: (t: number) => boolean): Float64Array | null {
  const r = new Float64Array(p + 1);
  for (let k = 0; k <= p; k++) {
    let acc = 0;
    for (let t = 0; t + k < s.length; t++) if (use(t) && use(t + k)) acc += s[t] * s[t + k];
    r[k] = acc;
  }
  if (!(r[0] > 0)) return null;
  // A whisker of white noise keeps the recursion stable on near-periodic or band-limited context.
  r[0] *= 1 + 1e-9;
  const a = new Float64Array(p + 1);
  a[0] = 1;
  let err = r[0];
  const prev = new Float64Array(p + 1);
  for (let i = 1; i <= p; i++) {
    let acc = r[i];
    for (let j = 1; j < i; j++) acc += a[j] * r[i - j];
    const k = -acc / err;
    prev.set(a);
    for (let j = 1; j < i; j++) a[j] = prev[j] + k * prev[i - j];
    a[i] = k;
    err *= 1 - k * k;
    if (!(err > 0)) break;
  }
  return a;
}

/**
 * The samples of s[from, to) that minimise Σ_t e_t², e_t = Σ_i a_i s[t−i], over every t whose
 * prediction involves them: a g×g symmetric system (g ≤ MAX_FILL), solved by Gaussian elimination.
 */
function solveRun(s: Float64Array, a: Float64Array, from: number, to: number): void {
  const p = a.length - 1;
  const g = to - from;
  s.fill(0, from, to);
  // e_t with the run at zero, for the t that see the run (from ≤ t ≤ to − 1 + p).
  const tEnd = Math.min(s.length - 1, to - 1 + p);
  const e = new Float64Array(tEnd - from + 1);
  for (let t = from; t <= tEnd; t++) {
    let acc = 0;
    for (let i = 0; i <= p; i++) acc += a[i] * s[t - i];
    e[t - from] = acc;
  }
  const M = Array.from({ length: g }, () => new Float64Array(g + 1));
  for (let u = 0; u < g; u++) {
    for (let v = 0; v < g; v++) {
      let acc = 0;
      for (let t = from + Math.max(u, v); t <= Math.min(from + Math.min(u, v) + p, tEnd); t++) acc += a[t - from - u] * a[t - from - v];
      M[u][v] = acc;
    }
    let b = 0;
    for (let t = from + u; t <= Math.min(from + u + p, tEnd); t++) b -= a[t - from - u] * e[t - from];
    M[u][g] = b;
  }
  const x = gaussSolve(M);
  for (let u = 0; u < g; u++) s[from + u] = Number.isFinite(x[u]) ? x[u] : 0;
}

/**
 * A sink that holds output back until each short uncovered run (`gaps`, appended by the overlap-add as
 * it finishes samples, in order) has CONTEXT known samples after it, fills it (fillRun), and moves it
 * from `gaps` to `filled`. Samples reach `sink` in order, as from the overlap-add itself.
 */
export class GapFiller {
  readonly filled: SampleRange[] = [];
  /** buf[i] is original index base + i; samples before `emitted` have gone to the sink (kept as context). */
  private buf = new Float64Array(4 * CONTEXT);
  private base: number;
  private length = 0;
  private emitted: number;
  /** Index into gaps of the first run not yet settled (filled or left). */
  private next = 0;

  constructor(
    start: number,
    private readonly gaps: SampleRange[],
    private readonly sink: (start: number, samples: Float64Array) => void,
  ) {
    this.base = start;
    this.emitted = start;
  }

  push(start: number, samples: Float64Array): void {
    if (start !== this.base + this.length) throw new RangeError(`samples must arrive in order (got ${start}, expected ${this.base + this.length})`);
    this.reserve(samples.length);
    this.buf.set(samples, this.length);
    this.length += samples.length;
    this.settle(false);
  }

  /** Everything has arrived: settle the remaining runs with what context there is, emit the rest. */
  end(): void {
    this.settle(true);
  }

  private settle(final: boolean): void {
    const end = this.base + this.length;
    while (this.next < this.gaps.length) {
      const run = this.gaps[this.next];
      // A run at the end may still grow, and its right context is not all here yet.
      if (!final && run.end + CONTEXT > end) break;
      if (run.end - run.start <= MAX_FILL && this.fill(run)) {
        this.gaps.splice(this.next, 1);
        this.filled.push(run);
      } else this.next++;
    }
    const upTo = this.next < this.gaps.length ? Math.max(this.emitted, Math.min(end, this.gaps[this.next].start)) : end;
    if (upTo > this.emitted) {
      this.sink(this.emitted, this.buf.subarray(this.emitted - this.base, upTo - this.base));
      this.emitted = upTo;
    }
  }

  /** Fill one run from the known samples around it (up to the runs on either side). */
  private fill(run: SampleRange): boolean {
    const prev = this.next > 0 ? this.gaps[this.next - 1].end : -Infinity;
    const after = this.next + 1 < this.gaps.length ? this.gaps[this.next + 1].start : Infinity;
    const lastFilled = this.filled.length ? this.filled[this.filled.length - 1].end : -Infinity;
    const lo = Math.max(this.base, run.start - CONTEXT, prev, lastFilled);
    const hi = Math.min(this.base + this.length, run.end + CONTEXT, after);
    const seg = this.buf.slice(lo - this.base, hi - this.base);
    if (!fillRun(seg, run.start - lo, run.end - lo)) return false;
    this.buf.set(seg.subarray(run.start - lo, run.end - lo), run.start - this.base);
    return true;
  }

  /** Room for n more samples, dropping what is emitted and older than CONTEXT. */
  private reserve(n: number): void {
    const keepFrom = Math.max(this.base, this.emitted - CONTEXT);
    const drop = keepFrom - this.base;
    if (drop > 0 && this.length + n > this.buf.length) {
      this.buf.copyWithin(0, drop, this.length);
      this.length -= drop;
      this.base = keepFrom;
    }
    if (this.length + n > this.buf.length) {
      const grown = new Float64Array(Math.max(2 * this.buf.length, this.length + n));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
  }
}
