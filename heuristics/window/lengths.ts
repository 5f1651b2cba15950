import { DURATION_LENGTHS } from '../shared/durations.js';

/**
 * Which window lengths the search fits (from the imprint's support and the lengths makers type) and the
 * prior on a length.
 */

/** Shortest window considered: a frame zero-padded beyond 16× its window is not a maker's choice. */
export function minWindowLength(N: number): number {
  return Math.max(8, Math.floor(N / 16));
}

/**
 * Window lengths worth fitting: the support of the imprint above a few thresholds (plus one or two
 * samples for zero-valued window ends), the frame length, and common lengths inside that range.
 */
export function candidateLengths(J: Float64Array): number[] {
  const N = J.length;
  const min = Math.min(N, minWindowLength(N));
  let peakAt = 0;
  for (let n = 1; n < N; n++) if (J[n] > J[peakAt]) peakAt = n;
  const peak = J[peakAt];
  const out = new Set<number>([N]);
  let lo = N;
  let hi = 0;
  for (const rel of [1e-3, 1e-6, 1e-10]) {
    const A = arcLength(J, peakAt, peak * rel);
    lo = Math.min(lo, A);
    hi = Math.max(hi, A);
    for (let d = 0; d <= 2; d++) if (A + d <= N && A + d >= min) out.add(A + d);
  }
  for (let L = Math.max(min, lo); L <= Math.min(N, hi + 16); L++) if (isCommonLength(L, N)) out.add(L);
  return [...out].sort((a, b) => a - b);
}

/** Length of the circular run around `at` where J stays above thr. */
function arcLength(J: Float64Array, at: number, thr: number): number {
  const N = J.length;
  let right = 0;
  while (right < N - 1 && J[(at + right + 1) % N] > thr) right++;
  let left = 0;
  while (left + right < N - 1 && J[(at - left - 1 + N) % N] > thr) left++;
  return 1 + left + right;
}

/**
 * Lengths makers use: the frame itself, powers of two, round numbers, 3/4 and 1/2 of the frame, and
 * durations at common rates (40 ms at 44.1 kHz is 1764: a torch win_length of 1764 in n_fft 2048 once
 * lost to a 1762, its imprint's near-tie, and never reached consistency).
 */
export function isCommonLength(L: number, N: number): boolean {
  return L === N || (L & (L - 1)) === 0 || L % 100 === 0 || 4 * L === 3 * N || 2 * L === N || DURATION_LENGTHS.has(L);
}

/** Prior weight of a window length (near-identical fits: sym hann 512 ≡ periodic hann 511 centred). */
export function lengthPrior(L: number, N: number): number {
  if (isCommonLength(L, N)) return 1;
  if (L % 10 === 0 || L % 16 === 0) return 0.5;
  return L % 2 === 0 ? 0.2 : 0.1;
}
