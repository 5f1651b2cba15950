import type { Evidence } from '../../src/analysis/evidence.js';
import { BYTES_PER_ELEMENT, type Dtype, isComplexDtype, type PartialStftConfig, type PhaseUnit } from '../../src/config/types.js';
import { completeStorage, fmt, quantumOf, sampleFrames, shapeOf } from '../shared/sampled-values.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, rejected, undecided } from '../types.js';

/**
 * phase-unit: the full cycle P of the stored phase (DESIGN.md §1: decode factor 2π/P).
 *
 * Three witnesses, each giving P in stored units:
 * - the DC bin is real for a real signal, so its phase is exactly 0 or ±P/2 in every frame (the bound
 *   itself names the unit: π radians, 180 degrees, 0.5 cycles, 32768 for int16 scaled to ±π);
 * - wrapped phase fills an interval of length P almost uniformly ([−P/2, P/2] or [0, P): the offset
 *   does not matter), so the sampled range is P minus a tiny gap;
 * - unwrapped phase (np.unwrap along time or frequency) runs far outside any bound, but its steps along
 *   the unwrapped axis are principal values, so the largest |step| is P/2.
 */

const BLOCK = 8;
const BLOCKS = 24;
const MIN_VALUES = 200;

interface Named {
  unit: PhaseUnit;
  period: number;
}

/** Periods with a name; integer storage adds its own 2^bits (`scaled-65536` for int16/uint16). */
function namedPeriods(dtype: Dtype): Named[] {
  const named: Named[] = [
    { unit: 'radians', period: 2 * Math.PI },
    { unit: 'degrees', period: 360 },
    { unit: 'cycles', period: 1 },
    // φ/π, "normalised phase" in [−1, 1].
    { unit: 'scaled-2', period: 2 },
  ];
  if (quantumOf(dtype) > 0) {
    const full = 2 ** (8 * BYTES_PER_ELEMENT[dtype]);
    named.push({ unit: `scaled-${full}`, period: full });
  }
  return named;
}

export const phaseUnit: Analyzer = {
  name: 'phase-unit',
  stage: 'values',
  decides: ['phaseUnit'],
  needs: ['phaseFile.format', 'phaseFile.dtype', 'phaseFile.endian', 'phaseFile.headerBytes', 'frames', 'bins', 'layout'],
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  reads: ['binOrder', 'phaseFile.variable'],
  applies: (evidence: Evidence, fixed: PartialStftConfig) => evidence.phase !== null && fixed.phaseFile !== null,
  run: (evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult => analyse(evidence, fixed),
};

/** The DC bin's values: real for a real signal, so its phase sits on 0 or ±P/2 (multiples of P/2 once unwrapped). */
class DcWitness {
  readonly values: number[] = [];
  /** Median |value| of the nonzero ones (P/2 for wrapped phase), 0 when all are zero. */
  readonly bound: number;
  readonly nonzero: number;
  private readonly zeroTol: number;

  constructor(
    stored: Float64Array,
    bins: number,
    private readonly quantum: number,
    private readonly lattice: boolean,
  ) {
    for (let i = 0; i < stored.length; i += bins) this.values.push(stored[i]);
    this.zeroTol = quantum > 0 ? 0.5 : 1e-9;
    const mags = this.values
      .map(Math.abs)
      .filter((a) => a > this.zeroTol)
      .sort((a, b) => a - b);
    this.nonzero = mags.length;
    this.bound = mags.length ? mags[mags.length >> 1] : 0;
  }

  /** Share of DC values at 0 or ±P/2 (wrapped) or on multiples of P/2 (unwrapped). */
  share(period: number): number {
    const half = period / 2;
    let on = 0;
    for (const v of this.values) {
      const a = Math.abs(v);
      // Integer storage rounds ±P/2 to a code and may clamp it (32768 → 32767); floats round relative
      // to the value (unwrapped values grow).
      const tol = this.quantum > 0 ? 1.01 : 1e-6 * Math.max(a, half);
      const j = this.lattice ? Math.round(a / half) : Math.min(1, Math.round(a / half));
      if (a <= this.zeroTol || Math.abs(a - j * half) <= tol) on++;
    }
    return this.values.length ? on / this.values.length : 0;
  }

  /** Enough nonzero DC values on the P lattice to pin P. */
  pins(period: number): boolean {
    return this.values.length >= 8 && this.nonzero >= 3 && this.share(period) >= 0.9;
  }
}

/** Largest |step| between neighbours along time (within blocks) and along frequency; Infinity without pairs. */
function maxSteps(values: Float64Array, bins: number, blockLength: number): { time: number; freq: number } {
  let time = blockLength > 1 ? 0 : Infinity;
  let freq = bins > 1 ? 0 : Infinity;
  const frames = values.length / bins;
  for (let m = 0; m < frames; m++) {
    const o = m * bins;
    for (let k = 0; k + 1 < bins; k++) freq = Math.max(freq, Math.abs(values[o + k + 1] - values[o + k]));
    if (m % blockLength !== blockLength - 1) {
      for (let k = 0; k < bins; k++) time = Math.max(time, Math.abs(values[o + bins + k] - values[o + k]));
    }
  }
  return { time, freq };
}

/** Share of 16 equal cells over [lo, hi] holding between half and twice their fair share. */
function flatness(values: Float64Array, lo: number, hi: number): number {
  const cells = new Float64Array(16);
  const w = (hi - lo) / 16;
  for (const v of values) cells[Math.min(15, Math.max(0, Math.floor((v - lo) / w)))]++;
  const fair = values.length / 16;
  return cells.filter((c) => c >= fair / 2 && c <= fair * 2).length / 16;
}

function analyse(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const storage = completeStorage(fixed.phaseFile);
  const shape = shapeOf(fixed);
  if (!storage || !shape) return undecided('phase storage or shape not fixed');
  if (isComplexDtype(storage.dtype)) return undecided(`phase file stored as ${storage.dtype}: not a phase stream`);
  const s = sampleFrames(evidence, 'phase', storage, shape, BLOCK, BLOCKS);
  const v = s.values;
  const n = v.length;
  let bad = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) bad++;
    else {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (bad > 0) return undecided(`${bad} of ${n} sampled phase values are NaN/Inf: storage hypothesis looks wrong`);
  if (n < MIN_VALUES) return undecided(`only ${n} phase values sampled: too few`);
  if (lo === hi) return undecided(`all ${n} sampled phase values equal ${fmt(lo)}: silent input or no phase`);

  const quantum = quantumOf(storage.dtype);
  const named = namedPeriods(storage.dtype);
  // Integer codes: the range covers P − 1 codes plus the one cell the top value stands for.
  const range = hi - lo + quantum;
  const steps = maxSteps(v, s.bins, s.blockLength);
  // Wrapped data jumps by nearly P somewhere along both axes; unwrapped data never steps by more than
  // P/2 along its unwrap axis while its range keeps growing.
  const unwrapAxis = steps.time < 0.6 * range ? 'time' : steps.freq < 0.6 * range ? 'frequency' : null;
  const dc = new DcWitness(v, s.bins, quantum, unwrapAxis !== null);
  const period = unwrapAxis ? 2 * Math.min(steps.time, steps.freq) : range;
  const flat = unwrapAxis ? 1 : flatness(v, lo, hi);
  // Expected shortfall of the sampled range below P: a few cells' worth of a uniform sample.
  const rangeTol = unwrapAxis ? 0.05 : Math.max(0.01, 8 / n) + quantum / Math.max(range, 1);
  const dcPinnedAny = !unwrapAxis && dc.pins(2 * dc.bound);

  const common = [
    `${n} values in [${fmt(lo)}, ${fmt(hi)}]`,
    unwrapAxis ? `unwrapped along ${unwrapAxis} (largest step ${fmt(period / 2)})` : `range ${fmt(range)}`,
    dc.nonzero > 0 ? `DC median |value| ${fmt(dc.bound)} (${dc.nonzero} of ${dc.values.length} frames nonzero)` : `DC all 0 in ${dc.values.length} frames`,
    unwrapAxis ? '' : `${fmt(100 * flat)} % of 16 cells near-uniform`,
  ].filter((x) => x !== '');

  // Multiples of 180 are multiples of 0.5 too: on a lattice only the coarsest fitting period is pinned.
  const coarsest = Math.max(0, ...named.filter((c) => dc.pins(c.period)).map((c) => c.period));
  const hyps: Hypothesis[] = [];
  for (const c of named) {
    const rangeErr = Math.abs(period / c.period - 1);
    const rangeOk = rangeErr <= rangeTol;
    const dcShare = dc.share(c.period);
    const dcOk = dc.pins(c.period) && (!unwrapAxis || c.period === coarsest);
    if (!rangeOk && !dcOk) continue;
    // The DC lattice is the decisive witness; a matching range alone is what any uniform data of that
    // span would show, so it is capped below a confident score.
    let score = (rangeOk ? 0.35 : 0) + (dcOk ? 0.5 : 0) + 0.1 * flat;
    if (rangeOk && dcOk) score = Math.max(score, 0.97);
    // The DC pins another period: this one only matches the range.
    if (!dcOk && dcPinnedAny) score *= 0.3;
    hyps.push({
      values: { phaseUnit: c.unit },
      score: Math.min(1, score),
      reason: `${c.unit} (period ${fmt(c.period)}): ${rangeOk ? 'range matches' : `range off by ${fmt(100 * rangeErr)} %`}, DC on ${unwrapAxis ? 'multiples of' : '0 or ±'}${fmt(c.period / 2)} in ${fmt(100 * dcShare)} % of frames; ${common.join(', ')}${unwrapAxis ? '; decoding is mod 2π, so unwrapped values decode as they are' : ''}`,
      metrics: {
        values: n,
        low: lo,
        high: hi,
        range,
        period: c.period,
        measuredPeriod: period,
        dcBound: dc.bound,
        dcShare,
        flatness: flat,
        unwrapped: unwrapAxis ?? 'no',
      },
    });
  }
  if (hyps.length === 0) {
    // An unnamed scaling (int16 at ±10000·π, say): offer the measured period itself, weakly.
    const p = dcPinnedAny ? 2 * dc.bound : period;
    if (flat < 0.75 && !dcPinnedAny) {
      // Neither spread over a period nor pinned at DC: not a phase stream under this reading (a
      // misaligned header, a wrong dtype). A unit the user pinned is theirs to keep.
      const why = `no phase unit fits: ${common.join(', ')}`;
      return fixed.phaseUnit === undefined ? rejected(`${why}: not phase under this reading`) : undecided(why);
    }
    const rounded = Number(p.toPrecision(quantum > 0 ? 6 : 4));
    hyps.push({
      values: { phaseUnit: `scaled-${rounded}` },
      score: dcPinnedAny ? 0.5 : 0.2,
      reason: `no named unit fits; period ${fmt(rounded)} from ${dcPinnedAny ? 'the DC bound' : 'the range'}: ${common.join(', ')}`,
      metrics: { values: n, low: lo, high: hi, measuredPeriod: p, dcBound: dc.bound, flatness: flat },
    });
  }
  return { hypotheses: hyps.sort((a, b) => b.score - a.score) };
}
