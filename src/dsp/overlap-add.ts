import type { StftGeometry } from './geometry.js';
import { GapFiller } from './gap-fill.js';

/** A run of output samples [start, end) where the window envelope is too small to invert (NOLA fails). */
export interface SampleRange {
  start: number;
  end: number;
}

/**
 * Σ w² below this fraction of its maximum is treated as no coverage: dividing by w there amplifies the
 * stored values' rounding by 1/w, and float32's (1e-7) would reach 1e-3 of the signal at w = 1e-4.
 * float64 data (rounding 1e-16) stay useful down to w ≈ 1e-13 (FLOAT64_NOLA_FLOOR, see nolaFloorFor).
 */
export const NOLA_RELATIVE_FLOOR = 1e-8;
export const FLOAT64_NOLA_FLOOR = 1e-26;

/**
 * Streaming least-squares overlap-add (Griffin & Lim): x = Σ w·y_m / Σ w². Frames arrive in order;
 * samples no later frame can touch are finished and handed to `sink` in original-signal indices,
 * so a 10-minute export never holds more than a few frame spans in memory.
 *
 * Only Σ w·y is accumulated: Σ w² depends on the window and on which frames exist, so it is computed
 * when a sample is finished, summed in frame order like the accumulation itself would (bit for bit).
 */
export class OverlapAdd {
  /** Σ w·y; acc[i] holds original index base + i. */
  private readonly acc: Float64Array;
  private readonly out: Float64Array;
  /** Σ w² at offset p (mod hop) from a frame start, where every frame that can cover the sample exists. */
  private readonly envFull: Float64Array;
  /** Original index of acc[0]. */
  private base: number;
  /** Original index of the first sample not yet finished. */
  private next: number;
  private readonly envFloor: number;
  /** Every sample with all its frames present is covered (NOLA holds in the interior). */
  private readonly fullCovered: boolean;
  readonly gaps: SampleRange[] = [];
  private lastFrame = -1;
  /** With `fill`: what takes the finished samples, fills short uncovered runs and passes them on. */
  private readonly filler: GapFiller | null;
  private readonly emit: (start: number, samples: Float64Array) => void;

  constructor(
    private readonly g: StftGeometry,
    /** Original-signal index range to produce. */
    private readonly outStart: number,
    private readonly outEnd: number,
    sink: (start: number, samples: Float64Array) => void,
    /**
     * `fill`: interpolate short runs no window weight reaches (gap-fill.ts) instead of leaving them
     * silent; they move from `gaps` to `filled`. For export only: an estimate must not enter a
     * consistency measurement. Output then lags the frames by a few hundred samples.
     * `floor`: the relative Σ w² under which a sample is not covered (NOLA_RELATIVE_FLOOR by default).
     */
    opts: { fill?: boolean; floor?: number } = {},
  ) {
    this.filler = opts.fill ? new GapFiller(outStart, this.gaps, sink) : null;
    this.emit = this.filler ? (s, x) => this.filler!.push(s, x) : sink;
    // A frame needs nfft samples past its start; the slack lets the buffer slide once every few frames.
    const cap = 4 * g.nfft + g.hop;
    this.acc = new Float64Array(cap);
    this.out = new Float64Array(cap);
    this.base = Math.min(g.firstFrameStart, outStart);
    this.next = this.base;
    const w = g.window;
    this.envFull = new Float64Array(g.hop);
    let maxEnv = 0;
    // The interior envelope is periodic in hop; its peak sets the floor for "no coverage".
    for (let p = 0; p < g.hop; p++) {
      let e = 0;
      // Later frames see the sample at smaller window offsets: frame order is descending offset.
      for (let n = p + Math.floor(Math.max(0, g.nfft - 1 - p) / g.hop) * g.hop; n >= p; n -= g.hop) if (n < g.nfft) e += w[n] * w[n];
      this.envFull[p] = e;
      if (e > maxEnv) maxEnv = e;
    }
    this.envFloor = maxEnv * (opts.floor ?? NOLA_RELATIVE_FLOOR);
    this.fullCovered = this.envFull.every((e) => e > this.envFloor);
  }

  /** Add frame m's time segment y (length nfft, as IFFT gives it: still windowed by the analysis window). */
  add(m: number, y: Float64Array): void {
    if (m !== this.lastFrame + 1) throw new RangeError(`frames must arrive in order (got ${m} after ${this.lastFrame})`);
    const { nfft, hop, window: w } = this.g;
    const start = this.g.firstFrameStart + m * hop;
    this.flushBefore(start);
    this.lastFrame = m;
    if (start + nfft > this.base + this.acc.length) this.slide(start);
    const acc = this.acc.subarray(start - this.base, start - this.base + nfft);
    let n = 0;
    for (; n + 3 < nfft; n += 4) {
      acc[n] += w[n] * y[n];
      acc[n + 1] += w[n + 1] * y[n + 1];
      acc[n + 2] += w[n + 2] * y[n + 2];
      acc[n + 3] += w[n + 3] * y[n + 3];
    }
    for (; n < nfft; n++) acc[n] += w[n] * y[n];
  }

  /** Finish everything: flush what the frames covered and mark the rest of the output range as a gap. */
  end(): void {
    const coveredEnd = this.g.firstFrameStart + this.lastFrame * this.g.hop + this.g.nfft;
    this.flushBefore(Math.max(this.outEnd, coveredEnd));
    this.filler?.end();
  }

  /** Runs filled by interpolation (with `fill`): estimates, not data. */
  get filled(): SampleRange[] {
    return this.filler?.filled ?? [];
  }

  /** Move the buffer so that it starts at original index `to` (everything before it is finished). */
  private slide(to: number): void {
    const shift = to - this.base;
    const cap = this.acc.length;
    if (shift >= cap) this.acc.fill(0);
    else {
      this.acc.copyWithin(0, shift);
      this.acc.fill(0, cap - shift);
    }
    this.base = to;
  }

  /** Emit every sample before `limit` (no later frame can touch them). */
  private flushBefore(limit: number): void {
    const cap = this.acc.length;
    while (this.next < limit) {
      const n = Math.min(limit - this.next, cap);
      if (this.next + n > this.base + cap) this.slide(this.next);
      const from = Math.max(this.next, this.outStart);
      const to = Math.min(this.next + n, this.outEnd);
      if (to > from) {
        const out = this.out.subarray(0, to - from);
        this.normalise(from, out);
        this.emit(from, out);
      }
      this.next += n;
    }
  }

  /** out[i] = Σ w·y / Σ w² at original index from + i over frames 0..lastFrame; 0 and a gap where Σ w² is too small. */
  private normalise(from: number, out: Float64Array): void {
    const { nfft, hop, firstFrameStart: f0 } = this.g;
    const count = out.length;
    const acc = this.acc;
    const off = from - this.base;
    // [a, b): samples every frame that can reach is present for, whose Σ w² is periodic in hop.
    const a = Math.min(Math.max(from, f0 + Math.max(0, nfft - hop)), from + count) - from;
    const b = Math.max(a, Math.min(from + count, f0 + (this.lastFrame + 1) * hop) - from);
    for (let i = 0; i < a; i++) out[i] = this.normalised(from + i, acc[off + i], this.envelopeAt(from + i));
    const full = this.envFull;
    let p = (((from + a - f0) % hop) + hop) % hop;
    if (this.fullCovered) {
      for (let i = a; i < b; i++) {
        out[i] = acc[off + i] / full[p];
        if (++p === hop) p = 0;
      }
    } else {
      for (let i = a; i < b; i++) {
        out[i] = this.normalised(from + i, acc[off + i], full[p]);
        if (++p === hop) p = 0;
      }
    }
    for (let i = b; i < count; i++) out[i] = this.normalised(from + i, acc[off + i], this.envelopeAt(from + i));
  }

  /** acc / env, or 0 (noting a gap at original index i) when env is below the floor. */
  private normalised(i: number, acc: number, env: number): number {
    if (env > this.envFloor) return acc / env;
    this.noteGap(i);
    return 0;
  }

  /** Σ w² at original index i over the frames present, in frame order. */
  private envelopeAt(i: number): number {
    const { nfft, hop, window: w } = this.g;
    const d = i - this.g.firstFrameStart;
    const mLo = Math.max(0, Math.floor((d - nfft) / hop) + 1);
    const mHi = Math.min(this.lastFrame, Math.floor(d / hop));
    let e = 0;
    for (let m = mLo; m <= mHi; m++) {
      const wn = w[d - m * hop];
      e += wn * wn;
    }
    return e;
  }

  private noteGap(i: number): void {
    const last = this.gaps[this.gaps.length - 1];
    if (last && last.end === i) last.end = i + 1;
    else this.gaps.push({ start: i, end: i + 1 });
  }
}

/**
 * Whether the interior has runs of at most `maxRun` samples that no window weight reaches (a block FFT
 * under a window with zero ends has, at every seam): the runs an export with `fill` interpolates.
 */
export function shortUncoveredRuns(g: Pick<StftGeometry, 'nfft' | 'hop' | 'window'>, maxRun: number, relativeFloor = NOLA_RELATIVE_FLOOR): boolean {
  const env = new Float64Array(g.hop);
  for (let n = 0; n < g.nfft; n++) env[n % g.hop] += g.window[n] * g.window[n];
  const floor = Math.max(...env) * relativeFloor;
  const covered = (p: number): boolean => env[((p % g.hop) + g.hop) % g.hop] > floor;
  // Runs are circular in hop: walk from a covered offset (none: the whole interior is one long run).
  const from = env.findIndex((e) => e > floor);
  if (from < 0) return false;
  let run = 0;
  for (let p = from + 1; p <= from + g.hop; p++) {
    if (!covered(p)) run++;
    else if (run > 0) {
      if (run <= maxRun) return true;
      run = 0;
    }
  }
  return false;
}

/**
 * Undo gain, sign and phase reference of frame m in place and inverse-transform it to the windowed
 * time segment. Shared by the in-memory ISTFT, the streaming export and phase retrieval.
 */

/** Merge gap ranges into a short human-readable list. */
export function describeGaps(gaps: SampleRange[], limit = 4): string {
  const parts = gaps.slice(0, limit).map((r) => (r.end - r.start === 1 ? `${r.start}` : `${r.start}-${r.end - 1}`));
  const total = gaps.reduce((s, r) => s + r.end - r.start, 0);
  return `${total} sample(s) not covered by the window envelope (NOLA fails) at ${parts.join(', ')}${gaps.length > limit ? ', …' : ''}`;
}
