import type { Evidence } from '../../src/analysis/evidence.js';
import type { FileStorage } from '../../src/config/types.js';
import type { MatrixShape } from '../../src/decode/frames.js';
import { exponentialTailRate, sampleFrames, type TailFit } from '../shared/sampled-values.js';

/**
 * The r² law read locally. Near an isolated zero a complex STFT grows linearly with the distance, so a
 * cell that is the minimum of its 3×3 neighbourhood, divided by its neighbours' median, has
 * P(ratio < r) ∝ r^(2/p) in stored units of exponent p, whatever the level around it. The file-wide
 * tail mixes levels instead: fades, silences and quiet bands put whole regions in it, and on short
 * real recordings its ln-rate strayed to 0.23–5 for linear files (expected 2). Two kinds of minima do
 * not follow the law and are left out: those on a boundary between silence and signal (the most
 * heterogeneous neighbourhoods: only the SPREAD_QUANTILE most even are kept, a rank that no power of
 * the values changes) and the repeats of one stationary dip along time (only strict minima count, so
 * a dip held over many frames counts about once).
 * Measured on the 45 real-producer fixtures (test/fixtures/real, power family): linear 1.47–2.94,
 * power 0.80–1.27 (the file-wide tail: 0.23–5.06 and 0.77–0.81 on the same files).
 */

/** Share of the local minima kept, the most even neighbourhoods first. */
const SPREAD_QUANTILE = 0.6;
/** Share of the kept ratios, the deepest, that make the tail fit. */
const TAIL_SHARE = 0.2;
const MIN_TAIL = 16;
/** Frames read whole when the file has no more (small files: blocks would overlap and repeat cells). */
const WHOLE_FILE_FRAMES = 192;
const BLOCK = 16;
const BLOCKS = 12;

/** The tail fit (rate 2/p of ln(min / neighbours' median), its deep rate and drift) and what it read. */
export interface LocalTail extends TailFit {
  /** Local minima found, and kept after the spread cut. */
  minima: number;
  kept: number;
}

/**
 * Lower-tail rate of local minima over interior bins [kLo, kHi). Cells at or below `clip` (an amin
 * floor), zeros and non-finite cells never enter a neighbourhood. Null when too few minima.
 */
export function localMinimumTail(
  evidence: Evidence,
  storage: FileStorage,
  shape: MatrixShape,
  kLo: number,
  kHi: number,
  clip: number | null,
): LocalTail | null {
  const whole = shape.frames <= WHOLE_FILE_FRAMES;
  const s = sampleFrames(evidence, 'magnitude', storage, shape, whole ? shape.frames : BLOCK, whole ? 1 : BLOCKS);
  const { values: v, bins, blockLength } = s;
  const floor = clip ?? 0;
  const spreads: number[] = [];
  const ratios: number[] = [];
  const nb = new Float64Array(8);
  for (let b = 0; b < s.blockCount; b++) {
    for (let m = 1; m + 1 < blockLength; m++) {
      const row = (b * blockLength + m) * bins;
      for (let k = kLo + 1; k + 1 < kHi; k++) {
        const c = v[row + k];
        if (!(c > floor) || !Number.isFinite(c)) continue;
        let j = 0;
        let lo = Infinity;
        let hi = -Infinity;
        for (let dm = -bins; dm <= bins; dm += bins) {
          for (let dk = -1; dk <= 1; dk++) {
            if (dm === 0 && dk === 0) continue;
            const x = v[row + dm + k + dk];
            nb[j++] = x;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
        }
        if (!(c < lo) || !(lo > floor) || !Number.isFinite(hi)) continue;
        nb.sort();
        spreads.push(Math.log(hi / lo));
        ratios.push(Math.log(c / (0.5 * (nb[3] + nb[4]))));
      }
    }
  }
  const minima = ratios.length;
  if (minima === 0) return null;
  const cut = [...spreads].sort((a, b) => a - b)[Math.floor(SPREAD_QUANTILE * (minima - 1))];
  const kept = ratios.filter((_, i) => spreads[i] <= cut).sort((a, b) => a - b);
  const k = Math.round(TAIL_SHARE * kept.length);
  if (k < MIN_TAIL) return null;
  const rate = exponentialTailRate(kept, k);
  // As in lowerTailFit, the deepest cells' rate equals the rate when the domain is right; a quarter,
  // not an eighth: the tail holds tens to hundreds of minima, not thousands of cells.
  const deepRate = exponentialTailRate(kept, Math.max(MIN_TAIL / 2, Math.round(k / 4)));
  if (!(rate > 0 && rate < Infinity)) return null;
  const drift = deepRate > 0 && deepRate < Infinity ? Math.log(deepRate / rate) : 0;
  return { rate, deepRate, k, drift, minima, kept: kept.length };
}
