import type { Segments } from './window-imprint.js';

/**
 * The frame pairs the overlap test pools (shared/overlap-exactness.ts): consecutive sampled frames, and
 * why there are none worth testing.
 */

/** Indices i of segments whose successor is the next frame (the pairs the test pools). */
function consecutivePairs(s: Segments): Int32Array {
  const out: number[] = [];
  for (let i = 0; i + 1 < s.count; i++) if (s.frame[i + 1] === s.frame[i] + 1) out.push(i);
  return Int32Array.from(out);
}

/** Fewer consecutive pairs than this and ρ is not meaningful. */
const MIN_PAIRS = 4;
/** Relative frame-to-frame change under which the frames are the same (a constant input). */
const MIN_CHANGE = 1e-9;

/**
 * The consecutive pairs of `s`, or why the overlap test cannot run on them: too few usable frames, or
 * frames that are all the same (a constant file, or a tone whose period divides the hop), which fit
 * every hop and convention alike.
 */
export function overlapPairs(s: Segments): Int32Array | string {
  const pairs = consecutivePairs(s);
  if (pairs.length < MIN_PAIRS) {
    return `only ${pairs.length} consecutive frame pairs usable of ${s.read} sampled frames (${s.quiet} silent, ${s.floored} on the dB floor)`;
  }
  const change = frameChange(s, pairs);
  if (!(change >= MIN_CHANGE)) return `consecutive frames are identical (relative change ${change.toExponential(1)}): no time structure to align`;
  return pairs;
}

/** Mean relative change between consecutive segments. */
function frameChange(s: Segments, pairs: Int32Array): number {
  const N = s.nfft;
  let sum = 0;
  for (let p = 0; p < pairs.length; p++) {
    const o = pairs[p] * N;
    let d = 0;
    for (let n = 0; n < N; n++) d += (s.y[o + N + n] - s.y[o + n]) ** 2;
    sum += d / s.energy[pairs[p]];
  }
  return pairs.length > 0 ? sum / pairs.length : 0;
}
