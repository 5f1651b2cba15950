import { type DecodableConfig, type Evidence, isDecodable } from '../../src/analysis/evidence.js';
import { isComplexDtype, type PartialStftConfig, type PhaseReference, type PhaseSign, type Sided } from '../../src/config/types.js';
import { windowOffset } from '../../src/dsp/windows.js';

/**
 * What the transform-stage analyzers (phase-structure, hop, phase-convention, centring) read: the
 * fields they need, the phase conventions they test, where a frame's window centre sits, and the
 * sampled blocks they share. Formatting helpers for their reasons sit at the end.
 */

export interface Convention {
  reference: PhaseReference;
  sign: PhaseSign;
}

/** Most common first: ties go to the earlier one. */
export const CONVENTIONS: readonly Convention[] = [
  { reference: 'frame-start', sign: '+' },
  { reference: 'window-centre', sign: '+' },
  { reference: 'absolute-time', sign: '+' },
  { reference: 'frame-start', sign: '-' },
  { reference: 'window-centre', sign: '-' },
  { reference: 'absolute-time', sign: '-' },
];

export const conventionName = (c: Convention): string => `${c.reference} ${c.sign}`;

/** What the transform analyzers need fixed: the decodable fields plus the transform size. */
export type TransformInput = DecodableConfig & { nfft: number; sided: Sided };

/**
 * Fields every transform analyzer needs. Whole file objects, so the search's result cache tells storage
 * hypotheses apart; phaseUnit too, since a wrong unit changes every segment.
 */
export const TRANSFORM_NEEDS = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'];

/** The decodable config of `fixed`, or why there is none. */
export function transformInput(fixed: PartialStftConfig): TransformInput | string {
  // Without a phase file the unit is irrelevant to decoding; the values stage may leave it open.
  const c = fixed.phaseFile === null && fixed.phaseUnit === undefined ? { ...fixed, phaseUnit: 'radians' as const } : fixed;
  if (!isDecodable(c) || c.nfft === undefined || c.sided === undefined) return 'storage, shape, scale and unit fields are not all fixed';
  return { ...c, nfft: c.nfft, sided: c.sided };
}

/** Whether complex frames (hence time segments) exist: a phase file or a complex dtype. */
export function hasPhase(evidence: Evidence, fixed: PartialStftConfig): boolean {
  const dtype = fixed.magnitudeFile?.dtype;
  return evidence.phase !== null || (dtype !== undefined && isComplexDtype(dtype));
}

/** Sampled blocks of consecutive frames: 4 × 16 frames give 60 pairs, enough for ρ to be exact. */
export const BLOCK_LENGTH = 16;
export const BLOCKS = 4;

/** The window-centre roll of a frame: offset + ⌊winLength/2⌋ when the window is known, else ⌊nfft/2⌋. */
export function windowCentreOf(fixed: PartialStftConfig, N: number): number {
  const L = fixed.winLength;
  if (L === undefined || L > N) return Math.floor(N / 2);
  return windowOffset(N, L, fixed.windowPlacement ?? 'centred') + Math.floor(L / 2);
}

/** Formatting for reasons and metrics. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
export const round4 = (x: number): number => Number(x.toPrecision(4));
