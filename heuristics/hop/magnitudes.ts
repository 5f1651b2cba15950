import { type Evidence, sampleBlockStarts } from '../../src/analysis/evidence.js';
import { type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import type { TransformInput } from '../shared/transform-input.js';

/**
 * The hop without phase: weak by nature. Overlapping frames see the same samples, so a larger hop
 * decorrelates adjacent frames' log power faster; but the signal's own rate of change moves the same
 * number, so this only separates heavy from light overlap. Measured on the demo signal (512- and
 * 1024-point Hann frames): adjacent correlation 0.84–0.87 at hop nfft/8, 0.75–0.84 at nfft/4,
 * 0.67–0.79 at nfft/2, 0.47–0.68 at nfft; the common hop nearest the estimate comes first for about half
 * of them. Scores stay at or below MAX_SCORE; the common hops are the prior.
 */

const BLOCK_LENGTH = 32;
const BLOCKS = 6;
const MAX_SCORE = 0.25;
/** Calibration of the adjacent correlation c1 against the hop fraction a: c1 ≈ C0 − C1·a. */
const C0 = 0.9;
const C1 = 0.35;
/** Spread of the hop fraction a given c1 (the signal moves c1 by about ±0.1). */
const SPREAD = 0.3;
/** Common hops: relative to nfft with their prior, then the 10 / 12.5 ms values of common rates (DESIGN.md §4.6). */
const RELATIVE: [number, number][] = [
  [1 / 4, 1],
  [1 / 2, 0.8],
  [1 / 8, 0.5],
  [3 / 4, 0.3],
  [1, 0.3],
];
const ABSOLUTE = [160, 200, 220, 256, 275, 300, 441, 512];
const ABSOLUTE_PRIOR = 0.3;
/** A power below this fraction of the block's peak is silence; its log would dominate the statistic. */
const QUIET = 1e-10;

export function hopFromMagnitudes(evidence: Evidence, c: TransformInput, fixedHop?: number): AnalyzerResult {
  // magnitude-fit (the FGLA contrast) decided it, or the user pinned it: the decorrelation estimate is weaker.
  if (fixedHop !== undefined) return undecided('hop already fixed: the magnitude decorrelation estimate has nothing to add');
  const c1 = adjacentCorrelation(evidence, c);
  if (c1 === null) return undecided('no phase, and too few non-silent frames to measure how fast magnitudes decorrelate');
  const N = c.nfft;
  const a = Math.min(1, Math.max(0, (C0 - c1) / C1));
  const options = new Map<number, number>();
  for (const [f, prior] of RELATIVE) {
    const h = Math.round(f * N);
    if (h >= 1 && Number.isInteger(f * N)) options.set(h, Math.max(options.get(h) ?? 0, prior));
  }
  for (const h of ABSOLUTE) if (h <= N && !options.has(h)) options.set(h, ABSOLUTE_PRIOR);
  const hyps: Hypothesis[] = [...options].map(([h, prior]) => ({
    values: { hop: h },
    score: Math.max(1e-3, MAX_SCORE * prior * Math.exp(-(((h / N - a) / SPREAD) ** 2))),
    reason: `no phase: adjacent frames' log power correlates ${c1.toFixed(3)}, suggesting hop ≈ ${(a * N).toFixed(0)} (weak: the signal's own pace moves it); hop ${h} is a common value`,
    metrics: { adjacentCorrelation: Number(c1.toFixed(4)), hopEstimate: Math.round(a * N) },
  }));
  return { hypotheses: hyps.sort((x, y) => y.score - x.score) };
}

/** Correlation of adjacent frames' log power, each bin's mean over its block removed; null if nothing to measure. */
function adjacentCorrelation(evidence: Evidence, c: TransformInput): number | null {
  const B = c.bins;
  let num = 0;
  let den = 0;
  for (const m0 of sampleBlockStarts(c.frames, BLOCK_LENGTH, BLOCKS)) {
    const n = Math.min(BLOCK_LENGTH, c.frames - m0);
    if (n < 3) continue;
    const mag = evidence.decodedFrames(c, m0, n).magnitude;
    let peak = 0;
    for (let i = 0; i < n * B; i++) if (mag[i] > peak) peak = mag[i];
    if (!(peak > 0) || !Number.isFinite(peak)) continue;
    const floor = peak * peak * QUIET;
    const v = new Float64Array(n);
    for (let k = 0; k < B; k++) {
      let mu = 0;
      for (let i = 0; i < n; i++) {
        v[i] = Math.log(mag[i * B + k] ** 2 + floor);
        mu += v[i];
      }
      mu /= n;
      for (let i = 0; i + 1 < n; i++) {
        const a = v[i] - mu;
        const b = v[i + 1] - mu;
        num += a * b;
        den += 0.5 * (a * a + b * b);
      }
    }
  }
  return den > 0 && Number.isFinite(num / den) ? num / den : null;
}
