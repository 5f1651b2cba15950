import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { hopFromMagnitudes } from './magnitudes.js';
import { boundaryShare, NO_OVERLAP, rankFits, relativeScores, TAPERED } from '../shared/overlap-rank.js';
import {
  CONVENTIONS,
  conventionName,
  hasPhase,
  pct,
  round4,
  TRANSFORM_NEEDS,
  type TransformInput,
  transformInput,
  windowCentreOf,
} from '../shared/transform-input.js';
import { dcRealShare, dcText } from '../shared/dc-phase.js';
import { rawSegments } from '../shared/overlap-exactness.js';
import { overlapPairs } from '../shared/overlap-pairs.js';
import { trendText } from '../shared/detrended-overlap.js';
import { phaseAdvance } from '../shared/phase-advance.js';
import { screenHops } from './screen.js';
import type { Segments } from '../shared/window-imprint.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, rejected, undecided } from '../types.js';

/**
 * The hop, to the sample, from the overlap of consecutive segments (DESIGN.md §4.6): every hop 1..nfft
 * under every phase convention is scored by how exactly y_m[j+hop] and y_{m+1}[j] agree across frame
 * pairs (shared/overlap-exactness.ts; the screen over every hop is screen.ts); the phase-vocoder
 * advance on peak bins is reported as a second witness.
 * Without phase only a weak magnitude-decorrelation estimate and the common hops remain.
 */

/** Distinct hops proposed at most. */
const MAX_HOPS = 4;
/** Score of "no overlap, hop = nfft": a reading of an absence, never decisive. */
const NO_OVERLAP_SCORE = 0.4;
/** Score of the same reading when the imprint is flat too: only the real DC cells speak for it. */
const FLAT_NO_OVERLAP_SCORE = 0.2;
/**
 * Without overlap or taper only the real DC cells still vouch for a reading (a boxcar window at
 * hop ≥ nfft): below this share of real DC frames the reading is ruled out.
 */
const DC_VOUCHES = 0.9;
/**
 * Without overlap nothing measures a gap between blocks (hop > nfft): the phase advance is aliased once
 * hop ≥ nfft (a frame resolves frequency to 1/nfft only), so nfft is proposed as the least hop that fits.
 */
const GAP_NOTE = '; hop = nfft is the least hop that fits: a gap between blocks (hop > nfft) cannot be measured';

export const hopAnalyzer: Analyzer = {
  name: 'hop',
  stage: 'transform',
  decides: ['hop'],
  needs: TRANSFORM_NEEDS,
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  reads: ['binOrder'],
  applies: (_evidence: Evidence, fixed: PartialStftConfig) => typeof transformInput(fixed) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const c = transformInput(fixed);
    if (typeof c === 'string') return undecided(c);
    if (!hasPhase(evidence, fixed)) return hopFromMagnitudes(evidence, c, fixed.hop);
    return hopFromOverlap(evidence, c, windowCentreOf(fixed, c.nfft));
  },
};

function hopFromOverlap(evidence: Evidence, c: TransformInput, centre: number): AnalyzerResult {
  const N = c.nfft;
  const s = rawSegments(evidence, c);
  const pairs = overlapPairs(s);
  if (typeof pairs === 'string') return undecided(pairs);
  const ranked = rankFits(s, screenHops(s, pairs, centre), centre);
  if (ranked.length === 0 || ranked[0].value < NO_OVERLAP) return noOverlap(evidence, c, s, pairs.length, ranked[0], centre);
  const best = ranked[0];
  const perHop = ranked.filter((r, i) => ranked.findIndex((o) => o.hop === r.hop) === i).slice(0, MAX_HOPS);
  const scores = relativeScores(
    perHop.map((r) => r.value),
    best.fit.capacity,
  );
  const pv = phaseAdvance(evidence, c, best.hop, best.conv);
  const witness =
    pv.chance < 1 && pv.bins > 0
      ? `; phase advance matches 2πk·${best.hop}/${N} on ${pct(pv.agreement)} of ${pv.bins} peak bins (chance ${pct(pv.chance)})`
      : '';
  const hypotheses: Hypothesis[] = perHop.map((r, i) => ({
    values: { hop: r.hop },
    score: scores[i],
    reason:
      i === 0
        ? `y_m[j+${r.hop}] equals y_{m+1}[j] up to the window ratio${trendText(r.trend)} on ${r.fit.inside} positions of the overlap over ${pairs.length} frame pairs (exactness ${r.fit.support.toFixed(4)} inside of the ${r.fit.capacity.toFixed(1)} decades the data's precision allows, ${r.fit.leak.toFixed(3)} outside; ${conventionName(r.conv)} phase)${witness}`
        : `hop ${r.hop} (${conventionName(r.conv)} phase): overlap fit ${r.value.toFixed(3)} against ${best.value.toFixed(3)} for hop ${best.hop}`,
    metrics: {
      fit: round4(r.value),
      support: round4(r.fit.support),
      leak: round4(r.fit.leak),
      capacity: round4(r.fit.capacity),
      boundary: round4(r.boundary),
      positions: r.fit.inside,
      pairs: pairs.length,
      convention: conventionName(r.conv),
      trend: r.trend,
      ...(i === 0 ? { advanceAgreement: round4(pv.agreement), advanceChance: round4(pv.chance), advanceBins: pv.bins } : {}),
    },
  }));
  return { hypotheses };
}

/**
 * No hop aligns consecutive segments. A real STFT whose frames do not overlap (hop ≥ window length)
 * still shows its window's taper in the imprint; random phase shows a flat one.
 */
function noOverlap(
  evidence: Evidence,
  c: TransformInput,
  s: Segments,
  pairs: number,
  best: { hop: number; value: number } | undefined,
  centre: number,
): AnalyzerResult {
  const N = s.nfft;
  const edge = Math.min(...CONVENTIONS.map((conv) => boundaryShare(s, N, conv, centre)));
  const found = best ? `best overlap fit ${best.value.toFixed(2)} at hop ${best.hop}` : 'no hop testable';
  if (edge >= TAPERED) {
    const why = `no hop aligns consecutive segments over ${pairs} frame pairs (${found}) and the imprint does not taper (edge ${pct(edge)} of its mean)`;
    const dc = dcRealShare(evidence, c);
    if (!(dc.share >= DC_VOUCHES)) return rejected(`${why}, and ${dcText(dc)}: random or unusable phase under this reading`);
    // Whatever the truth is, no hop below nfft fits: sweeping common hops by consistency would learn nothing.
    return {
      hypotheses: [
        {
          values: { hop: N },
          score: FLAT_NO_OVERLAP_SCORE,
          reason: `${why}, yet ${dcText(dc)}: frames that do not overlap under a flat window, or unusable phase${GAP_NOTE}`,
          metrics: { fit: best ? round4(best.value) : 0, edge: round4(edge), pairs, dcShare: round4(dc.share) },
        },
      ],
    };
  }
  return {
    hypotheses: [
      {
        values: { hop: N },
        score: NO_OVERLAP_SCORE,
        reason: `no hop 1..${N} aligns consecutive segments over ${pairs} frame pairs (${found}) while the imprint tapers to ${pct(edge)} of its mean at the frame edge: frames that do not overlap${GAP_NOTE}`,
        metrics: { fit: best ? round4(best.value) : 0, edge: round4(edge), pairs },
      },
    ],
  };
}
