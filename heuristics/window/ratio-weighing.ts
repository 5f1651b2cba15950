import { shape } from './families.js';
import type { WindowCandidate, WindowSearch } from './search.js';

/**
 * The named readings weighed by the overlap ratios (ratios.ts) the search measured: what the window
 * analyzer (index.ts) asks of each reading, once.
 */

/** A named window that misses the measured overlap ratios by more than this is not the file's window. */
export const RATIO_MISS = 5e-3;

/** A reading's ratio miss (null: the ratios cannot be measured, or no hop). */
export type MissOf = (c: WindowCandidate) => number | null;

/** The ratio miss of each reading's window at the search's hop, measured once per reading. */
export function ratioMisses(r: WindowSearch): MissOf {
  const memo = new Map<WindowCandidate, number | null>();
  return (c) => {
    let miss = memo.get(c);
    if (miss === undefined) {
      miss = r.ratios?.miss(c.layout, shape(c.family, c.param, c.layout.winLength, c.symmetry)) ?? null;
      memo.set(c, miss);
    }
    return miss;
  };
}

/** A reading and its imprint score, which the weighing scales. */
interface Scored {
  cand: WindowCandidate;
  score: number;
}

/** Named readings weighed by the ratios (weighByRatios): the most that are, by imprint score. */
const RATIO_WEIGHED = 24;
/** A named reading that meets the ratios to this (median) anchors the weighing: the file's own misses float32's by 1e-6. */
const RATIO_ANCHOR = 1e-3;
/** A reading that misses the ratios by this multiple of the best reading's miss is not the file's window. */
const RATIO_MISS_FACTOR = 10;
/** What such a reading keeps of its score. */
const RATIO_PENALTY = 0.01;

/**
 * Where a named reading meets the ratios w[i + hop] / w[i] that overlapping frames fix (to within
 * RATIO_ANCHOR), readings that miss them RATIO_MISS_FACTOR times worse lose their imprint score: the
 * imprint of a few seconds of speech cannot tell a Kaiser 8.6 from a Hann or a Blackman of its length
 * (all within a noise unit; Hann came first), the ratios can (Kaiser 2e-6, Hann and Blackman 1-3 %).
 * Returns what it did, or null (no hop, a drifting reference, no exact reading, coarse storage).
 */
export function weighByRatios(r: WindowSearch, scored: Scored[], hop: number | undefined, missFor: MissOf): string | null {
  if (hop === undefined || r.driftPerFrame !== 0) return null;
  const misses = new Map<Scored, number>();
  for (const s of [...scored].sort((a, b) => b.score - a.score).slice(0, RATIO_WEIGHED)) {
    const c = s.cand;
    if (hop >= c.layout.winLength) continue;
    const miss = missFor(c);
    if (miss !== null) misses.set(s, miss);
  }
  const best = Math.min(...misses.values());
  if (!(best <= RATIO_ANCHOR)) return null;
  let dropped = 0;
  for (const [s, miss] of misses)
    if (miss > RATIO_MISS_FACTOR * best && miss > RATIO_MISS / RATIO_MISS_FACTOR) {
      s.score *= RATIO_PENALTY;
      dropped++;
    }
  return dropped > 0 ? `${dropped} reading(s) miss the ratios overlapping frames fix by over ${RATIO_MISS_FACTOR}× the best (${best.toExponential(1)})` : null;
}
