import { type DecodableConfig, decodingKey, type Evidence, EvidenceCache, sampleBlockStarts } from '../../src/analysis/evidence.js';
import type { PhaseSign, Sided } from '../../src/config/types.js';
import { getRealFft } from '../../src/dsp/fft.js';
import { FrameSynthesizer, plainGeometry } from '../../src/dsp/stft.js';

/**
 * The window's imprint (DESIGN.md §4.5): with phase present, the inverse FFT of frame m is the windowed
 * segment y_m = w·x, so the mean of y_m² over many frames is ∝ w² (the signal's local power averages
 * out). This module gathers sampled segments and measures the imprint, its per-sample spread, a
 * per-frame drift of the energy centre (absolute-time phase reference) and the overlap witness
 * (consecutive segments agree at some lag: the phase is real, not random).
 */

/** What the imprint needs from the config: decodable fields plus the transform size and the sign. */
export type SegmentConfig = DecodableConfig & { nfft: number; sided: Sided; phaseSign: PhaseSign };

export interface Segments {
  nfft: number;
  /** Segments kept (finite, not silent, not dominated by dB-floor cells). */
  count: number;
  /** Windowed segments, one after the other (count·nfft values). */
  y: Float64Array;
  /** Absolute frame index of each kept segment. */
  frame: Int32Array;
  /** Σ y² of each kept segment. */
  energy: Float64Array;
  /** Frames read, and why the others were dropped. */
  read: number;
  quiet: number;
  floored: number;
}

/** Frames quieter than this fraction of the loudest sampled one carry mostly rounding noise. */
const QUIET_RELATIVE = 1e-8;
/** A frame whose dB-floor cells hold more than this share of its energy has an unknown shape. */
const FLOOR_ENERGY_SHARE = 0.01;

const segmentCache = new EvidenceCache<Segments>();

/**
 * Inverse-transform `blocks` sampled blocks of `blockLength` consecutive frames into segments. Cached per
 * evidence and decoding: the window search runs once per set of hints (the seam weighing asks for one
 * per reading it estimates) on the same frames. Callers must not write to the result.
 */
export function collectSegments(evidence: Evidence, c: SegmentConfig, blockLength: number, blocks: number): Segments {
  const key = `${decodingKey(c)}|${c.nfft}|${c.sided}|${c.phaseSign}|${blockLength}x${blocks}`;
  return segmentCache.get(evidence, key, () => inverseSegments(evidence, c, blockLength, blocks));
}

function inverseSegments(evidence: Evidence, c: SegmentConfig, blockLength: number, blocks: number): Segments {
  const N = c.nfft;
  const syn = new FrameSynthesizer(plainGeometry(N, c.sided, c.phaseSign));
  const starts = sampleBlockStarts(c.frames, blockLength, blocks);
  const total = starts.reduce((s, m0) => s + Math.min(blockLength, c.frames - m0), 0);
  const y = new Float64Array(total * N);
  const frame = new Int32Array(total);
  const energy = new Float64Array(total);
  let count = 0;
  let floored = 0;
  for (const m0 of starts) {
    const n = Math.min(blockLength, c.frames - m0);
    const b = evidence.decodedFrames(c, m0, n);
    for (let i = 0; i < n; i++) {
      const o = i * c.bins;
      if (b.floor && floorShare(b.magnitude, b.floor, o, c.bins) > FLOOR_ENERGY_SHARE) {
        floored++;
        continue;
      }
      const seg = syn.synth(m0 + i, b.re, b.im, o, c.bins);
      let e = 0;
      for (let j = 0; j < N; j++) e += seg[j] * seg[j];
      if (!Number.isFinite(e) || e <= 0) continue;
      y.set(seg, count * N);
      frame[count] = m0 + i;
      energy[count] = e;
      count++;
    }
  }
  // Drop quiet frames only now that the loudest is known.
  let maxE = 0;
  for (let i = 0; i < count; i++) if (energy[i] > maxE) maxE = energy[i];
  let kept = 0;
  for (let i = 0; i < count; i++) {
    if (energy[i] < maxE * QUIET_RELATIVE) continue;
    if (kept !== i) {
      y.copyWithin(kept * N, i * N, (i + 1) * N);
      frame[kept] = frame[i];
      energy[kept] = energy[i];
    }
    kept++;
  }
  return {
    nfft: N,
    count: kept,
    y: y.subarray(0, kept * N),
    frame: frame.subarray(0, kept),
    energy: energy.subarray(0, kept),
    read: total,
    quiet: total - floored - kept,
    floored,
  };
}

function floorShare(mag: Float64Array, floor: Uint8Array, o: number, bins: number): number {
  let all = 0;
  let fl = 0;
  for (let k = 0; k < bins; k++) {
    const p = mag[o + k] * mag[o + k];
    all += p;
    if (floor[o + k]) fl += p;
  }
  return all > 0 ? fl / all : 1;
}

/** Mean energy profile of the segments and the variance of that mean, per sample. */
export interface Imprint {
  mean: Float64Array;
  varianceOfMean: Float64Array;
  frames: number;
}

/**
 * The imprint: mean of y_m²/E_m (each frame normalised to unit energy, so a few loud frames do not set
 * the shape), each segment first rolled left by roll(i) samples (undoing a per-frame drift).
 */
export function imprintOf(s: Segments, roll: (i: number) => number = () => 0): Imprint {
  const N = s.nfft;
  const sum = new Float64Array(N);
  const sum2 = new Float64Array(N);
  const norm = frameNormalisers(s);
  for (let i = 0; i < s.count; i++) {
    const o = i * N;
    const inv = norm[i];
    const r = ((roll(i) % N) + N) % N;
    for (let j = 0; j < N; j++) {
      let src = j + r;
      if (src >= N) src -= N;
      const v = s.y[o + src] * s.y[o + src] * inv;
      sum[j] += v;
      sum2[j] += v * v;
    }
  }
  const K = s.count;
  const mean = new Float64Array(N);
  const varianceOfMean = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    mean[j] = sum[j] / K;
    varianceOfMean[j] = K > 1 ? Math.max(0, sum2[j] / K - mean[j] * mean[j]) / (K - 1) : 0;
  }
  return { mean, varianceOfMean, frames: K };
}

/**
 * 1 / (mean energy of the other frames of the same run of consecutive frames): loud passages do not set
 * the shape, yet no frame is divided by its own energy (y_m²/E_m is biased: where the window is large the
 * frame's own power sits in the denominator, which flattens the imprint: kaiser-8 fits best as 7.96).
 */
function frameNormalisers(s: Segments): Float64Array {
  const out = new Float64Array(s.count);
  let a = 0;
  while (a < s.count) {
    let b = a + 1;
    while (b < s.count && s.frame[b] - s.frame[b - 1] < 4) b++;
    let total = 0;
    for (let i = a; i < b; i++) total += s.energy[i];
    for (let i = a; i < b; i++) {
      const others = b - a > 1 ? (total - s.energy[i]) / (b - a - 1) : s.energy[i];
      out[i] = others > 0 ? 1 / others : 1 / s.energy[i];
    }
    a = b;
  }
  return out;
}

export interface Drift {
  /** Per-frame advance of the energy centre, in samples (0..N-1), to a few samples. */
  samples: number;
  /** Share of consecutive pairs whose own advance agrees with it (±N/32). */
  agreement: number;
  /** Consecutive pairs measured. */
  pairs: number;
}

/**
 * Per-frame advance of the segments' energy centre, from the first circular Fourier coefficient of each
 * y_m². A frame-start or window-centre reference keeps it fixed; an absolute-time reference rotates
 * frame m by m·hop, so the centre advances by hop mod N per frame.
 */
export function measureDrift(s: Segments): Drift {
  const N = s.nfft;
  const cr = new Float64Array(s.count);
  const ci = new Float64Array(s.count);
  const cos = new Float64Array(N);
  const sin = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    cos[j] = Math.cos((2 * Math.PI * j) / N);
    sin[j] = Math.sin((2 * Math.PI * j) / N);
  }
  for (let i = 0; i < s.count; i++) {
    let a = 0;
    let b = 0;
    const o = i * N;
    for (let j = 0; j < N; j++) {
      const p = s.y[o + j] * s.y[o + j];
      a += p * cos[j];
      b += p * sin[j];
    }
    cr[i] = a;
    ci[i] = b;
  }
  const steps: number[] = [];
  let sr = 0;
  let si = 0;
  for (let i = 0; i + 1 < s.count; i++) {
    if (s.frame[i + 1] !== s.frame[i] + 1) continue;
    // z_{m+1}·conj(z_m): its angle is the advance of the centre.
    const pr = cr[i + 1] * cr[i] + ci[i + 1] * ci[i];
    const pi = ci[i + 1] * cr[i] - cr[i + 1] * ci[i];
    if (pr === 0 && pi === 0) continue;
    steps.push(Math.atan2(pi, pr));
    const h = Math.hypot(pr, pi);
    sr += pr / h;
    si += pi / h;
  }
  if (steps.length === 0) return { samples: 0, agreement: 0, pairs: 0 };
  const angle = Math.atan2(si, sr);
  const tol = (2 * Math.PI) / 32;
  let agree = 0;
  for (const a of steps) {
    let d = Math.abs(a - angle);
    if (d > Math.PI) d = 2 * Math.PI - d;
    if (d <= tol) agree++;
  }
  const samples = ((Math.round((angle * N) / (2 * Math.PI)) % N) + N) % N;
  // An advance within the tolerance of 0 is no drift (the per-pair angles scatter around 0).
  const none = Math.min(samples, N - samples) <= (tol * N) / (2 * Math.PI);
  return { samples: none ? 0 : samples, agreement: agree / steps.length, pairs: steps.length };
}

/**
 * The overlap witness: consecutive segments of a real STFT share nfft − hop samples of the same signal,
 * so at lag h = hop, y_m[n+h] and y_{m+1}[n] are the same samples under two window weights (y_m[n−h] and
 * y_{m+1}[n] for conjugated, time-reversed segments: direction −1). Each segment is first rolled left by
 * `roll`. Returns, over lags 1..N−N/8 in that direction and pooled over all consecutive pairs, the best
 * share of the frames' energy that lines up: Σ y_m[n±h]·y_{m+1}[n] / √(ΣE_m·ΣE_{m+1}). A real STFT with a
 * rectangular window reaches (N − hop)/N at its hop, any accidental partial match less; random phase ~0.
 */
export function overlapWitness(s: Segments, roll: number, direction: 1 | -1): { match: number; lag: number } {
  const N = s.nfft;
  const M = 2 * N;
  const fft = getRealFft(M);
  const a = new Float64Array(M);
  const b = new Float64Array(M);
  const ar = new Float64Array(fft.bins);
  const ai = new Float64Array(fft.bins);
  const br = new Float64Array(fft.bins);
  const bi = new Float64Array(fft.bins);
  const xr = new Float64Array(fft.bins);
  const xi = new Float64Array(fft.bins);
  const r = new Float64Array(M);
  const num = new Float64Array(N);
  let ea = 0;
  let eb = 0;
  const sh = ((roll % N) + N) % N;
  const rolled = (i: number, out: Float64Array): number => {
    const o = i * N;
    let e = 0;
    for (let j = 0; j < N; j++) {
      out[j] = s.y[o + ((j + sh) % N)];
      e += out[j] * out[j];
    }
    return e;
  };
  for (let i = 0; i + 1 < s.count; i++) {
    if (s.frame[i + 1] !== s.frame[i] + 1) continue;
    ea += rolled(i, a);
    eb += rolled(i + 1, b);
    fft.forward(a, ar, ai);
    fft.forward(b, br, bi);
    // Cross-correlation r(h) = Σ_n a[n+h]·b[n] = IFFT(A·conj(B)); r(−h) sits at M − h.
    for (let k = 0; k < fft.bins; k++) {
      xr[k] = ar[k] * br[k] + ai[k] * bi[k];
      xi[k] = ai[k] * br[k] - ar[k] * bi[k];
    }
    fft.inverse(xr, xi, r);
    for (let h = 1; h < N; h++) num[h] += direction === 1 ? r[h] : r[M - h];
  }
  let best = 0;
  let lag = 0;
  const norm = Math.sqrt(ea * eb);
  const maxLag = N - Math.max(1, Math.floor(N / 8));
  for (let h = 1; h <= maxLag && norm > 0; h++) {
    const m = num[h] / norm;
    if (m > best) {
      best = m;
      lag = direction * h;
    }
  }
  return { match: best, lag };
}
