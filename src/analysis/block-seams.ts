import { type DecodableConfig, decodingKey, type Evidence, EvidenceCache, sampleBlockStarts } from './evidence.js';
import type { Sided, StftConfig } from '../config/types.js';
import { FrameSynthesizer, frameShift, geometryFromConfig, plainGeometry, type StftGeometry } from '../dsp/stft.js';

/** What the seam test reads: the decoding and the frame geometry (centring and length do not matter). */
export type SeamConfig = DecodableConfig &
  Pick<StftConfig, 'nfft' | 'hop' | 'sided' | 'winLength' | 'windowPlacement' | 'window' | 'windowSymmetry' | 'phaseReference' | 'phaseSign'>;

/**
 * Seam continuity of frames that do not overlap (DESIGN.md 4.12). Without overlap STFT consistency
 * says nothing (STFT(ISTFT(X)) = X for any X), but the inverse is exact frame by frame: x̂_m = y_m / w
 * where the window is non-negligible. Under the right decoding, window and phase reference the
 * recovered blocks are pieces of one signal, so a second difference that straddles the seam between
 * block m and block m+1 (at the spacing of the seam: 1 for hop = nfft under a window that does not
 * vanish at its ends) is as large, on average, as one of the same spacing inside a block. A wrong scale
 * (|X|² read as |X|), a wrong reference (the segment rolled by half a frame) or a wrong window (dividing
 * a taper by a flat window, or the reverse) breaks the seams by one to three decades (measured on the
 * numpy block fixtures). The ratio is ≈ 1 for the truth, so both directions away from 1 cost. The
 * window analyzer weighs its readings by it (heuristics/window/seams.ts).
 */

/** Window values below this fraction of its peak are not divided by (the inverse is not trusted there). */
const USABLE_WINDOW = 1e-3;
/** Frames per sampled block, and blocks. */
const BLOCK_FRAMES = 32;
const BLOCKS = 4;
/** Fewest seams for a verdict: the seam mean of fewer steps is too noisy to rank on. */
const MIN_SEAMS = 8;
/**
 * Seams of noise-like blocks: a join of unrelated samples within this factor of a join inside a block.
 * There no join can be told from another (blocks with gaps between them, joined a gap apart), and the
 * seams say nothing about the reading.
 */
export const NOISE_LIKE = 2;
/** The largest penalty (dB): beyond it the reading is wrong either way. */
const MAX_PENALTY_DB = 60;

export interface SeamResult {
  /** Each seam's mean squared second difference over the same inside its two blocks, averaged over seams (≈ 1 for the truth). */
  ratio: number;
  /** The same ratio for each block joined to its own start (circularly). */
  wrapRatio: number;
  /**
   * What a join of unrelated samples would give on the same scale (6σ² over the interior's mean): near
   * 1 the blocks are noise-like and no join can be told from another, so the ratio says nothing.
   */
  unrelated: number;
  /** Seams measured. */
  seams: number;
  /** Samples between the last usable sample of a block and the first of the next. */
  lag: number;
  /** How unlikely the ratio is for the truth (dB, capped): what the ranking adds to the candidate's score. */
  penaltyDb: number;
}

/**
 * How unlikely (dB) a ratio of two mean squares is when its expectation is 1, over S seams: ln ρ of a
 * mean of S squared steps spreads about √(2/S) for Gaussian steps; audio's steps are heavier-tailed,
 * so the spread is taken as √(4/S). −10·log10 of that likelihood; a zero ratio is the cap.
 */
function unlikelyDb(ratio: number, seams: number): number {
  if (!(ratio > 0)) return MAX_PENALTY_DB;
  return Math.min(MAX_PENALTY_DB, ((10 * Math.LOG10E * Math.log(ratio) ** 2) / 2) * (seams / 4));
}

/** First and last frame index where the window is usable (≥ USABLE_WINDOW of its peak), or null. */
function usableSpan(w: Float64Array): { a: number; z: number } | null {
  let peak = 0;
  for (const v of w) if (Math.abs(v) > peak) peak = Math.abs(v);
  if (!(peak > 0)) return null;
  let a = 0;
  while (Math.abs(w[a]) < USABLE_WINDOW * peak) a++;
  let z = w.length - 1;
  while (Math.abs(w[z]) < USABLE_WINDOW * peak) z--;
  return { a, z };
}

/**
 * Seam continuity of `config` on sampled blocks of consecutive frames; null when the frames overlap
 * (consistency applies there), when no step of the seam's lag fits inside a block (a gap longer than
 * the block), or when there is too little to measure (silence, too few frames).
 */
export function seamContinuity(evidence: Evidence, config: SeamConfig, estimatedWindow?: Float64Array): SeamResult | null {
  if (config.phaseFile === null && !config.magnitudeFile.dtype.startsWith('complex')) return null;
  // Gain scales every block alike and frame 0's position shifts them all: neither changes a ratio.
  const g0 = geometryFromConfig({ ...config, gain: 1, firstFrameStart: 0, padMode: 'none' }, estimatedWindow);
  // The one-no-nyquist layout has no Nyquist bin: resynthesise it as zero.
  const g: StftGeometry = g0.sided === 'one-no-nyquist' ? { ...g0, sided: 'one' } : g0;
  const span = usableSpan(g.window);
  if (!span || g.hop <= span.z - span.a) return null;
  const { a, z } = span;
  const lag = g.hop + a - z;
  if (2 * lag > z - a) return null;
  const w = g.window;
  // Each seam is measured against its own two blocks (and each wrap against its block): audio's level
  // changes from block to block, and over a short file a file-wide mean let the few loudest seams decide
  // (18 rectangular blocks of speech, the truth: 0.36 file-wide, a 9 dB penalty).
  let seam = 0;
  let seams = 0;
  let wrap = 0;
  let wraps = 0;
  let inner = 0;
  let power = 0;
  const N = g.nfft;
  const frames = plainFrames(evidence, config, g.sided);
  const sg = config.phaseSign === '-' ? -1 : 1;
  let prev = new Float64Array(N);
  let y = new Float64Array(N);
  let prevInner = 0;
  const inners = z - a + 1 - 2 * lag;
  const powers = z - a + 1;
  for (const { m0, count, offset } of frames.blocks) {
    for (let m = 0; m < count; m++) {
      // The reading's segment from the plain one: a conjugated phase reverses it in time, a phase
      // reference rolls it (frameShift's τ), so every reading shares one inverse FFT per frame.
      // Only [a, z] is read. y[n] = segment[(sg·(n + τ)) mod N] / w[n], walked without a modulo per
      // sample; the power and the inner second differences (centred at n − lag) in the same pass.
      const p = (offset + m) * N;
      let j = plainIndex(g, sg, m0 + m, a);
      let frameInner = 0;
      let framePower = 0;
      for (let n = a; n <= z; n++) {
        const v = frames.y[p + j] / w[n];
        y[n] = v;
        framePower += v * v;
        if (n >= a + 2 * lag) {
          const d = y[n - 2 * lag] - 2 * y[n - lag] + v;
          frameInner += d * d;
        }
        j += sg;
        if (j === N) j = 0;
        else if (j < 0) j = N - 1;
      }
      inner += frameInner;
      power += framePower;
      const local = (prevInner + frameInner) / (2 * inners);
      if (m > 0 && local > 0) {
        // The two second differences that straddle the seam, at the seam's own spacing.
        const d1 = prev[z - lag] - 2 * prev[z] + y[a];
        const d2 = prev[z] - 2 * y[a] + y[a + lag];
        seam += (d1 * d1 + d2 * d2) / 2 / local;
        seams++;
      }
      if (frameInner > 0) {
        // The same join made circularly, block m's end to its own start: samples a frame apart.
        const w1 = y[z - lag] - 2 * y[z] + y[a];
        const w2 = y[z] - 2 * y[a] + y[a + lag];
        wrap += (w1 * w1 + w2 * w2) / 2 / (frameInner / inners);
        wraps++;
      }
      prevInner = frameInner;
      // Every sample of [a, z] is rewritten next frame: swap rather than copy.
      const t = prev;
      prev = y;
      y = t;
    }
    // The next sampled block does not follow this one: no seam between them.
    prevInner = 0;
  }
  if (seams < MIN_SEAMS || !(inner > 0) || !Number.isFinite(inner) || !Number.isFinite(seam) || !Number.isFinite(wrap)) return null;
  const ratio = seam / seams;
  const wrapRatio = wraps > 0 ? wrap / wraps : 1;
  // A true block's circular wrap joins samples a frame apart: never smoother than consecutive samples
  // on average. A decoding that smooths each block circularly (|X|² read as |X| makes y_m a circular
  // convolution) can hide its seams in a rolled, reversed reading, but not its wraps.
  const penaltyDb = Math.min(MAX_PENALTY_DB, unlikelyDb(ratio, seams) + (wrapRatio < 1 ? unlikelyDb(wrapRatio, seams) : 0));
  // Unrelated samples give a second difference of 6σ²: that is what a seam of noise-like blocks costs.
  // File-wide, like a level: whether the blocks are noise-like, not how one seam joins.
  const unrelated = (6 * power * inners) / (powers * inner);
  return { ratio, wrapRatio, unrelated, seams, lag, penaltyDb };
}

/**
 * Where sample n of frame m, read under a config, sits in that frame's plain segment: a conjugated
 * phase (sign −1) reverses the segment in time, the phase reference rolls it by frameShift's τ. Readers
 * walk on from it by `sign` per sample, wrapping at nfft.
 */
export function plainIndex(g: StftGeometry, sign: 1 | -1, m: number, n: number): number {
  const N = g.nfft;
  return (((sign * (n + frameShift(g, m))) % N) + N) % N;
}

/** Sampled blocks' plain segments: IFFT of each frame at frame-start reference, sign +, unit gain. */
export interface PlainFrames {
  blocks: { m0: number; count: number; offset: number }[];
  y: Float64Array;
}

/** Every reading of one decoding shares these (the window analyzer weighs a dozen per state). */
const plainCache = new EvidenceCache<PlainFrames>();

export function plainFrames(evidence: Evidence, config: SeamConfig, sided: Sided): PlainFrames {
  const { frames, nfft } = config;
  return plainCache.get(evidence, `${decodingKey(config)}|${nfft}|${sided}`, () => {
    const L = Math.min(BLOCK_FRAMES, frames);
    const starts = sampleBlockStarts(frames, L, BLOCKS);
    const blocks = starts.map((m0, i) => ({ m0, count: Math.min(L, frames - m0), offset: i * L }));
    const y = new Float64Array(starts.length * L * nfft);
    const syn = new FrameSynthesizer(plainGeometry(nfft, sided));
    for (const b of blocks) {
      const block = evidence.decodedFrames(config, b.m0, b.count);
      for (let m = 0; m < b.count; m++) y.set(syn.synth(m, block.re, block.im, m * block.bins, block.bins), (b.offset + m) * nfft);
    }
    return { blocks, y };
  });
}
