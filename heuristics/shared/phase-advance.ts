import { type Evidence, sampleBlockStarts } from '../../src/analysis/evidence.js';
import { BLOCK_LENGTH, BLOCKS, type Convention, type TransformInput } from './transform-input.js';

/** The phase-vocoder witness of a hop (DESIGN.md §4.6): Δφ ≈ 2π·k·hop/nfft on strong stationary bins. */

export interface PhaseAdvance {
  /** Share of strong stationary peak bins whose advance matches the hop within ±π·hop/nfft (×1.25). */
  agreement: number;
  /** The share a random phase would reach. */
  chance: number;
  bins: number;
}

/** Peaks below this fraction of their frame's largest magnitude are too weak to carry a clean phase. */
const PEAK_RELATIVE = 0.05;
/** Tolerance on |f − k/nfft| ≤ 1/(2·nfft) for the peak bin (vibrato, leakage). */
const ADVANCE_TOLERANCE = 1.25;

/**
 * The phase-vocoder witness (DESIGN.md §4.6): on a stationary partial the phase of its peak bin k
 * advances by 2π·f·hop per frame (frame-start reference), f within 1/(2·nfft) of k/nfft; an
 * absolute-time reference subtracts 2πk·hop/nfft, a conjugated phase flips the sign. Returns how often
 * the advance fits the (hop, convention), against the chance rate.
 */
export function phaseAdvance(evidence: Evidence, c: TransformInput, hop: number, conv: Convention): PhaseAdvance {
  const N = c.nfft;
  const half = Math.min(c.bins, Math.floor((N - 1) / 2));
  const sg = conv.sign === '-' ? -1 : 1;
  const abs = conv.reference === 'absolute-time' ? 1 : 0;
  const limit = Math.PI * (hop / N) * ADVANCE_TOLERANCE;
  let agree = 0;
  let total = 0;
  for (const m0 of sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS)) {
    const n = Math.min(BLOCK_LENGTH, c.frames - m0);
    const b = evidence.decodedFrames(c, m0, n);
    for (let i = 0; i + 1 < n; i++) {
      const o = i * c.bins;
      const o2 = o + c.bins;
      let peak = 0;
      for (let k = 0; k < half; k++) if (b.magnitude[o + k] > peak) peak = b.magnitude[o + k];
      for (let k = 1; k + 1 < half; k++) {
        const a = b.magnitude[o + k];
        if (!(a > peak * PEAK_RELATIVE) || a < b.magnitude[o + k - 1] || a < b.magnitude[o + k + 1]) continue;
        const a2 = b.magnitude[o2 + k];
        if (a2 < b.magnitude[o2 + k - 1] || a2 < b.magnitude[o2 + k + 1]) continue;
        const heterodyne = (2 * Math.PI * k * hop) / N;
        const d = Math.atan2(b.im[o2 + k], b.re[o2 + k]) - Math.atan2(b.im[o + k], b.re[o + k]);
        total++;
        if (Math.abs(wrap(sg * d + abs * heterodyne - heterodyne)) <= limit) agree++;
      }
    }
  }
  return { agreement: total > 0 ? agree / total : 0, chance: Math.min(1, (ADVANCE_TOLERANCE * hop) / N), bins: total };
}

/** x wrapped to [−π, π]. */
export function wrap(x: number): number {
  return x - 2 * Math.PI * Math.round(x / (2 * Math.PI));
}
