import { type Convention, CONVENTIONS } from './transform-input.js';
import { type HopFit, overlapFits } from './detrended-overlap.js';
import { EXACT_DECADES, rawIndex, type TransformSegments } from './overlap-exactness.js';
import type { Segments } from './window-imprint.js';

/**
 * Ranking (hop, convention) readings by their overlap fit: the frame-boundary arbitration between
 * near-equal twins, and the scores an analyzer reports for ranked values.
 */

/**
 * The imprint (mean of y²/Σy² over the segments) at the frame boundary, j = 0 and nfft − 1 in
 * frame-start coordinates under a convention, relative to its mean over the frame, capped at 1. A real
 * window tapers there or ends before it (near 0); a misread convention leaves the window's middle at the
 * boundary (1). Flat (rectangular) imprints give 1 under every convention and decide nothing.
 */
export function boundaryShare(s: Segments, hop: number, conv: Convention, centre: number): number {
  const N = s.nfft;
  let edge = 0;
  for (let i = 0; i < s.count; i++) {
    const o = i * N;
    const m = s.frame[i];
    const a = s.y[o + rawIndex(0, m, hop, conv, centre, N)];
    const b = s.y[o + rawIndex(N - 1, m, hop, conv, centre, N)];
    edge += (a * a + b * b) / (2 * s.energy[i]);
  }
  // Each segment contributes 1 over the whole frame, so the imprint's mean is count/N.
  return s.count > 0 ? Math.min(1, (edge * N) / s.count) : 1;
}

/** A (hop, convention) with its overlap fit, boundary share and the value they give together. */
export interface RankedFit extends HopFit {
  boundary: number;
  /** fit − (boundary − the smallest boundary among its near-equals): what hypotheses are ranked by. */
  value: number;
}

/**
 * Fits closer than this are near-equals the boundary arbitrates: the twins below differ by a sample or
 * two of the overlap (0.01 of fit in a clean file, a few hundredths in a coarse one), while the truth
 * and any merely similar reading differ by 0.3 or more.
 */
const NEAR_EQUAL_FIT = 0.1;
/** Imprint share at the frame edge under which the segments show a real, tapering window. */
export const TAPERED = 0.3;

/**
 * Rank (hop, convention) fits by fit minus a boundary penalty. At hop ≈ nfft/2 a frame-start STFT is
 * also an exact window-centre STFT of opposite sign and hop nfft − hop (only a sample or two outside
 * the overlap differ): the window's imprint at the frame boundary tells them apart. The penalty is
 * counted only against near-equals whose window does taper at the boundary: a window that is not small
 * there (rectangular, or placed at the frame start) must not lose to a clearly worse reading that
 * happens to leave the window's silent part there, and between two flat imprints the boundary is just
 * the signal's local power (measured 0.84 against 0.90 on a rectangular twin pair), while the fit still
 * differs at the one or two positions the twins disagree on.
 */
export function rankFits(s: Segments, fits: HopFit[], centre: number): RankedFit[] {
  const withBoundary = fits.map((f) => ({ ...f, boundary: boundaryShare(s, f.hop, f.conv, centre), value: 0 }));
  for (const f of withBoundary) {
    const least = Math.min(...withBoundary.filter((o) => o.fit.fit >= f.fit.fit - NEAR_EQUAL_FIT).map((o) => o.boundary));
    f.value = f.fit.fit - (least < TAPERED ? f.boundary - least : 0);
  }
  return withBoundary.sort((a, b) => b.value - a.value);
}

/** Every convention at a known hop, ranked (with a per-pair trend projected out when none fits exactly). */
export function rankConventions(s: TransformSegments, pairs: Int32Array, hop: number, centre: number): RankedFit[] {
  const fits = overlapFits(
    s,
    pairs,
    CONVENTIONS.map((conv) => ({ hop, conv })),
    centre,
  );
  return rankFits(s, fits, centre);
}

/** A best value under this is no overlap at all; (value − FLOOR)/(EXACT − FLOOR) is the confidence. */
export const NO_OVERLAP = 0.5;
const VALUE_FLOOR = 0.3;
const VALUE_EXACT = 0.9;
/** Exponent turning value ratios into scores: a rival at 0.6 of the best value scores 0.017 of it. */
const SHARPNESS = 8;

/**
 * Scores for ranked values (best first): the best gets its confidence, the others fall off steeply
 * with their ratio to it, since only the true hypothesis reaches exactness 1. The confidence is scaled
 * by the precision of the best reading (its capacity over EXACT_DECADES): agreement to within coarse
 * quantisation is less decisive than agreement to round-off.
 */
export function relativeScores(values: number[], capacity: number): number[] {
  const best = values[0];
  const precision = Math.min(1, capacity / EXACT_DECADES);
  const conf = precision * Math.min(1, Math.max(0.05, (best - VALUE_FLOOR) / (VALUE_EXACT - VALUE_FLOOR)));
  return values.map((v) => Math.max(1e-3, conf * Math.max(0, v / best) ** SHARPNESS));
}
