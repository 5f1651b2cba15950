/**
 * Phase Gradient Heap Integration (Průša, Holighaus & Balazs 2017, "A noniterative method for
 * reconstruction of phase from STFT magnitude"): a phase estimate from the magnitude alone, used to
 * start Fast Griffin-Lim far closer to the answer than a random phase.
 *
 * Theory, for a Gaussian window e^{-π t²/λ} (t in samples, ω in cycles/sample): log|V| and the phase
 * of the STFT are harmonic conjugates, so the phase gradient follows from the log-magnitude gradient.
 * In our canonical convention (phase measured from the frame's first sample, window centre c samples
 * into the frame) the derivation gives
 *   ∂φ/∂t = 2πω + (1/λ)·∂ log s/∂ω        (instantaneous frequency, radians/sample)
 *   ∂φ/∂ω = −λ·∂ log s/∂t − 2πc           (group delay, radians per cycle/sample)
 * (the −2πc term is the frame-start vs window-centre convention shift; LTFAT's 'timeinv' phase is
 * measured from the window centre). Other windows are treated as the Gaussian with the same λ.
 */
import type { WindowName, WindowSymmetry } from '../config/types.js';
import { makeWindow } from './windows.js';

/**
 * λ/winLength² of the Gaussian that best matches each window. Hann, Hamming, Blackman: the paper's
 * table (our moment fit, windowLambda, lands within 2 %: 0.2514, 0.2937, 0.1773; scanning λ puts the
 * best PGHI start at 1.0× these). sqrt-Hann: measured, not the quoted 0.41532: its corners make the
 * moment fit (0.4106) and the quoted value too narrow; scanning λ on the demo signal (512, hops 256/
 * 128/64) puts the optimum at 1.3× (PGHI start −23.9 dB against −19.1 dB at 0.41532, hop 128).
 */
export const PGHI_CG: Partial<Record<WindowName, number>> = {
  hann: 0.25645,
  hamming: 0.29794,
  blackman: 0.17954,
  'sqrt-hann': 0.54,
  // The same sine lobe half a sample over (scipy's cosine): sqrt-Hann's measured constant.
  cosine: 0.54,
};

/** λ (samples²) of a named window: the paper's table where it has the window, else the moment fit. */
export function pghiLambda(window: WindowName, winLength: number, symmetry: WindowSymmetry = 'periodic'): number {
  const cg = PGHI_CG[window];
  if (cg !== undefined) return cg * winLength * winLength;
  return windowLambda(makeWindow(window, winLength, symmetry));
}

/**
 * λ of the Gaussian with the same time spread as a window: 4π·var(w²) (exact for a Gaussian, whose
 * squared shape e^{-2πt²/λ} has variance λ/4π). Works for any placed or measured window.
 */
export function windowLambda(w: Float64Array): number {
  const { centre, energy } = windowCentroid(w);
  if (energy === 0) return 1;
  let v = 0;
  for (let n = 0; n < w.length; n++) v += (n - centre) * (n - centre) * w[n] * w[n];
  return Math.max(1e-6, (4 * Math.PI * v) / energy);
}

/** Energy centroid of a window (its centre in the frame, fractional for even symmetric windows). */
export function windowCentroid(w: Float64Array): { centre: number; energy: number } {
  let e = 0;
  let c = 0;
  for (let n = 0; n < w.length; n++) {
    const p = w[n] * w[n];
    e += p;
    c += n * p;
  }
  return { centre: e > 0 ? c / e : (w.length - 1) / 2, energy: e };
}

/** xorshift32 in [0, 1): retrieval must be reproducible for a given seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export interface PghiOptions {
  nfft: number;
  hop: number;
  /** Gaussian-equivalent λ of the window, samples² (pghiLambda / windowLambda). */
  lambda: number;
  /** Window centre in the frame (samples from the frame start). */
  centre: number;
  /** Cells below max·tol get a random phase (their phase is noise either way). */
  tol?: number;
  /** 1 = cell's magnitude is unknown (a dB floor): never integrated through, random phase. */
  unknownMagnitude?: Uint8Array | null;
  /** 1 = phase known: kept, and integration starts from these cells. */
  known?: Uint8Array | null;
  /** Known phase (radians) where `known` is 1. */
  knownPhase?: Float64Array | null;
  random?: () => number;
}

/**
 * Random phase below −100 dB. One pass: LTFAT's two-pass default (islands above max·0.1 first, then the
 * rest) starts the big islands with independent phases; measured on the demo signal (Hann 1024, hops
 * 512/256/128) it made the PGHI start 0.5–4.7 dB worse than a single pass.
 */
export const PGHI_TOL = 1e-5;

/** Below max·e^-13 (−113 dB) the log magnitude is clamped, so silence does not make huge gradients. */
const LOG_RANGE = 13;

/**
 * Phase (radians, canonical frame-start convention) for the one-sided magnitudes `s` (frames ×
 * bins, bins = floor(nfft/2)+1, frame-major) of a real signal.
 */
export function pghiPhase(s: Float64Array, frames: number, bins: number, o: PghiOptions): Float64Array {
  const cells = frames * bins;
  const { nfft, hop, lambda } = o;
  const unknown = o.unknownMagnitude ?? null;
  const known = o.known ?? null;
  const rand = o.random ?? seededRandom(1);
  const phase = new Float64Array(cells);
  let maxS = 0;
  for (let i = 0; i < cells; i++) if (s[i] > maxS && !(unknown && unknown[i])) maxS = s[i];
  if (maxS === 0) {
    for (let i = 0; i < cells; i++) phase[i] = known && known[i] && o.knownPhase ? o.knownPhase[i] : 2 * Math.PI * rand();
    return phase;
  }

  const thr = maxS * (o.tol ?? PGHI_TOL);
  const logs = new Float64Array(cells);
  const logFloor = Math.log(maxS) - LOG_RANGE;
  for (let i = 0; i < cells; i++) logs[i] = s[i] > 0 ? Math.max(logFloor, Math.log(s[i])) : logFloor;

  // Phase increments to a neighbour, trapezoid rule: time step = hop·(dt_i + dt_j)/2 with dt in
  // rad/sample; frequency step = (1/nfft)·(df_i + df_j)/2 with df in rad per cycle/sample.
  // tStep[i] = hop·dt/2 and fStep[i] = df/(2·nfft) hold the per-cell halves.
  const tStep = new Float64Array(cells);
  const fStep = new Float64Array(cells);
  const lastBin = bins - 1;
  // Beyond the last bin the spectrum mirrors: about Nyquist (even nfft: k+1 ↔ k−1) or onto itself (odd).
  const even = nfft % 2 === 0;
  for (let m = 0; m < frames; m++) {
    const o0 = m * bins;
    const mp = Math.max(0, m - 1);
    const mn = Math.min(frames - 1, m + 1);
    const dm = mn - mp;
    for (let k = 0; k < bins; k++) {
      // Mirror symmetry of a real signal's spectrum about DC and Nyquist.
      const kp = k === 0 ? 1 : k - 1;
      const kn = k < lastBin ? k + 1 : even ? k - 1 : k;
      const dLogW = bins > 1 ? ((logs[o0 + kn] - logs[o0 + kp]) * nfft) / 2 : 0;
      const dt = (2 * Math.PI * k) / nfft + dLogW / lambda;
      tStep[o0 + k] = (hop * dt) / 2;
      const dLogT = dm > 0 ? (logs[mn * bins + k] - logs[mp * bins + k]) / (dm * hop) : 0;
      const df = -lambda * dLogT - 2 * Math.PI * o.centre;
      fStep[o0 + k] = df / (2 * nfft);
    }
  }

  // Cells are ordered by quantised log magnitude (1/64 nat ≈ 0.14 dB): an O(1) bucket queue instead
  // of a binary heap (a heap's cache misses made 30 s of audio take seconds); the order within a
  // bucket does not matter to the heuristic.
  const buckets = LOG_RANGE * BUCKETS_PER_NAT + 1;
  const bucket = new Int32Array(cells);
  // Unknown-magnitude cells may sit above maxS: clamp into the top bucket.
  for (let i = 0; i < cells; i++) bucket[i] = Math.min(buckets - 1, Math.floor((logs[i] - logFloor) * BUCKETS_PER_NAT));
  const queue = new BucketQueue(bucket, buckets);
  const order = new Int32Array(cells);
  // done: 0 = to integrate, 1 = phase set.
  const done = new Uint8Array(cells);
  if (known && o.knownPhase) {
    for (let i = 0; i < cells; i++) {
      if (known[i]) {
        phase[i] = o.knownPhase[i];
        done[i] = 1;
      }
    }
  }
  const eligible = (j: number): boolean => done[j] === 0 && s[j] >= thr && !(unknown && unknown[j]);
  // Known cells seed the integration; the cells it may reach are candidates for new islands, visited
  // largest first.
  for (let i = 0; i < cells; i++) if (done[i]) queue.push(i);
  const starts = queue.sortDescending(order, eligible);
  let next = 0;
  for (;;) {
    while (queue.size > 0) {
      const i = queue.pop();
      const m = (i / bins) | 0;
      const k = i - m * bins;
      if (m + 1 < frames && eligible(i + bins)) {
        const j = i + bins;
        phase[j] = phase[i] + tStep[i] + tStep[j];
        done[j] = 1;
        queue.push(j);
      }
      if (m > 0 && eligible(i - bins)) {
        const j = i - bins;
        phase[j] = phase[i] - tStep[i] - tStep[j];
        done[j] = 1;
        queue.push(j);
      }
      if (k + 1 < bins && eligible(i + 1)) {
        const j = i + 1;
        phase[j] = phase[i] + fStep[i] + fStep[j];
        done[j] = 1;
        queue.push(j);
      }
      if (k > 0 && eligible(i - 1)) {
        const j = i - 1;
        phase[j] = phase[i] - fStep[i] - fStep[j];
        done[j] = 1;
        queue.push(j);
      }
    }
    // A new island: its largest cell gets phase 0 (any constant; islands are independent).
    while (next < starts && done[order[next]]) next++;
    if (next >= starts) break;
    const i = order[next++];
    phase[i] = 0;
    done[i] = 1;
    queue.push(i);
  }
  for (let i = 0; i < cells; i++) if (!done[i]) phase[i] = 2 * Math.PI * rand();
  return phase;
}

/** Resolution of the magnitude ordering, buckets per nat of log magnitude. */
const BUCKETS_PER_NAT = 64;

/**
 * Max-priority queue of cells with integer priorities (buckets): LIFO lists threaded through one
 * Int32Array, so push and pop are O(1) and nothing is allocated per cell.
 */
class BucketQueue {
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private top = -1;
  size = 0;
  constructor(
    private readonly bucket: Int32Array,
    buckets: number,
  ) {
    this.head = new Int32Array(buckets).fill(-1);
    this.next = new Int32Array(bucket.length);
  }

  push(i: number): void {
    const b = this.bucket[i];
    this.next[i] = this.head[b];
    this.head[b] = i;
    if (b > this.top) this.top = b;
    this.size++;
  }

  /** Only when size > 0. */
  pop(): number {
    const head = this.head;
    while (head[this.top] < 0) this.top--;
    const i = head[this.top];
    head[this.top] = this.next[i];
    this.size--;
    return i;
  }

  /** The cells passing `keep`, largest bucket first, into `out` (counting sort); returns how many. */
  sortDescending(out: Int32Array, keep: (i: number) => boolean): number {
    const count = new Int32Array(this.head.length + 1);
    const bucket = this.bucket;
    const n = bucket.length;
    for (let i = 0; i < n; i++) if (keep(i)) count[this.head.length - 1 - bucket[i] + 1]++;
    for (let b = 1; b < count.length; b++) count[b] += count[b - 1];
    for (let i = 0; i < n; i++) if (keep(i)) out[count[this.head.length - 1 - bucket[i]]++] = i;
    return count[this.head.length - 1];
  }
}
