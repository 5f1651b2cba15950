import { type Evidence, sampleBlockStarts } from '../../src/analysis/evidence.js';
import { frameTrust } from '../../src/analysis/frame-trust.js';
import { DETRENDS, type Detrend, type PartialStftConfig, type StftConfig } from '../../src/config/types.js';
import { geometryFromConfig, subGeometry } from '../../src/dsp/stft.js';
import { hasPhase, round4, TRANSFORM_NEEDS, transformInput } from '../shared/transform-input.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';

/**
 * Whether the maker removed each segment's mean (scipy `spectrogram`'s default `detrend='constant'`)
 * or least-squares line (`detrend='linear'`) before windowing. Such a frame holds w·(x_m − μ_m − β_m·n):
 * two overlapping segments then disagree on their shared samples by exactly w·w'·(a + b·n) and by
 * nothing else, so every pair mismatch collapses to round-off once that part is projected out
 * (src/analysis/pair-mismatch.ts), while no other convention error has that shape. The models are
 * nested ('none' ⊂ 'constant' ⊂ 'linear'): each unknown more per frame must buy TREND_PENALTY_DB.
 */

/** What one more trend unknown per frame must lower the median pair mismatch by (10 dB: 90 % of it explained). */
const TREND_PENALTY_DB = 10;
/** Alternatives within this of the best (penalised) are offered to the ranking; further ones are not. */
const OFFER_WITHIN_DB = 6;
const BLOCK_FRAMES = 16;
const EXACT_DB = -400;
const BLOCKS = 4;

const NEEDS = [...TRANSFORM_NEEDS, 'hop', 'window', 'winLength', 'windowPlacement', 'windowSymmetry', 'phaseReference', 'phaseSign'];

export const detrend: Analyzer = {
  name: 'detrend',
  stage: 'transform',
  decides: ['detrend'],
  needs: NEEDS,
  applies: (evidence: Evidence, fixed: PartialStftConfig) => hasPhase(evidence, fixed) && typeof transformInput(fixed) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const c = transformInput(fixed);
    if (typeof c === 'string') return undecided(c);
    if (fixed.window === 'estimated') return undecided('the window is only estimated: pair mismatches are not exact enough to show a trend');
    const hop = fixed.hop as number;
    if (hop >= (fixed.winLength as number)) return undecided(`hop ${hop} ≥ window length: frames do not overlap, so a removed trend leaves no trace`);
    const geo = (d: Detrend) => geometryFromConfig({ ...(fixed as StftConfig), firstFrameStart: 0, padMode: 'zeros', gain: 1, detrend: d });
    const mismatch = DETRENDS.map((d) => medianPairMismatchDb(evidence, c, geo(d)));
    if (mismatch.some((e) => Number.isNaN(e))) return undecided('no overlapping pair of non-silent frames to compare');
    const penalised = mismatch.map((e, k) => e + TREND_PENALTY_DB * k);
    const best = penalised.indexOf(Math.min(...penalised));
    const summary = DETRENDS.map((d, k) => `${d} ${mismatch[k].toFixed(1)} dB`).join(', ');
    const hypotheses: Hypothesis[] = [];
    DETRENDS.forEach((d, k) => {
      const margin = penalised[k] - penalised[best];
      if (margin > OFFER_WITHIN_DB) return;
      hypotheses.push({
        values: { detrend: d },
        score: 10 ** (-margin / 10),
        reason:
          k === best
            ? `median mismatch of overlapping segments with each frame's trend projected out: ${summary}; ${d === 'none' ? 'no trend model explains it' : `the ${d} model explains it (each unknown per frame must gain ${TREND_PENALTY_DB} dB)`}`
            : `${d}: median pair mismatch ${mismatch[k].toFixed(1)} dB against ${mismatch[best].toFixed(1)} dB for ${DETRENDS[best]}`,
        metrics: { none: round4(mismatch[0]), constant: round4(mismatch[1]), linear: round4(mismatch[2]) },
      });
    });
    hypotheses.sort((a, b) => b.score - a.score);
    return { hypotheses };
  },
};

/** Median over sampled non-silent frames of each frame's best pair mismatch (dB) under a geometry. */
function medianPairMismatchDb(evidence: Evidence, c: Parameters<Evidence['decodedFrames']>[0], g: ReturnType<typeof geometryFromConfig>): number {
  const values: number[] = [];
  for (const m0 of sampleBlockStarts(c.frames, BLOCK_FRAMES, BLOCKS)) {
    const count = Math.min(BLOCK_FRAMES, c.frames - m0);
    const block = evidence.decodedFrames(c, m0, count);
    const t = frameTrust(block, subGeometry(g, m0));
    // An exact pair (−∞ dB) counts as far below any round-off floor.
    for (let m = 0; m < count; m++) if (!t.silent[m] && !Number.isNaN(t.pairErrorDb[m])) values.push(Math.max(EXACT_DB, t.pairErrorDb[m]));
  }
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}
