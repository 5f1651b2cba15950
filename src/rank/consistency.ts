import type { Evidence } from '../analysis/evidence.js';
import { sampleBlockStarts } from '../analysis/evidence.js';
import { taperAgreement } from '../analysis/block-taper.js';
import type { PartialStftConfig, StftConfig } from '../config/types.js';
import { polarToComplex } from '../dsp/sincos.js';
import { trendShapes } from '../dsp/detrend.js';
import { type ComplexFrames, FrameAnalyzer, geometryFromConfig, istft, type StftGeometry, stft, subGeometry } from '../dsp/stft.js';

/**
 * STFT consistency of decoded data under a config (DESIGN 4.4): 20·log10(‖STFT(ISTFT(X)) − X‖ / ‖X‖)
 * on interior frames of a few sampled blocks. A true STFT under its own conventions sits at round-off
 * (about −130 dB from float32 files); a wrong hop, window, reference or unit sits tens of dB higher.
 */
export interface ConsistencyResult {
  /** Raw consistency error in dB (what DESIGN 4.4 quotes: round-off for the truth). */
  db: number;
  /**
   * What the ranking uses: (error − chance error) in dB, weighted by the chance error as a fraction
   * (≈ the share of STFT dimensions the consistency constraint tests: 1 − 1/redundancy). Random-phase
   * data under the same config gives the chance error. Low-overlap configs make any data fairly
   * consistent while testing few dimensions; ranking on the raw error would favour them (measured:
   * Blackman data analysed with Hann, hop 220/256 scored −42 dB raw against −18 dB for the true hop 32).
   */
  relativeDb: number;
  /** Frames whose error was measured. */
  frames: number;
  /** False when frames do not overlap: then any data is consistent and the test says nothing. */
  informative: boolean;
}

/**
 * Relative consistency (dB) above which a reading leaves the phase as inconsistent as random phase does:
 * it explains none of it (garbage readings sit at −1.3…+0.5; a right hop under a wrong window is below −15).
 */
export const HOPELESS_DB = -3;
/**
 * What such a reading of overlapping frames costs in the ranking (dB). Its phase rules it out unless the
 * phase file itself is unrelated to the magnitudes; ranked at 0 dB, it tied readings whose frames do not
 * overlap (which nothing contradicts), and common fallback values then outranked the truth (18 numpy
 * rectangular blocks of 512: hop 128 Hann log1p at −1.25 dB raw, its fields all unmeasured, over the
 * blocks by 12 dB of their analyzers' doubts). Where every reading overlaps, all pay it alike, and a
 * phase that fits none of them is set aside afterwards as before (src/analyze/pairing.ts).
 */
export const CHANCE_COST_DB = 20;

/**
 * What consistency sees of a config: all but its edge fields and the sample rate a preset suggests with
 * them (centring, padding, length and rate do not change interior consistency). Readings with one key
 * share one evaluation (ConsistencyScorer) and one place in the fill's budget (src/search/fill.ts).
 */
export function interiorKey(v: PartialStftConfig): string {
  const { center: _c, padMode: _p, firstFrameStart: _f, originalLength: _o, sampleRate: _r, ...interior } = v;
  return JSON.stringify(interior);
}

/** Blocks sampled per evaluation and the floor under which the error is round-off anyway. */
const BLOCKS = 3;
const FLOOR_DB = -200;

function blockLength(c: StftConfig): number {
  const overlap = Math.ceil(c.nfft / c.hop);
  return Math.min(c.frames, Math.max(12, 4 * overlap + 8));
}

/** Squared error and energy of one block's interior frames. */
function blockError(X: ComplexFrames, g: StftGeometry, floor: Uint8Array | null): { err: number; energy: number; frames: number } {
  const frames = X.frames;
  const span = { start: g.firstFrameStart, end: g.firstFrameStart + (frames - 1) * g.hop + g.nfft };
  // The one-no-nyquist layout has no Nyquist bin to keep: resynthesise it as zero and compare the rest.
  const gFull: StftGeometry = g.sided === 'one-no-nyquist' ? { ...g, sided: 'one' } : g;
  const { signal: x, trends } = istft(X, gFull, span);
  const Y = stft(x, { ...gFull, firstFrameStart: 0 }, frames);
  if (trends) removeTrends(Y, gFull, trends);
  const edge = Math.min(Math.floor((frames - 1) / 2), Math.ceil(g.nfft / g.hop) - 1);
  let err = 0;
  let energy = 0;
  const bins = X.bins;
  for (let m = edge; m < frames - edge; m++) {
    for (let k = 0; k < bins; k++) {
      const i = m * bins + k;
      if (floor && floor[i]) continue;
      const j = m * Y.bins + k;
      const dr = Y.re[j] - X.re[i];
      const di = Y.im[j] - X.im[i];
      err += dr * dr + di * di;
      energy += X.re[i] * X.re[i] + X.im[i] * X.im[i];
    }
  }
  return { err, energy, frames: Math.max(0, frames - 2 * edge) };
}

/**
 * Under a detrend hypothesis the maker stored STFT(x) minus each frame's trend spectrum: take the
 * solved trends (TrendSolver's θ) off the resynthesised frames so that only what no trend explains is
 * measured (the model nests 'none': data without a trend is as consistent under it, see the detrend analyzer).
 */
function removeTrends(Y: ComplexFrames, g: StftGeometry, trends: Float64Array): void {
  const shapes = trendShapes(g, g.detrend ?? 'none');
  const ana = new FrameAnalyzer(g);
  const seg = new Float64Array(g.nfft);
  const re = new Float64Array(Y.bins);
  const im = new Float64Array(Y.bins);
  for (let m = 0; m < Y.frames; m++) {
    seg.fill(0);
    for (let j = 0; j < shapes.length; j++) for (let n = 0; n < g.nfft; n++) seg[n] += trends[m * shapes.length + j] * shapes[j][n];
    ana.analyze(m, seg, re, im, 0);
    for (let k = 0; k < Y.bins; k++) {
      Y.re[m * Y.bins + k] -= re[k];
      Y.im[m * Y.bins + k] -= im[k];
    }
  }
}

/** Consistency in dB of `config` on sampled blocks; null when there is no phase or nothing to measure. */
export function consistencyDb(evidence: Evidence, config: StftConfig, estimatedWindow?: Float64Array): ConsistencyResult | null {
  if (config.phaseFile === null && !config.magnitudeFile.dtype.startsWith('complex')) return null;
  // Without overlap every frame is its own island: STFT(ISTFT(X)) = X for any X, so a perfect score
  // would be credit for nothing. Such candidates get no consistency credit; what ranks them is how
  // well the frame-by-frame inverse agrees with their window's taper (0 dB at best, block-taper.ts).
  if (config.hop >= config.winLength) {
    const taper = taperAgreement(evidence, config, estimatedWindow);
    return { db: 0, relativeDb: taper?.penaltyDb ?? 0, frames: 0, informative: false };
  }
  const g = geometryFromConfig(config, estimatedWindow);
  const L = blockLength(config);
  let err = 0;
  let energy = 0;
  let baseErr = 0;
  let baseEnergy = 0;
  let frames = 0;
  for (const m0 of sampleBlockStarts(config.frames, L, BLOCKS)) {
    const count = Math.min(L, config.frames - m0);
    const block = evidence.decodedFrames(config, m0, count);
    const sg = subGeometry(g, m0);
    const r = blockError(block, sg, block.floor);
    err += r.err;
    energy += r.energy;
    frames += r.frames;
    const b = blockError(randomPhase(block, m0), sg, block.floor);
    baseErr += b.err;
    baseEnergy += b.energy;
  }
  // A reading whose values decode past the float range (float16 bits read as int16 dB: 10^(32767/20))
  // cannot be measured: null, never NaN, which would poison every candidate's confidence.
  if (!(energy > 0) || frames === 0 || !Number.isFinite(energy) || !Number.isFinite(err) || !Number.isFinite(baseErr)) return null;
  const db = Math.max(FLOOR_DB, err > 0 ? 10 * Math.log10(err / energy) : FLOOR_DB);
  const chance = baseEnergy > 0 ? Math.min(1, baseErr / baseEnergy) : 0;
  const base = chance > 0 ? 10 * Math.log10(chance) : 0;
  return { db, relativeDb: (db - base) * chance, frames, informative: true };
}

/** Random-phase twins of decoded blocks, reused by every candidate that decodes the same way. */
const baselines = new WeakMap<ComplexFrames, ComplexFrames>();

/** The block's magnitudes with a deterministic uniformly random phase (the chance baseline). */
function randomPhase(X: ComplexFrames, seed: number): ComplexFrames {
  const cached = baselines.get(X);
  if (cached) return cached;
  const n = X.frames * X.bins;
  const mag = new Float64Array(n);
  const phi = new Float64Array(n);
  let s = (seed * 2654435761 + 12345) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    phi[i] = (s >>> 0) / 4294967296;
    mag[i] = Math.hypot(X.re[i], X.im[i]);
  }
  const out: ComplexFrames = { frames: X.frames, bins: X.bins, re: mag, im: phi };
  polarToComplex(mag, phi, 2 * Math.PI, out.re, out.im, n);
  baselines.set(X, out);
  return out;
}
