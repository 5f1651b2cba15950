import { type Evidence, EvidenceCache, type FileEvidence } from '../../src/analysis/evidence.js';
import { isComplexDtype } from '../../src/config/types.js';
import { type ArrayEntry, shapeCount } from '../../src/io/containers/types.js';

/**
 * What a container may hold next to the STFT. The frequency axis (scipy's `f, t, Zxx = stft(...)` saved
 * with np.savez, MATLAB's `[s, f, t] = stft(...)` saved to a .mat): a 1-D array of `bins` values named
 * like a frequency vector. Its direction is the bin order, stated by the maker: when a spectrogram is
 * flipped for display its frequency labels are flipped with it (np.flipud(f), axis 'YDir' 'reverse');
 * its step is sampleRate/nfft. And a scalar named like a sample rate (`savemat(..., {'fs': fs})`).
 * Used by bin-order (the direction) and labels (the rate).
 */

const FREQUENCY_NAMES = /^(f|fs|freq|freqs|frequency|frequencies|f_?hz|hz|fft_?freqs?|bin_?freqs?)$/i;

export interface FrequencyLabels {
  name: string;
  /** +1 rising (ascending), −1 falling (descending). */
  direction: 1 | -1;
  first: number;
  last: number;
}

/** Names of a scalar sample rate. */
const RATE_NAMES = /^(fs|sr|srate|rate|sample_?rate|sampling_?rate|samplerate|samplingrate|sampling_?frequency)$/i;
/** Rates a scalar may state: audio, not a frame rate or a hop. */
const MIN_RATE = 1000;
const MAX_RATE = 768000;

/** The first `n` values of a side array, or null when it cannot be read. */
function readSide(f: FileEvidence, a: ArrayEntry, n: number): Float64Array | null {
  try {
    const src = f.source({ format: f.container.format, dtype: a.dtype, endian: a.endian, headerBytes: a.dataOffset ?? 0, variable: a.name });
    const v = new Float64Array(n);
    src.read(0, n, v);
    return v;
  } catch {
    return null;
  }
}

function labelsIn(f: FileEvidence, bins: number): FrequencyLabels | null {
  for (const a of f.container.arrays) {
    if (a.name === null || !FREQUENCY_NAMES.test(a.name) || isComplexDtype(a.dtype)) continue;
    if (a.shape.filter((d) => d > 1).length !== 1 || shapeCount(a.shape) !== bins) continue;
    const v = readSide(f, a, bins);
    if (!v) continue;
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

/**
 * Side arrays are read once per file: labels asks in `applies` and `run` for every state it meets, and
 * bin-order in every shape state.
 */
const labelsCache = new EvidenceCache<FrequencyLabels | null>();
const rateCache = new EvidenceCache<{ name: string; rate: number } | null>();

/** The frequency labels next to the magnitudes (or the phases), or null when there are none. */
export function frequencyLabels(evidence: Evidence, bins: number): FrequencyLabels | null {
  return labelsCache.get(evidence, String(bins), () => labelsIn(evidence.magnitude, bins) ?? (evidence.phase ? labelsIn(evidence.phase, bins) : null));
}

/** A whole sample rate stated by a scalar beside the arrays (its name and value), or null. */
export function statedRate(evidence: Evidence): { name: string; rate: number } | null {
  return rateCache.get(evidence, '', () => {
    for (const f of [evidence.magnitude, evidence.phase]) {
      if (!f) continue;
      for (const a of f.container.arrays) {
        if (a.name === null || !RATE_NAMES.test(a.name) || isComplexDtype(a.dtype) || shapeCount(a.shape) !== 1) continue;
        const v = readSide(f, a, 1)?.[0];
        if (v !== undefined && Number.isInteger(v) && v >= MIN_RATE && v <= MAX_RATE) return { name: a.name, rate: v };
      }
    }
    return null;
  });
}
