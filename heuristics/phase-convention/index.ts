import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { conventionName, hasPhase, pct, round4, TRANSFORM_NEEDS, transformInput, windowCentreOf } from '../shared/transform-input.js';
import { NO_OVERLAP, rankConventions, relativeScores } from '../shared/overlap-rank.js';
import { rawSegments } from '../shared/overlap-exactness.js';
import { overlapPairs } from '../shared/overlap-pairs.js';
import { trendText } from '../shared/detrended-overlap.js';
import { phaseAdvance } from '../shared/phase-advance.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';

/**
 * Phase reference and sign at a known hop. Each convention says where frame m keeps its j-th
 * frame-start sample (shared/overlap-exactness.ts): only the true one makes y_m[j+hop] and y_{m+1}[j] agree exactly
 * across frame pairs on the overlap and nowhere else. Absolute-time (LTFAT freqinv) rolls frame m by
 * m·hop, a conjugated phase reverses it, window-centre rolls every frame by the window centre. The two
 * conventions that coincide at hop = nfft/2 (frame-start + and window-centre −) are told apart by the
 * window's imprint at the frame edge. The phase-vocoder advance on peak bins is the second witness.
 */

export const phaseConvention: Analyzer = {
  name: 'phase-convention',
  stage: 'transform',
  decides: ['phaseReference', 'phaseSign'],
  needs: [...TRANSFORM_NEEDS, 'hop'],
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  reads: ['binOrder'],
  applies: (evidence: Evidence, fixed: PartialStftConfig) => hasPhase(evidence, fixed) && typeof transformInput(fixed) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const c = transformInput(fixed);
    if (typeof c === 'string') return undecided(c);
    const hop = fixed.hop as number;
    const N = c.nfft;
    if (hop >= N) return undecided(`hop ${hop} ≥ nfft ${N}: frames do not overlap, so their phase conventions cannot be compared`);
    const s = rawSegments(evidence, c);
    const pairs = overlapPairs(s);
    if (typeof pairs === 'string') return undecided(pairs);
    const ranked = rankConventions(s, pairs, hop, windowCentreOf(fixed, N));
    if (ranked.length === 0 || ranked[0].value < NO_OVERLAP) {
      const best = ranked[0] ? `best ${conventionName(ranked[0].conv)} at ${ranked[0].value.toFixed(2)}` : 'no convention testable';
      return undecided(`at hop ${hop} no phase convention aligns consecutive segments (${best}): the hop or the decoded phase is wrong`);
    }
    const scores = relativeScores(
      ranked.map((r) => r.value),
      ranked[0].fit.capacity,
    );
    const best = ranked[0];
    const runnerUp = ranked[1] ? `; next ${conventionName(ranked[1].conv)} at ${ranked[1].value.toFixed(3)}` : '';
    const hypotheses: Hypothesis[] = ranked.map((r, i) => {
      const pv = phaseAdvance(evidence, c, hop, r.conv);
      const witness = pv.bins > 0 ? `; phase advance fits on ${pct(pv.agreement)} of ${pv.bins} peak bins (chance ${pct(pv.chance)})` : '';
      return {
        values: { phaseReference: r.conv.reference, phaseSign: r.conv.sign },
        score: scores[i],
        reason:
          (i === 0
            ? `at hop ${hop} consecutive segments agree exactly as ${conventionName(r.conv)}${trendText(r.trend)}: exactness ${r.fit.support.toFixed(4)} of the ${r.fit.capacity.toFixed(1)} decades the data's precision allows on ${r.fit.inside} overlap positions over ${pairs.length} frame pairs, ${r.fit.leak.toFixed(3)} outside, imprint at the frame edge ${pct(r.boundary)} of its mean${runnerUp}`
            : `${conventionName(r.conv)}: overlap fit ${r.value.toFixed(3)} (exactness ${r.fit.support.toFixed(3)} inside, ${r.fit.leak.toFixed(3)} outside, edge ${pct(r.boundary)}) against ${best.value.toFixed(3)} for ${conventionName(best.conv)}`) +
          witness,
        metrics: {
          fit: round4(r.value),
          support: round4(r.fit.support),
          leak: round4(r.fit.leak),
          capacity: round4(r.fit.capacity),
          boundary: round4(r.boundary),
          pairs: pairs.length,
          trend: r.trend,
          advanceAgreement: round4(pv.agreement),
          advanceChance: round4(pv.chance),
          advanceBins: pv.bins,
        },
      };
    });
    return { hypotheses };
  },
};
