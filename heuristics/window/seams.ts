import { NOISE_LIKE, seamContinuity, type SeamConfig, type SeamResult } from '../../src/analysis/block-seams.js';
import { type DecodableConfig, type Evidence, isDecodable } from '../../src/analysis/evidence.js';
import type { PartialStftConfig, PhaseSign } from '../../src/config/types.js';
import type { AnalyzerResult, Hypothesis } from '../types.js';

/**
 * Frames that do not overlap (hop ≥ the window's support, DESIGN.md 4.12): the imprint still measures
 * the window, but its scores are shares within one state, so nothing weighs one decoding (|X| or |X|²)
 * against another, and consistency cannot (any phase is consistent without overlap). The exact
 * frame-by-frame inverse can: under the right decoding, window, reference and sign its blocks join
 * into one signal (src/analysis/block-seams.ts). Each reading's score is multiplied by the likelihood
 * of its seams, not renormalised, so a state whose best reading breaks every seam loses to another
 * state in the beam. Overlapping frames are left as they are (the seam test returns null there).
 */

/** A sign is decided by the seams when the other sign's penalty is this much larger (dB). */
const SIGN_DECIDES_DB = 10;

export function weighBySeams(
  evidence: Evidence,
  fixed: PartialStftConfig,
  result: AnalyzerResult,
  estimate: (c: PartialStftConfig) => Float64Array,
): AnalyzerResult {
  if (fixed.hop === undefined || fixed.nfft === undefined || fixed.sided === undefined || !isDecodable(fixed)) return result;
  const base = { ...fixed, hop: fixed.hop, nfft: fixed.nfft, sided: fixed.sided };
  const { magnitudeFile, phaseFile, frames, bins, layout, magnitudeScale, dbFloor, phaseUnit } = fixed;
  const decoding: DecodableConfig = { magnitudeFile, phaseFile, frames, bins, layout, magnitudeScale, dbFloor, phaseUnit };
  const hypotheses: Hypothesis[] = [];
  let weighed = false;
  for (const h of result.hypotheses) {
    const v = { ...base, ...h.values };
    const { window, windowSymmetry, winLength, windowPlacement, phaseReference } = v;
    if (window === undefined || windowSymmetry === undefined || winLength === undefined || windowPlacement === undefined || phaseReference === undefined) {
      hypotheses.push(h);
      continue;
    }
    const signs: PhaseSign[] = v.phaseSign !== undefined ? [v.phaseSign] : ['+', '-'];
    const estimated = window === 'estimated' ? estimate(v) : undefined;
    const seams = signs
      .map((phaseSign) => {
        const c: SeamConfig = {
          ...decoding,
          nfft: v.nfft,
          hop: v.hop,
          sided: v.sided,
          window,
          windowSymmetry,
          winLength,
          windowPlacement,
          phaseReference,
          phaseSign,
        };
        return { phaseSign, r: seamContinuity(evidence, c, estimated) };
      })
      // Noise-like blocks at the seam's spacing join alike under any reading: no evidence, no weight.
      .filter((s): s is { phaseSign: PhaseSign; r: SeamResult } => s.r !== null && s.r.unrelated >= NOISE_LIKE)
      .sort((a, b) => a.r.penaltyDb - b.r.penaltyDb);
    if (seams.length === 0) {
      hypotheses.push(h);
      continue;
    }
    weighed = true;
    const best = seams[0];
    const decidesSign = seams.length === 2 && seams[1].r.penaltyDb - best.r.penaltyDb >= SIGN_DECIDES_DB;
    const text = `; frames do not overlap: the frame-by-frame inverse joins at its seams with ratio ${best.r.ratio.toPrecision(3)} over ${best.r.seams} seams (≈ 1 for the truth; −${best.r.penaltyDb.toFixed(1)} dB)${decidesSign ? `, sign ${best.phaseSign} (the other sign: −${seams[1].r.penaltyDb.toFixed(1)} dB)` : ''}`;
    hypotheses.push({
      values: decidesSign ? { ...h.values, phaseSign: best.phaseSign } : h.values,
      score: h.score * 10 ** (-best.r.penaltyDb / 10),
      reason: h.reason + text,
      metrics: { ...h.metrics, seamRatio: Number(best.r.ratio.toPrecision(4)), seams: best.r.seams, seamPenaltyDb: Number(best.r.penaltyDb.toFixed(2)) },
    });
  }
  if (!weighed) return result;
  return { ...result, hypotheses: hypotheses.sort((a, b) => b.score - a.score) };
}
