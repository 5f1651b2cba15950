import { type Evidence, sampleBlockStarts } from '../../src/analysis/evidence.js';
import { dcPhaseStructure, realBinsOf } from '../../src/analysis/phase-quality.js';
import { BLOCK_LENGTH, BLOCKS, pct, type TransformInput } from './transform-input.js';

/** Whether the DC (and Nyquist) bins' phase is real (0 or ±π), as a real signal's STFT must have it. */

export interface DcShare {
  /** Share of the tested frames whose DC (and Nyquist) phase is 0 or ±π. */
  share: number;
  /** Sampled frames with a DC cell loud enough to judge. */
  tested: number;
  nyquist: boolean;
}

/**
 * How often the DC (and Nyquist) cells of the sampled blocks are real, as a real signal's are under
 * every phase convention (DESIGN.md 4.3): ~100 % for a true STFT, ~1 % for random phase. The same
 * blocks as the segments, so the decoded frames come from the evidence's cache.
 */
export function dcRealShare(evidence: Evidence, c: TransformInput): DcShare {
  const realBins = realBinsOf(c.nfft, c.bins, c.sided);
  let tested = 0;
  let hits = 0;
  for (const m0 of sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS)) {
    const n = Math.min(BLOCK_LENGTH, c.frames - m0);
    // The decoder gives the phase of a phase file and of a complex file alike; magnitudes alone have none.
    const { phase, magnitude } = evidence.decodedFrames(c, m0, n);
    if (!phase) continue;
    const dc = dcPhaseStructure(phase, magnitude, n, c.bins, realBins);
    tested += dc.tested;
    if (dc.tested > 0) hits += dc.fraction * dc.tested;
  }
  return { share: tested > 0 ? hits / tested : Number.NaN, tested, nyquist: realBins.length > 1 };
}

export const dcText = (dc: DcShare): string => `DC${dc.nyquist ? '/Nyquist' : ''} phase on 0/±π in ${pct(dc.share)} of ${dc.tested} sampled frames`;
