import type { Evidence } from '../../src/analysis/evidence.js';
import type { BinOrder, PartialStftConfig } from '../../src/config/types.js';
import { completeStorage, sampleFrames, shapeOf } from '../shared/sampled-values.js';
import { type Analyzer, type AnalyzerResult, undecided } from '../types.js';
import { frequencyLabels } from '../shared/side-arrays.js';

/**
 * binOrder where the real bins cannot tell (DESIGN.md §1): an even one-sided spectrum flipped for display
 * (np.flipud) has real bins at both ends like an ascending one, and an even two-sided fftshifted one at 0
 * and N/2 like an ascending one. Consistency cannot tell either: a bin-reversed one-sided STFT is the STFT
 * of the spectrally inverted signal (x·(−1)^n, read conjugated), a half-rotated two-sided one that of
 * x·(−1)^n. What tells them is the sound: natural sound (speech, music, most recordings) has its energy
 * fall with frequency, so the typical level of a column must fall with its distance from DC. The witness
 * is the rank correlation ρ between each column's |frequency| under the ascending reading and its median
 * stored level over sampled frames (ranks and medians: the same for any monotone magnitude scale, dB
 * floors tie). ρ ≪ 0: ascending; ρ ≫ 0: the other order. A flat spectrum (white noise) or a weak tilt
 * gives both readings, ascending slightly preferred, so the ranking's confidence stays low. A frequency
 * vector saved beside the arrays (labels.ts) states the order outright and outweighs the tilt.
 */

const BLOCK = 16;
const BLOCKS = 6;
/** |ρ| below this is what a flat spectrum gives by chance over a few hundred columns: no evidence. */
const DEAD_ZONE = 0.25;
/** |ρ| this far past the dead zone is a full-strength tilt. */
const FULL_SPAN = 0.5;
/** Log-odds of the other order at a full-strength tilt (≈ 0.998). */
const FULL_LOGIT = 6;
/** Log-odds for ascending before the tilt is seen: DC first is how every STFT routine returns bins. */
const PRIOR_LOGIT = 0.5;
/** Log-odds a frequency vector in the file gives its own direction (it is the maker's statement). */
const LABEL_LOGIT = 9;

/** Average ranks (ties share their mean rank). */
function ranks(v: Float64Array): Float64Array {
  const idx = Array.from(v.keys()).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    for (let t = i; t <= j; t++) r[idx[t]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation of two equal-length series (0 when either is constant). */
export function spearman(a: Float64Array, b: Float64Array): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const mean = (n - 1) / 2;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (ra[i] - mean) * (rb[i] - mean);
    aa += (ra[i] - mean) ** 2;
    bb += (rb[i] - mean) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Median stored level of each column over the sampled frames (NaN cells skipped). */
function columnMedians(values: Float64Array, bins: number): Float64Array {
  const frames = Math.floor(values.length / bins);
  const out = new Float64Array(bins);
  const col = new Float64Array(frames);
  for (let k = 0; k < bins; k++) {
    let n = 0;
    for (let m = 0; m < frames; m++) {
      const v = values[m * bins + k];
      if (!Number.isNaN(v)) col[n++] = v;
    }
    const s = col.subarray(0, n).sort();
    out[k] = n ? (s[(n - 1) >> 1] + s[n >> 1]) / 2 : 0;
  }
  return out;
}

/** The tilt statistic ρ of a shape's magnitudes: negative when the level falls away from DC read ascending. */
export function tiltCorrelation(medians: Float64Array, sided: string): number {
  const n = medians.length;
  // |frequency| of stored column j read ascending: j one-sided, min(j, N−j) two-sided.
  const freq = Float64Array.from({ length: n }, (_, j) => (sided === 'two' ? Math.min(j, n - j) : j));
  return spearman(freq, medians);
}

function runBinOrder(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const storage = completeStorage(fixed.magnitudeFile);
  const shape = shapeOf(fixed);
  if (!storage || !shape || fixed.sided === undefined) return undecided('storage or shape not fixed');
  const other: BinOrder = fixed.sided === 'two' ? 'fftshift' : 'descending';
  // A complex file's level is its modulus (its real parts alone have no tilt: their median is 0).
  const s = sampleFrames(evidence, 'magnitude', storage, { ...shape, binOrder: undefined }, BLOCK, BLOCKS, true);
  const medians = columnMedians(s.values, s.bins);
  const rho = tiltCorrelation(medians, fixed.sided);
  const strength = Math.min(1, Math.max(0, Math.abs(rho) - DEAD_ZONE) / FULL_SPAN);
  let logit = Math.sign(rho) * FULL_LOGIT * strength - PRIOR_LOGIT;
  // Falling labels flip a one-sided spectrum; labels rising from −fs/2 shift a two-sided one.
  const labels = frequencyLabels(evidence, s.bins);
  const labelOther = labels ? (fixed.sided === 'two' ? labels.direction === 1 && labels.first < 0 : labels.direction === -1) : false;
  if (labels) logit = labelOther ? LABEL_LOGIT : -LABEL_LOGIT;
  const pOther = 1 / (1 + Math.exp(-logit));
  const frames = s.blockLength * s.blockCount;
  const metrics = {
    tiltCorrelation: Math.round(rho * 1000) / 1000,
    frames,
    pOther: Math.round(pOther * 1000) / 1000,
    ...(labels ? { frequencyLabels: `${labels.name}: ${labels.first} … ${labels.last}` } : {}),
  };
  const where = fixed.sided === 'two' ? 'its distance from DC (column 0, ascending) or from the middle column (fftshift)' : 'its column';
  const tilt =
    strength === 0
      ? `no clear tilt (|ρ| ≤ ${DEAD_ZONE}: a flat spectrum such as noise), ascending only by prior`
      : rho < 0
        ? 'the level falls with frequency read ascending, as natural sound does'
        : `the level rises with frequency read ascending: natural sound read ${other}`;
  const labelText = labels
    ? `the frequency vector "${labels.name}" beside the arrays runs ${labels.first} … ${labels.last} (${labelOther ? other : 'ascending'}); `
    : '';
  const reason = `${labelText}median level of ${s.bins} columns over ${frames} sampled frames against ${where}: rank correlation ρ = ${rho.toFixed(2)}; ${tilt}`;
  const hyps = [
    { values: { binOrder: 'ascending' as BinOrder }, score: 1 - pOther, reason, metrics },
    { values: { binOrder: other }, score: pOther, reason, metrics },
  ].sort((a, b) => b.score - a.score);
  return { hypotheses: hyps };
}

export const binOrder: Analyzer = {
  name: 'bin-order',
  stage: 'shape',
  decides: ['binOrder'],
  reads: ['magnitudeFile.variable'],
  needs: ['magnitudeFile.format', 'magnitudeFile.dtype', 'magnitudeFile.endian', 'magnitudeFile.headerBytes', 'frames', 'bins', 'layout', 'nfft', 'sided'],
  // Only where dims left it open (even nfft); a pinned or structurally decided order is not second-guessed.
  applies: (_e: Evidence, fixed: PartialStftConfig) => fixed.binOrder === undefined,
  run: runBinOrder,
};
