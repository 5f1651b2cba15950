import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { dcRealShare, dcText } from '../shared/dc-phase.js';
import { hasPhase, TRANSFORM_NEEDS, transformInput } from '../shared/transform-input.js';
import { type Analyzer, type AnalyzerResult, rejected, undecided } from '../types.js';

/**
 * Rules out readings whose phase cannot be a real signal's STFT: the DC (and Nyquist) cells of a real
 * signal are real under every phase convention, so their phase is 0 or ±π (DESIGN.md 4.3). A wrong
 * dtype, header, layout or unit turns that into noise, where ~1 % of frames hit by chance. It decides
 * no field; it saves the transform analyzers and the consistency test from garbage readings, which on
 * a phase that reads as random under every reading cost several times a well-formed analysis.
 */

/** Frames with a DC cell to judge needed before ruling anything out. */
const MIN_TESTED = 4;
/** A real STFT has ~100 % of its frames real at DC; random phase ~1 %. Below this share the reading is out. */
const MIN_REAL_SHARE = 0.3;

export const phaseStructure: Analyzer = {
  name: 'phase-structure',
  stage: 'transform',
  decides: [],
  needs: TRANSFORM_NEEDS,
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  reads: ['binOrder'],
  applies: (evidence: Evidence, fixed: PartialStftConfig) => hasPhase(evidence, fixed) && typeof transformInput(fixed) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const c = transformInput(fixed);
    if (typeof c === 'string') return undecided(c);
    const dc = dcRealShare(evidence, c);
    if (dc.tested < MIN_TESTED || dc.share >= MIN_REAL_SHARE) return { hypotheses: [] };
    return rejected(`${dcText(dc)}: not a real signal's STFT under this reading (a real STFT: ~100 %, random phase: ~1 %)`);
  },
};
