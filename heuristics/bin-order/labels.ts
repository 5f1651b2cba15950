import type { Evidence } from '../../src/analysis/evidence.js';
import type { FileEvidence } from '../../src/analysis/evidence.js';
import { isComplexDtype } from '../../src/config/types.js';
import { shapeCount } from '../../src/io/containers/types.js';

/**
 * The frequency axis a container may hold next to the STFT (scipy's `f, t, Zxx = stft(...)` saved with
 * np.savez, MATLAB's `[s, f, t] = stft(...)` saved to a .mat): a 1-D array of `bins` values named like a
 * frequency vector. Its direction is the bin order, stated by the maker: when a spectrogram is flipped
 * for display its frequency labels are flipped with it (np.flipud(f), axis 'YDir' 'reverse').
 */

const FREQUENCY_NAMES = /^(f|fs|freq|freqs|frequency|frequencies|f_?hz|hz|fft_?freqs?|bin_?freqs?)$/i;

export interface FrequencyLabels {
  name: string;
  /** +1 rising (ascending), −1 falling (descending). */
  direction: 1 | -1;
  first: number;
  last: number;
}

function labelsIn(f: FileEvidence, bins: number): FrequencyLabels | null {
  for (const a of f.container.arrays) {
    if (a.name === null || !FREQUENCY_NAMES.test(a.name) || isComplexDtype(a.dtype)) continue;
    if (a.shape.filter((d) => d > 1).length !== 1 || shapeCount(a.shape) !== bins) continue;
    let v: Float64Array;
    try {
      const src = f.source({ format: f.container.format, dtype: a.dtype, endian: a.endian, headerBytes: a.dataOffset ?? 0, variable: a.name });
      v = new Float64Array(bins);
      src.read(0, bins, v);
    } catch {
      continue;
    }
    // Strictly monotonic only: a frequency vector, not some other per-bin array.
    let up = true;
    let down = true;
    for (let k = 1; k < bins; k++) {
      if (!(v[k] > v[k - 1])) up = false;
      if (!(v[k] < v[k - 1])) down = false;
    }
    if (up || down) return { name: a.name, direction: up ? 1 : -1, first: v[0], last: v[bins - 1] };
  }
  return null;
}

/** The frequency labels next to the magnitudes (or the phases), or null when there are none. */
export function frequencyLabels(evidence: Evidence, bins: number): FrequencyLabels | null {
  return labelsIn(evidence.magnitude, bins) ?? (evidence.phase ? labelsIn(evidence.phase, bins) : null);
}
