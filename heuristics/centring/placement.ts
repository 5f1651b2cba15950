import type { PartialStftConfig, WindowPlacement } from '../../src/config/types.js';
import type { AnalyzerResult } from '../types.js';

/**
 * Placements to rebuild under. A window shorter than the frame whose placement is still open (under a
 * window-centre reference the imprint cannot see it: every frame is rolled to the window's centre) is
 * tried both ways: the data fix only where the window's centre falls in the signal, offset + ⌊L/2⌋ +
 * firstFrameStart, so a pad read under the wrong placement lands off every maker pad.
 */
export function placementsToTry(fixed: PartialStftConfig, N: number): WindowPlacement[] | null {
  if (fixed.windowPlacement !== undefined || fixed.winLength === undefined || fixed.winLength >= N) return null;
  // The centred placement, the common one, first: it wins ties.
  return ['centred', 'start'];
}

/** Score of a reading the edges contradict (as for no padding where the start mirrors). */
const CONTRADICTED = 0.01;
/** Prior factor of the less common placement when nothing places the window (0.2 dB). */
const UNPLACED_PRIOR = 0.95;
/** Score of a pad reading that shows a pad (zeros or a mirror) cleanly enough to rule out no padding. */
const CLEAN_PAD = 0.6;

/**
 * The readings under each placement, best first, each asserting its placement. The placements view one
 * rebuilt signal shifted by the offset difference: a pad seen cleanly under one placement is silence or a
 * mirror at a place no maker pads to under the other, which no unpadded signal shows either, so there
 * an unpadded reading is kept only at the score of a contradicted one. Without a clean pad nothing
 * places the window (the signal's own loudness near the usual pads differs between the two views by
 * chance: measured contrast 0.37 against 0.73 on one unpadded file), so the clearer reading is offered
 * under both placements, the second (start) at UNPLACED_PRIOR of the score: consistency cannot tell them
 * apart either (equal to round-off), and a stated preference beats a round-off coin toss.
 */
export function eitherPlacement(readings: { placement: WindowPlacement; result: AnalyzerResult }[]): AnalyzerResult {
  const decided = readings.filter((r) => r.result.hypotheses.length > 0);
  // A silent start (ambiguous.ts) shows nothing under any placement: the placement stays open with it.
  if (decided.length === 0 || decided.every((r) => r.result.hypotheses[0].metrics?.ambiguousEdge === true)) return readings[0].result;
  const padded = decided.find(({ result }) => result.hypotheses[0].values.center === true && result.hypotheses[0].score >= CLEAN_PAD);
  if (!padded) {
    const clearer = decided.reduce((a, b) => (b.result.hypotheses[0].score > a.result.hypotheses[0].score ? b : a));
    return {
      hypotheses: clearer.result.hypotheses.flatMap((h) =>
        readings.map(({ placement }, i) => ({
          ...h,
          values: { ...h.values, windowPlacement: placement },
          score: i === 0 ? h.score : h.score * UNPLACED_PRIOR,
          reason: `${h.reason}; no pad shows under either placement of the window (read ${placed(clearer.placement)}), so it stays open`,
        })),
      ),
    };
  }
  const hypotheses = decided.flatMap(({ placement, result }) =>
    result.hypotheses.map((h) => {
      // A start that looks silent under the other placement is that placement's misreading of the pad.
      const contradicted = padded.placement !== placement && (h.values.center === false || h.metrics?.ambiguousEdge === true);
      const where = `window ${placed(placement)}`;
      return {
        ...h,
        values: { ...h.values, windowPlacement: placement },
        score: contradicted ? Math.min(h.score, CONTRADICTED) : h.score,
        reason: contradicted
          ? `${where}: ${h.reason}; but with the window ${placed(padded.placement)} the start shows a pad (${padded.result.hypotheses[0].reason})`
          : `${where}: ${h.reason}`,
      };
    }),
  );
  return { hypotheses: hypotheses.sort((a, b) => b.score - a.score) };
}

const placed = (p: WindowPlacement): string => (p === 'start' ? 'at the frame start' : 'centred in the frame');
