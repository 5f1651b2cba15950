/**
 * Is the phase file worth using? A phase that is all zeros, NaN, constant, out of range, random, or
 * inconsistent with the magnitudes under the config would make a worse reconstruction than phase
 * retrieval; a phase that is right only in places (corrupt frames, a truncated file) should be kept there and retrieved elsewhere (retrievePhase `known`).
 *
 * Two structural witnesses of a true STFT phase, both cheap and sampled:
 * - DC (and Nyquist) cells of a real signal's spectrum are real under every phase convention, so their
 *   phase is 0 or ±π (DESIGN.md 4.3). Random phase hits that in ~1 % of frames.
 * - Overlapping frames see the same samples (frame-trust.ts): a per-frame verdict, which is what finds
 *   the corrupt frames of a partly good file. Frames that do not overlap (a block FFT) leave only the
 *   DC witness: every phase is consistent there, so the overlap test abstains (DESIGN.md 4.12).
 */
import type { Layout, StftConfig } from '../config/types.js';
import type { MatrixShape } from '../decode/frames.js';
import { decodeMagnitudes, floorMask, phaseUnitFactor } from '../decode/scales.js';
import { geometryFromConfig, subGeometry } from '../dsp/stft.js';
import { type Evidence, sampleBlockStarts } from './evidence.js';
import { NOISE_LIKE, seamContinuity } from './block-seams.js';
import { type FrameTrust, frameTrust, framesOverlap, PAIR_CONSISTENT_DB, SILENT_FRACTION } from './frame-trust.js';

export type PhaseKind =
  | 'ok'
  | 'partial'
  | 'absent'
  | 'size-mismatch'
  | 'unreadable'
  | 'all-zero'
  | 'non-finite'
  | 'constant'
  | 'swapped'
  | 'out-of-bounds'
  | 'random'
  | 'inconsistent';

export interface PhaseAssessment {
  /** Worth using: 'ok' as is, 'partial' where trusted (retrieve the rest). */
  usable: boolean;
  kind: PhaseKind;
  /** One line with the measured numbers. */
  reason: string;
  metrics: Record<string, number>;
  /** 1 = frame's phase trusted. Set when known for the whole file without a full scan (truncation). */
  trustedFrames?: Uint8Array;
  /** A truncated phase file: how many stored values it holds (the rest are missing). */
  availableValues?: number;
}

/** Fraction of evaluable frames whose DC (and Nyquist) phase is 0 or ±π: ~1 for a real STFT phase. */
export function dcPhaseStructure(
  radians: Float64Array,
  magnitude: Float64Array | null,
  frames: number,
  bins: number,
  realBins: number[],
  tolerance = DC_TOLERANCE,
): { fraction: number; tested: number } {
  let tested = 0;
  let hits = 0;
  let maxMag = 0;
  if (magnitude) for (let i = 0; i < frames * bins; i++) if (magnitude[i] > maxMag) maxMag = magnitude[i];
  for (let m = 0; m < frames; m++) {
    let all = true;
    let any = false;
    for (const k of realBins) {
      const i = m * bins + k;
      // A near-zero cell's phase is round-off: no evidence.
      if (magnitude && !(magnitude[i] > maxMag * 1e-9)) continue;
      const p = radians[i];
      if (!Number.isFinite(p)) continue;
      any = true;
      const d = Math.abs(p - 2 * Math.PI * Math.round(p / (2 * Math.PI)));
      if (!(d < tolerance || Math.PI - d < tolerance)) all = false;
    }
    if (!any) continue;
    tested++;
    if (all) hits++;
  }
  return { fraction: tested > 0 ? hits / tested : NaN, tested };
}

/** The bins that are real for a real signal: DC, and Nyquist when the frame has one. */
export function realBinsOf(nfft: number, bins: number, sided: StftConfig['sided']): number[] {
  const out = [0];
  if (nfft % 2 === 0 && sided !== 'one-no-nyquist' && nfft / 2 < bins) out.push(nfft / 2);
  return out;
}

/** The readable part of a truncated file holding `values` values of a `shape` matrix. */
export function truncatedShape(values: number, shape: MatrixShape): MatrixShape {
  return shape.layout === 'frame-major' ? { ...shape, frames: Math.floor(values / shape.bins) } : { ...shape, bins: Math.floor(values / shape.frames) };
}

/**
 * Cell mask of trusted phase for retrievePhase `known`: trusted frames, minus what a truncated file
 * lacks (by layout), minus floor cells (a clipped cell's phase is round-off of a tiny value), minus
 * cells whose decoded phase (radians, frame-major) is not finite.
 */
export function knownCells(
  frames: number,
  bins: number,
  layout: Layout,
  trust: { trustedFrames?: Uint8Array; availableValues?: number; floor?: Uint8Array | null; phase?: Float64Array | null },
): Uint8Array {
  const mask = new Uint8Array(frames * bins).fill(1);
  for (let m = 0; m < frames; m++) {
    for (let k = 0; k < bins; k++) {
      const i = m * bins + k;
      const stored = layout === 'frame-major' ? i : k * frames + m;
      if (trust.trustedFrames && !trust.trustedFrames[m]) mask[i] = 0;
      else if (trust.availableValues !== undefined && stored >= trust.availableValues) mask[i] = 0;
      else if (trust.floor && trust.floor[i]) mask[i] = 0;
      else if (trust.phase && !Number.isFinite(trust.phase[i])) mask[i] = 0;
    }
  }
  return mask;
}

/** DC/Nyquist phase within this of 0 or ±π counts as real (uint8-scaled phase quantises to 0.025 rad). */
const DC_TOLERANCE = 0.03;

export interface AssessOptions {
  /** Sampled blocks and their length in frames (defaults 8 × 32). */
  blocks?: number;
  blockFrames?: number;
  /** The measured window behind config.window 'estimated' (heuristics' measuredWindowOf). */
  measuredWindow?: Float64Array;
}

/**
 * Frames judged by their overlap, file-wide: silence is measured against the loudest sampled frame
 * (a quiet block's round-off dust is no evidence), and finite frames without a pair to compare (no
 * overlap) are neither tested nor condemned. A non-finite frame counts as tested and untrusted.
 */
function tallyTrust(trusts: FrameTrust[]): { framesTested: number; framesTrusted: number; framesSilent: number } {
  let loudest = 0;
  for (const t of trusts) for (const e of t.energy) if (e > loudest) loudest = e;
  let framesTested = 0;
  let framesTrusted = 0;
  let framesSilent = 0;
  for (const t of trusts) {
    for (let m = 0; m < t.trusted.length; m++) {
      const nonFinite = !t.trusted[m] && !t.paired[m];
      if (!nonFinite && t.energy[m] <= loudest * SILENT_FRACTION) framesSilent++;
      else if (t.paired[m] || nonFinite) {
        framesTested++;
        framesTrusted += t.trusted[m];
      }
    }
  }
  return { framesTested, framesTrusted, framesSilent };
}

/** A window whose smallest value is at least this share of its peak leaves no taper to match. */
const FLAT_WINDOW = 0.1;
/** A seam ratio beyond this (either way) breaks the reading. */
const SEAMS_BROKEN = 4;

/**
 * Without overlap and without a taper, only the DC cells and the seams of the frame-by-frame inverse
 * vouch for a reading (DESIGN.md 4.12); a mis-shaped reading of a real phase passes the DC test alone.
 * Why the reading is not confirmed, or null when it is (or a tapered window's imprint can vouch).
 */
function unconfirmedBlocks(evidence: Evidence, config: StftConfig, w: Float64Array): string | null {
  let lo = Infinity;
  let peak = 0;
  for (const v of w) {
    lo = Math.min(lo, Math.abs(v));
    peak = Math.max(peak, Math.abs(v));
  }
  if (lo < FLAT_WINDOW * peak) return null;
  const s = seamContinuity(evidence, config);
  const ratio = s ? `seam ratio ${s.ratio.toPrecision(3)}, unrelated samples ${s.unrelated.toPrecision(3)}` : 'no seam measurable';
  if (s && s.unrelated >= NOISE_LIKE && s.ratio < SEAMS_BROKEN && s.ratio > 1 / SEAMS_BROKEN) return null;
  return `frames do not overlap under a flat window and the frame-by-frame inverse does not join into one signal (${ratio}): nothing confirms this reading`;
}

/** Half-periods of the phase units files use (radians, degrees, cycles, int8/int16 scalings). */
const HALF_PERIODS = [Math.PI, 180, 0.5, 127, 128, 32767, 32768];

/**
 * Assess the phase of a pair under a config whose storage, shape, scale and unit are decided (the
 * transform fields are needed for the overlap test). Samples a few blocks: well under a second on any
 * file. For the whole-file frame mask of a 'partial' verdict, run frameTrust on the decoded STFT.
 */
export function assessPhase(evidence: Evidence, config: StftConfig, opts: AssessOptions = {}): PhaseAssessment {
  const verdict = (kind: PhaseKind, reason: string, metrics: Record<string, number> = {}): PhaseAssessment => ({
    usable: kind === 'ok' || kind === 'partial',
    kind,
    reason,
    metrics,
  });
  const { frames, bins, layout } = config;
  const need = frames * bins;
  const magSource = evidence.magnitude.source(config.magnitudeFile);
  const complexInput = magSource.complex;
  if (!config.phaseFile && !complexInput) return verdict('absent', 'no phase file: magnitudes only');
  const shape: MatrixShape = { frames, bins, layout, binOrder: config.binOrder };
  let available = need;
  if (config.phaseFile) {
    if (!evidence.phase) return verdict('absent', 'the config names a phase file but none was given');
    try {
      available = evidence.phase.source(config.phaseFile).length;
    } catch (e) {
      return verdict('unreadable', `phase file unreadable under the config: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (config.channels > 1 && available === need * config.channels) available = need; // raw channel-major blocks: channel 0 is judged
    if (available > need) {
      return verdict('size-mismatch', `phase file holds ${available} values, the ${frames}×${bins} magnitudes need ${need}`, { available, need });
    }
    const part = truncatedShape(available, shape);
    if (part.frames < 1 || part.bins < 1) {
      return verdict(
        'size-mismatch',
        `phase file holds ${available} values, less than one ${layout === 'frame-major' ? 'frame' : 'bin row'} of the ${frames}×${bins} magnitudes`,
        { available, need },
      );
    }
  }
  const readable = truncatedShape(available, shape);
  const truncated = available < need;

  // Sampled blocks inside the readable part; a bin-major truncated file is read by whole frames only
  // up to the last complete bin row, so frames are tested on the bins that exist.
  const blockFrames = Math.min(opts.blockFrames ?? 32, readable.frames);
  const starts = sampleBlockStarts(readable.frames, blockFrames, opts.blocks ?? 8);
  const g = geometryFromConfig(config, opts.measuredWindow);
  const unit = phaseUnitFactor(config.phaseUnit);
  let values = 0;
  let nonFinite = 0;
  let zeros = 0;
  let outside = 0;
  let first = NaN;
  let constant = true;
  let dcTested = 0;
  let dcHits = 0;
  const trusts: FrameTrust[] = [];
  let magPhaseLike = 0;
  let magNegative = 0;
  let magCount = 0;
  const realBins = realBinsOf(config.nfft, readable.bins, config.sided);
  for (const m0 of starts) {
    const magStored = evidence.storedFrames('magnitude', config.magnitudeFile, shape, m0, blockFrames);
    const n = blockFrames * bins;
    const magnitude = new Float64Array(magStored);
    let radians: Float64Array;
    if (config.phaseFile) {
      const stored = evidence.storedFrames('phase', config.phaseFile, readable, m0, blockFrames);
      radians = new Float64Array(n).fill(NaN);
      for (let m = 0; m < blockFrames; m++) {
        for (let k = 0; k < readable.bins; k++) {
          const v = stored[m * readable.bins + k];
          radians[m * bins + k] = v * unit;
          values++;
          if (!Number.isFinite(v)) nonFinite++;
          else {
            if (v === 0) zeros++;
            if (Number.isNaN(first)) first = v;
            else if (v !== first) constant = false;
            if (Math.abs(v * unit) > 2 * Math.PI + 1e-3) outside++;
          }
        }
      }
      // Swap witness: stored "magnitudes" that look like phase (signed, DC on 0 or ±a half-period).
      for (let i = 0; i < n; i++) {
        magCount++;
        if (magStored[i] < 0) magNegative++;
      }
      for (let m = 0; m < blockFrames; m++) {
        const v = Math.abs(magStored[m * bins]);
        if (v === 0 || HALF_PERIODS.some((h) => Math.abs(v - h) <= h * 1e-6)) magPhaseLike++;
      }
      decodeMagnitudes(magnitude, config.magnitudeScale, n);
    } else {
      const block = evidence.decodedFrames(config, m0, blockFrames);
      magnitude.set(block.magnitude);
      radians = block.phase ?? new Float64Array(n);
      for (let i = 0; i < n; i++) {
        values++;
        if (!Number.isFinite(radians[i])) nonFinite++;
        else if (block.im[i] === 0) zeros++;
      }
      constant = false;
    }
    const floor = floorMask(magStored, config.dbFloor, n);
    if (floor) for (let i = 0; i < n; i++) if (floor[i]) magnitude[i] = 0;

    const dc = dcPhaseStructure(radians, magnitude, blockFrames, bins, realBins);
    dcTested += dc.tested;
    dcHits += Number.isNaN(dc.fraction) ? 0 : dc.fraction * dc.tested;

    if (readable.bins === bins) {
      const re = new Float64Array(n);
      const im = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        re[i] = magnitude[i] * Math.cos(radians[i]);
        im[i] = magnitude[i] * Math.sin(radians[i]);
      }
      // The block's own geometry: absolute-time phase depends on the global frame index.
      trusts.push(frameTrust({ frames: blockFrames, bins, re, im }, subGeometry(g, m0)));
    }
  }

  const { framesTested, framesTrusted, framesSilent } = tallyTrust(trusts);
  const metrics: Record<string, number> = { sampledValues: values, blocks: starts.length, blockFrames };
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)} %`;
  if (values === 0) return verdict('size-mismatch', 'no phase values could be read', metrics);
  metrics.nonFiniteFraction = nonFinite / values;
  if (nonFinite / values > 0.9) return verdict('non-finite', `${pct(nonFinite, values)} of ${values} sampled phase values are NaN/Inf`, metrics);
  if (zeros === values)
    return verdict('all-zero', `all ${values} sampled phase values are exactly 0${complexInput ? ' (the complex values are all real)' : ''}`, metrics);
  if (config.phaseFile && constant && nonFinite === 0) return verdict('constant', `all ${values} sampled phase values equal ${first}`, metrics);

  metrics.dcStructure = dcTested > 0 ? dcHits / dcTested : NaN;
  metrics.dcFramesTested = dcTested;
  metrics.trustedFrameFraction = framesTested > 0 ? framesTrusted / framesTested : NaN;
  metrics.framesTested = framesTested;
  metrics.silentFrames = framesSilent;
  const dcOk = dcTested >= 4 && dcHits / dcTested >= 0.8;
  const dcText = dcTested > 0 ? `DC phase on 0/±π in ${pct(dcHits, dcTested)} of ${dcTested} frames` : 'no DC cell to test';
  const trustText = framesOverlap(g)
    ? `${framesTrusted} of ${framesTested} sampled frames agree with an overlapping neighbour (pair mismatch ≤ ${PAIR_CONSISTENT_DB} dB)`
    : `frames do not overlap (hop ${config.hop} ≥ the window's support): no overlap test, every phase is consistent; the consistency column shows how far each reading's frame-by-frame inverse strays from its window's taper (0 dB at best; a flat window has none to follow)`;
  const consistent = framesTested > 0 && framesTrusted / framesTested >= 0.1;

  if (!dcOk && !consistent && dcTested >= 4) {
    metrics.magnitudeNegativeFraction = magNegative / Math.max(1, magCount);
    metrics.magnitudeDcPhaseLike = magPhaseLike / Math.max(1, starts.length * blockFrames);
    if (config.phaseFile && magNegative / Math.max(1, magCount) > 0.05 && metrics.magnitudeDcPhaseLike > 0.8) {
      return verdict(
        'swapped',
        `the phase file has no phase structure (${dcText}) but the magnitude file does (signed, DC on 0/±half-period in ${pct(magPhaseLike, starts.length * blockFrames)} of frames): files swapped?`,
        metrics,
      );
    }
    if (outside / Math.max(1, values - nonFinite) > 0.01) {
      metrics.outsideFraction = outside / (values - nonFinite);
      return verdict(
        'out-of-bounds',
        `${pct(outside, values - nonFinite)} of sampled phase values lie outside ±2π after the ${config.phaseUnit} unit, and ${dcText}`,
        metrics,
      );
    }
    return verdict('random', `no phase structure: ${dcText}; ${trustText}`, metrics);
  }
  const unconfirmed = framesOverlap(g) || config.window === 'estimated' ? null : unconfirmedBlocks(evidence, config, g.window);
  if (unconfirmed !== null) return verdict('inconsistent', `looks like an STFT phase (${dcText}) but ${unconfirmed}`, metrics);
  if (framesTested > 0 && !consistent) {
    return verdict('inconsistent', `looks like an STFT phase (${dcText}) but does not fit the magnitudes under this config: ${trustText}`, metrics);
  }
  if (truncated) {
    const a: PhaseAssessment = verdict('partial', `phase file truncated: ${available} of ${need} values (${pct(available, need)}); ${trustText}`, {
      ...metrics,
      available,
      need,
    });
    a.availableValues = available;
    if (layout === 'frame-major') {
      a.trustedFrames = new Uint8Array(frames);
      a.trustedFrames.fill(1, 0, readable.frames);
    }
    return a;
  }
  if (framesTrusted < framesTested || nonFinite > 0) {
    return verdict(
      'partial',
      `some frames are corrupt: ${trustText}${nonFinite ? `, ${nonFinite} non-finite values` : ''}; run frameTrust on the whole STFT for the mask`,
      metrics,
    );
  }
  return verdict('ok', `${dcText}; ${trustText}`, metrics);
}
