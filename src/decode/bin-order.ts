import type { BinOrder } from '../config/types.js';

/**
 * Where each stored bin sits in the ascending spectrum (DESIGN.md §1 `binOrder`). Every consumer reads
 * bins through FrameReader, which applies this once: analyzers, ranking and export all see DC first.
 *
 * - `descending`: np.flipud of a spectrogram, highest frequency first: stored j is bin bins−1−j.
 * - `fftshift` (two-sided, [−fs/2, fs/2)): DC at stored ⌊N/2⌋.
 * - `centred` (two-sided, (−fs/2, fs/2], MATLAB stft): DC at stored ⌈N/2⌉−1 (N/2−1 even, (N−1)/2 odd).
 */

/** Stored index of the DC bin under an order (for two-sided orders, bins = nfft). */
export function dcIndex(order: BinOrder, bins: number): number {
  if (order === 'descending') return bins - 1;
  if (order === 'fftshift') return Math.floor(bins / 2);
  if (order === 'centred') return Math.ceil(bins / 2) - 1;
  return 0;
}

/**
 * dest[j] = ascending index of stored bin j; null for `ascending` (nothing to move). A rotation for the
 * two-sided orders (ascending k = j − dc mod N), a reversal for `descending`.
 */
export function ascendingPositions(order: BinOrder | undefined, bins: number): Int32Array | null {
  if (order === undefined || order === 'ascending') return null;
  const dest = new Int32Array(bins);
  if (order === 'descending') {
    for (let j = 0; j < bins; j++) dest[j] = bins - 1 - j;
    return dest;
  }
  const dc = dcIndex(order, bins);
  for (let j = 0; j < bins; j++) dest[j] = (j - dc + bins) % bins;
  return dest;
}

/** Reorders `count` frame-major rows of `bins` values in place so that row[dest[j]] = stored row[j]. */
export function reorderRows(v: Float64Array, count: number, bins: number, dest: Int32Array, tmp: Float64Array): void {
  for (let i = 0; i < count; i++) {
    const o = i * bins;
    for (let j = 0; j < bins; j++) tmp[dest[j]] = v[o + j];
    v.set(tmp.subarray(0, bins), o);
  }
}
