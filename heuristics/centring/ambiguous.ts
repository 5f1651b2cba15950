import type { PartialStftConfig } from '../../src/config/types.js';
import { edgeAgreement } from '../recipe/index.js';
import { windowCentreOf } from '../shared/transform-input.js';
import type { AnalyzerResult, Hypothesis } from '../types.js';

/**
 * The readings of a start that shows nothing (DESIGN.md §4.13): when the audio itself starts in
 * (digital) silence, zero padding, a reflect padding of that silence and no padding at all rebuild the
 * same zeros, so where frame 0 starts cannot be read from the data. Every start a maker uses is offered
 * at one score — centred by ⌊nfft/2⌋ with zeros or reflection (scipy, librosa, torch), unpadded (MATLAB,
 * Octave, mlab), hop − nfft (a phase vocoder such as aubio's pvoc), −⌊(nfft − hop)/2⌋ (mne's stft) — flagged ambiguous with the spread
 * of the readings in samples; the maker's convention (heuristics/recipe edgeConvention: a preset matched
 * on the fields fixed so far, else the family the window names) breaks the tie, and without one the
 * confidence stays split between them.
 */

/** Score of each reading: a tie, below a clean pad's (0.6–0.9), so no reading passes for a measured one. */
const AMBIGUOUS = 0.5;

export function ambiguousStart(fixed: PartialStftConfig, nfft: number, hop: number, why: string): AnalyzerResult {
  // Frame 0's window centred on sample 0: ⌊nfft/2⌋, or ⌊winLength/2⌋ for a window at the frame's start (scipy's stft).
  const half = -startPadCentre(fixed, nfft);
  const starts: { values: Hypothesis['values']; what: string }[] = [
    { values: { center: true, padMode: 'zeros', firstFrameStart: half }, what: `zero padding by ${-half}` },
    { values: { center: true, padMode: 'reflect', firstFrameStart: half }, what: `reflect padding by ${-half} (a reflected silence is silence)` },
    { values: { center: false, padMode: 'none', firstFrameStart: 0 }, what: 'no padding' },
  ];
  if (hop < nfft && hop - nfft !== half) {
    starts.push({ values: { center: true, padMode: 'zeros', firstFrameStart: hop - nfft }, what: `a phase vocoder's start at hop − nfft = ${hop - nfft}` });
  }
  const mne = -Math.floor((nfft - hop) / 2);
  if (hop < nfft && mne > half) {
    starts.push({ values: { center: true, padMode: 'zeros', firstFrameStart: mne }, what: `mne's stft start at −⌊(nfft − hop)/2⌋ = ${mne}` });
  }
  const ffs = starts.map((s) => s.values.firstFrameStart as number);
  const spread = Math.max(...ffs) - Math.min(...ffs);
  return {
    hypotheses: starts
      .map((s) => {
        const conv = edgeAgreement({ ...fixed, ...s.values });
        const by = conv.note ? `; ${conv.note}` : '; no maker convention applies';
        return {
          values: { ...s.values, originalLength: null },
          score: AMBIGUOUS * conv.factor,
          reason: `${why}: zero padding, reflected silence and silence look alike, so the start is ambiguous (the readings differ by up to ${spread} samples); read as ${s.what}${by}`,
          metrics: { ambiguousEdge: true, edgeSpread: spread, conventionFactor: conv.factor },
        };
      })
      .sort((a, b) => b.score - a.score),
  };
}

/**
 * Where frame 0's window centre sits, for the pad that puts it on sample 0 (read.ts makerPads): under a
 * window-centre reference the placement only shifts the signal, and a start-placed reading of a centred
 * file found its own pad there (the e2e grid lost a Blackman 300 of 400), so only frame-start files use it.
 */
export function startPadCentre(fixed: PartialStftConfig, N: number): number {
  return fixed.phaseReference === 'frame-start' ? windowCentreOf(fixed, N) : Math.floor(N / 2);
}
