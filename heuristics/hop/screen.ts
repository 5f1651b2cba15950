import { CONVENTIONS, type Convention } from '../shared/transform-input.js';
import { evenSubset, LagProfile, overlapFit, type TransformSegments } from '../shared/overlap-exactness.js';
import { type HopFit, overlapFits } from '../shared/detrended-overlap.js';
import { wrap } from '../shared/phase-advance.js';
import { measureDrift } from '../shared/window-imprint.js';

/**
 * Screening resolution: positions per frame for the shared lag table, positions per side of the overlap
 * for the absolute-time hypotheses, and frame pairs; the best few are then verified densely.
 */
const SCREEN_POSITIONS = 64;
const SCREEN_PER_SIDE = 16;
const SCREEN_PAIRS = 12;
const VERIFIED = 16;
const VERIFY_PER_SIDE = 128;
/**
 * An absolute-time reference moves the window's energy centre by ±hop (mod nfft) per frame: when the
 * pairs agree on that advance, absolute-time hops are screened only within ±nfft/DRIFT_WINDOW of it.
 */
const DRIFT_AGREEMENT = 0.6;
const DRIFT_WINDOW = 16;

/**
 * Every hop 1..nfft under every convention, best first: a coarse screen (sparse positions, a subset of
 * pairs), then the best VERIFIED (hop, convention) re-scored at more positions over every pair. A removed
 * trend lowers the truth's plain fit but leaves it on top of the screen (measured: first at 0.46 against
 * 0.07), so only the verification needs to be trend-aware.
 */
export function screenHops(s: TransformSegments, pairs: Int32Array, centre: number): HopFit[] {
  const N = s.nfft;
  const stride = Math.max(1, Math.floor(N / SCREEN_POSITIONS));
  const sub = evenSubset(pairs, SCREEN_PAIRS);
  const profile = new LagProfile(s, sub, stride);
  const drift = measureDrift(s);
  // The centre advances by sign·hop: conjugation reverses time, so a '−' file drifts backwards.
  const near =
    drift.agreement >= DRIFT_AGREEMENT
      ? (advance: number) => Math.abs(wrap((2 * Math.PI * (advance - drift.samples)) / N)) <= (2 * Math.PI) / DRIFT_WINDOW
      : () => true;
  // The best VERIFIED of the screen, kept sorted (thousands of candidates, a dozen kept).
  const top: { hop: number; conv: Convention; value: number }[] = [];
  const offer = (hop: number, conv: Convention, value: number): void => {
    if (!(value > (top.length < VERIFIED ? -Infinity : top[top.length - 1].value))) return;
    let i = top.length;
    while (i > 0 && top[i - 1].value < value) i--;
    top.splice(i, 0, { hop, conv, value });
    if (top.length > VERIFIED) top.pop();
  };
  for (let hop = 1; hop <= N; hop++) {
    for (const conv of CONVENTIONS) {
      if (conv.reference !== 'absolute-time') offer(hop, conv, profile.fit(hop, conv, centre));
      else if (near(conv.sign === '-' ? -hop : hop)) offer(hop, conv, overlapFit(s, sub, hop, conv, centre, SCREEN_PER_SIDE)?.fit ?? NaN);
    }
  }
  // Segments detrended before windowing fit no hop exactly: the verification then projects the trend out.
  return overlapFits(s, pairs, top, centre, VERIFY_PER_SIDE).sort((a, b) => b.fit.fit - a.fit.fit);
}
