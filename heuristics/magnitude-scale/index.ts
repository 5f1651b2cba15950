import type { Evidence } from '../../src/analysis/evidence.js';
import { isComplexDtype, type MagnitudeScale, type PartialStftConfig } from '../../src/config/types.js';
import {
  completeStorage,
  dequantise,
  fmt,
  lagCorrelation,
  type Plateau,
  plateauAtMin,
  quantumOf,
  sampleFrames,
  shapeOf,
  type TailFit,
  tailAboveFloor,
} from '../shared/sampled-values.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import { localMinimumTail } from './local-minima.js';

/**
 * magnitude-scale: how a stored magnitude value decodes to |X| (DESIGN.md §1), plus its clipped floor.
 *
 * Every scale is either a log (v = a·ln|X| + b: db a = 20/ln10, db10 10/ln10, ln 1, log10 1/ln10) or a
 * power (v = c·|X|^p: linear 1, power 2, power-law-p). The witness of a and p is universal: near its
 * zeros a complex STFT has P(|X| < r) ∝ r², so the lower tail of ln|X| is exponential with rate 2
 * (measured 1.9–2.1 on speech-like, noise, chirp and pure-tone signals, Hann/rectangular/Blackman,
 * nfft 256–1024). In stored units the rate is 2/a (log scales, tail of v) or 2/p (powers, tail of ln v),
 * independent of any gain or offset. Which domain is right shows in the tail's shape: in the wrong one
 * the rate drifts with depth. Negative values rule out every power; a plateau of cells on the minimum
 * is a clipped floor (librosa top_db) and censors the tail. Gain is never identifiable from values (g·X
 * is the STFT of g·x): it is reported 'unknown' and the reconstruction is normalised.
 */

const BLOCK = 8;
const BLOCKS = 24;
/** Share of the cells whose lowest values make the tail fit (measured: rate within ±10 % at 0.3–3 %). */
const TAIL_FRACTION = 0.01;
const MIN_CELLS = 300;
/** Family weight of a reading whose tail is censored by a heavy floor, so its shape went unchecked. */
const UNCHECKED_TAIL = 0.3;
const FULL_CONFIDENCE_CELLS = 3000;

interface Candidate {
  scale: MagnitudeScale;
  family: 'log' | 'power';
  /** log: stored units per neper of |X|; power: exponent p. */
  exponent: number;
  /** Tie-breaker for common conventions (relative; only matters between near-equal fits). */
  prior: number;
}

const LN10 = Math.LN10;
const LOG_CANDIDATES: Candidate[] = [
  { scale: 'db', family: 'log', exponent: 20 / LN10, prior: 1 },
  { scale: 'db10', family: 'log', exponent: 10 / LN10, prior: 0.6 },
  { scale: 'ln', family: 'log', exponent: 1, prior: 0.8 },
  { scale: 'log10', family: 'log', exponent: 1 / LN10, prior: 0.6 },
];

/** Named power laws: linear and power, and the compressions in common use (0.3, √, cube-root-of-power...). */
const POWER_CANDIDATES: Candidate[] = [
  { scale: 'linear', family: 'power', exponent: 1, prior: 1 },
  { scale: 'power', family: 'power', exponent: 2, prior: 1 },
  ...[0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1.5, 3].map((p): Candidate => ({
    scale: `power-law-${p}`,
    family: 'power',
    exponent: p,
    prior: p === 0.5 || p === 0.3 ? 0.6 : 0.3,
  })),
];

/**
 * log1p = ln(1+|X|) has the linear low tail (log1p(a) ≈ a for a ≪ 1) and only compresses above |X| ≈ 1,
 * which no distribution statistic separates from the signal's own level distribution: it is offered
 * as a runner-up of linear, for the consistency ranking to arbitrate (they differ by > 10 dB there).
 */
const LOG1P_PRIOR = 0.35;
/** Peak over median (nepers, 35 ≈ 300 dB) beyond which a log1p reading is implausible (audio: 5–15). */
const LOG1P_MAX_SPAN = 35;

export const magnitudeScale: Analyzer = {
  name: 'magnitude-scale',
  stage: 'values',
  decides: ['magnitudeScale', 'dbFloor', 'gain'],
  needs: ['magnitudeFile.format', 'magnitudeFile.dtype', 'magnitudeFile.endian', 'magnitudeFile.headerBytes', 'frames', 'bins', 'layout', 'nfft', 'sided'],
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  reads: ['binOrder', 'magnitudeFile.variable'],
  applies: () => true,
  run: (evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult => analyse(evidence, fixed),
};

/** Sampled magnitudes split into what the statistics use. */
interface MagnitudeSample {
  /** Finite values of the interior bins (DC and Nyquist are real-valued: their tail is P ∝ r, not r²). */
  values: Float64Array;
  /** The block data with its bin period, for the adjacent-cell structure check. */
  blocks: Float64Array;
  bins: number;
  blockLength: number;
  kLo: number;
  kHi: number;
  /** NaN or +Inf cells: a wrong storage hypothesis. */
  bad: number;
  /** -Inf cells: log of exact zeros (a log scale without amin). */
  negInf: number;
}

function sample(evidence: Evidence, fixed: PartialStftConfig): MagnitudeSample | string {
  const storage = completeStorage(fixed.magnitudeFile);
  const shape = shapeOf(fixed);
  const { nfft, sided } = fixed;
  if (!storage || !shape || nfft === undefined || sided === undefined) return 'storage or shape not fixed';
  const s = sampleFrames(evidence, 'magnitude', storage, shape, BLOCK, BLOCKS);
  // Interior bins of the non-redundant half: a two-sided spectrum repeats every value (ties on the
  // minimum would look like a floor), DC and Nyquist are real (their low tail is P ∝ r).
  const unique = sided === 'two' ? Math.floor(nfft / 2) + 1 : shape.bins;
  const kLo = 1;
  const kHi = Math.min(shape.bins, sided !== 'one-no-nyquist' && nfft % 2 === 0 ? unique - 1 : unique);
  const frames = s.blockLength * s.blockCount;
  const values = new Float64Array(frames * Math.max(0, kHi - kLo));
  let n = 0;
  let bad = 0;
  let negInf = 0;
  for (let m = 0; m < frames; m++) {
    for (let k = kLo; k < kHi; k++) {
      const v = s.values[m * s.bins + k];
      if (Number.isFinite(v)) values[n++] = v;
      else if (v === -Infinity) negInf++;
      else bad++;
    }
  }
  return { values: values.slice(0, n), blocks: s.values, bins: s.bins, blockLength: s.blockLength, kLo, kHi, bad, negInf };
}

/** Correlation of adjacent cells (along frequency, along time), in a domain where scales are ~linear in ln|X|. */
function structure(s: MagnitudeSample, toLog: (v: number) => number): number {
  const x = s.blocks.map(toLog);
  const { bins, blockLength, kLo, kHi } = s;
  const inBins = (i: number): boolean => {
    const k = i % bins;
    return k >= kLo && k + 1 < kHi;
  };
  const freq = lagCorrelation(x, 1, inBins);
  const time = lagCorrelation(x, bins, (i) => {
    const k = i % bins;
    return k >= kLo && k < kHi && Math.floor(i / bins) % blockLength !== blockLength - 1;
  });
  return Math.max(freq, time);
}

interface Scored {
  c: Candidate | 'log1p';
  weight: number;
  fit: number;
  dbFloor: number | null;
  reason: string;
}

function analyse(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const storage = completeStorage(fixed.magnitudeFile);
  const gain = fixed.gain === undefined ? { gain: 'unknown' as const } : {};
  if (storage && isComplexDtype(storage.dtype)) {
    return {
      hypotheses: [
        {
          values: { magnitudeScale: 'linear', dbFloor: null, ...gain },
          score: 1,
          reason: `complex storage (${storage.dtype}): |re + i·im| is the linear magnitude`,
          metrics: { complex: true },
        },
      ],
    };
  }
  const s = sample(evidence, fixed);
  if (typeof s === 'string') return undecided(s);
  const total = s.values.length + s.bad + s.negInf;
  if (s.bad > 0.001 * total) {
    return undecided(`${fmt((100 * s.bad) / total)} % of ${total} sampled magnitudes are NaN/+Inf: storage hypothesis looks wrong`);
  }
  if (s.values.length < MIN_CELLS) return undecided(`only ${s.values.length} finite interior magnitudes sampled: too few for a tail fit`);
  const quantum = quantumOf(storage?.dtype ?? 'float64');
  const sorted = s.values.slice().sort();
  const n = sorted.length;
  if (sorted[0] === sorted[n - 1]) return undecided(`all ${n} sampled magnitudes equal ${fmt(sorted[0])}: constant or silent input`);

  const plateau = plateauAtMin(sorted, quantum);
  const body = plateau ? sorted.slice(plateau.count) : sorted.slice();
  if (quantum > 0) {
    dequantise(body, quantum);
    body.sort();
  }
  let negatives = 0;
  for (let i = 0; i < n && sorted[i] < 0; i++) negatives++;
  const negShare = negatives / n;
  // Magnitudes, powers and power laws are never negative; -Inf is the log of an exact zero.
  const logOnly = negShare > 1e-3 || s.negInf > 0;
  const floorShare = plateau ? plateau.count / n : 0;

  const log = tailAboveFloor(body, TAIL_FRACTION, plateau ? plateau.value : null, plateau ? plateau.count : 0, quantum);
  const logFit = log.fit;
  let powFit: TailFit | null = null;
  let powContiguous = false;
  let zeros = 0;
  if (!logOnly) {
    // ln of the positive values; exact zeros (digital silence) are not part of the tail, a positive
    // clip (amin) censors it.
    let first = 0;
    while (first < body.length && !(body[first] > 0)) first++;
    const lnBody = body.slice(first).map(Math.log);
    const clip = plateau && plateau.value > 0 ? plateau : null;
    zeros = plateau && !clip ? plateau.count + first : first;
    const pow = tailAboveFloor(lnBody, TAIL_FRACTION, clip ? Math.log(clip.value) : null, clip ? clip.count : 0);
    powFit = pow.fit;
    powContiguous = pow.contiguous;
  }
  if (!logFit && !powFit) return undecided(`too few cells above the floor for a tail fit (${body.length})`);

  // A floor holding more than a few % of the cells sits in the bulk, not in the r² tail: the density
  // just above it is flatter than the tail's, so the rate is underestimated and the measured exponent
  // is only an upper bound. Then a candidate above it is ruled out as usual and any below it stays
  // (priors and the floor's depth order them; the consistency ranking arbitrates).
  // Per family: exact zeros are a plateau for the log reading but silence for the power one.
  const heavyLog = floorShare > 0.02 && log.contiguous;
  const heavyPow = floorShare > 0.02 && powContiguous;
  // Zeros are silence, not a clip; a positive plateau is a clip (amin) and stays a floor.
  const powFloor = plateau && plateau.value > 0 ? plateau.value : null;
  // The power family read from local minima (local-minima.ts) where it can be: float cells (integer
  // codes tie) and a tail no heavy floor censors; else the file-wide tail of ln(stored).
  const shape = shapeOf(fixed);
  const local = powFit && storage && shape && quantum === 0 && !heavyPow ? localMinimumTail(evidence, storage, shape, s.kLo, s.kHi, powFloor) : null;
  const powTail = local ?? powFit;
  const scored: Scored[] = [];
  const familyWeight = (f: TailFit, est: number, lo: number, hi: number): number => {
    const s2 = 0.12 + Math.sqrt(8 / f.k);
    const drift = f.drift / s2;
    const outside = Math.log(est / Math.min(hi, Math.max(lo, est))) / 0.25;
    return Math.exp(-0.5 * (drift * drift + outside * outside));
  };
  const consider = (fit: TailFit, cands: Candidate[], wFam: number, floorValue: number | null, heavyFloor: boolean, what: string): void => {
    const est = 2 / fit.rate;
    const sigma = 0.1 + 1 / Math.sqrt(fit.k);
    for (const c of cands) {
      const z = heavyFloor && c.exponent < est ? 0 : Math.log(c.exponent / est) / sigma;
      const fitScore = wFam * Math.exp(-0.5 * z * z) * floorPlausibility(c, floorValue, sorted[n - 1], heavyFloor);
      scored.push({
        c,
        weight: fitScore * c.prior,
        fit: fitScore,
        dbFloor: floorValue,
        reason: `${what} ${fmt(fit.rate)} → ${fmt(est)}${heavyFloor ? ' (an upper bound: the floor censors the tail)' : ''} (${c.scale}: ${fmt(c.exponent)}), tail drift ${fmt(fit.drift)}`,
      });
    }
  };
  let logW = 0;
  let powW = 0;
  if (logFit) {
    // a between 0.3 (below log10) and 12 (above dB) stored units per neper; a heavy floor only bounds it.
    // A censored tail is unchecked (no drift): it yields to a family whose tail was checked.
    logW = familyWeight(logFit, 2 / logFit.rate, 0.3, heavyLog ? Infinity : 12) * (heavyLog ? UNCHECKED_TAIL : 1);
    consider(logFit, LOG_CANDIDATES, logW, plateau ? plateau.value : null, heavyLog, 'lower-tail rate of stored values');
  }
  if (powTail) {
    powW = familyWeight(powTail, 2 / powTail.rate, 0.08, heavyPow ? Infinity : 4) * (heavyPow ? UNCHECKED_TAIL : 1);
    const what = local
      ? `lower-tail rate of ln(local minimum / neighbours' median) over ${local.kept} of ${local.minima} minima`
      : 'lower-tail rate of ln(stored)';
    consider(powTail, POWER_CANDIDATES, powW, powFloor, heavyPow, what);
    const lin = scored.find((x) => x.c !== 'log1p' && x.c.scale === 'linear');
    // Read as log1p, a peak of v stands for e^v − 1: a peak this far above the median (in nepers) is
    // no audio STFT (a linear file peaking at 161 would span 1400 dB), so the twin is not offered.
    const log1pSpan = sorted[n - 1] - Math.log(Math.max(Math.expm1(sorted[n >> 1]), Number.MIN_VALUE));
    if (lin && log1pSpan <= LOG1P_MAX_SPAN) {
      // Up to v = 0.5 log1p (e^v − 1) and linear (v) decode within 30 %: below that, nearly the same thing.
      const prior = sorted[n - 1] > 0.5 ? LOG1P_PRIOR : LOG1P_PRIOR / 3;
      scored.push({
        ...lin,
        c: 'log1p',
        weight: lin.fit * prior,
        reason: `${lin.reason.replace('linear', 'log1p')}; same low tail as linear, max ${fmt(sorted[n - 1])}`,
      });
    }
  }

  const sum = scored.reduce((a, x) => a + x.weight, 0);
  const bestFit = Math.max(...scored.map((x) => x.fit));
  if (!(sum > 0) || !(bestFit > 1e-6)) {
    return undecided(`no scale fits the lower tail (log rate ${logFit ? fmt(logFit.rate) : '-'}, ln-rate ${powTail ? fmt(powTail.rate) : '-'})`);
  }
  // Confidence caps: real STFT cells correlate with their neighbours (window overlap, spectral
  // envelope); i.i.d. noise does not. Tiny samples give loose tails.
  const familyIsLog = logW >= powW;
  const rho = structure(s, familyIsLog ? (v) => v : (v) => (v > 0 ? Math.log(v) : NaN));
  let cap = Math.min(1, bestFit / 0.3);
  const notes: string[] = [];
  if (rho < 0.2) {
    cap = Math.min(cap, 0.3);
    notes.push(`adjacent cells barely correlate (ρ ${fmt(rho)}): not STFT-like`);
  }
  if (n < FULL_CONFIDENCE_CELLS) {
    cap = Math.min(cap, 0.5);
    notes.push(`only ${n} cells`);
  }
  const common = [
    `${n} interior cells`,
    negShare > 0 ? `${fmt(100 * negShare)} % negative` : 'none negative',
    plateau ? `plateau of ${fmt(100 * floorShare)} % at ${fmt(plateau.value)} (max − ${fmt(sorted[n - 1] - plateau.value)})` : '',
    zeros > 0 ? `${zeros} exact zeros` : '',
    `log/power family weights ${fmt(logW)}/${fmt(powW)}`,
    ...notes,
  ].filter((x) => x !== '');
  const gainNote = fixed.gain === undefined ? '; gain unknown (g·X is the STFT of g·x: not identifiable from values)' : '';
  const ranked = scored.map((x) => ({ x, score: (cap * x.weight) / sum })).sort((a, b) => b.score - a.score);
  const kept = ranked.filter((h, i, all) => i < 6 && h.score >= 0.01 * all[0].score && h.score > 1e-4);
  if (evidence.phase !== null && powFit) keepForOverlap(ranked, kept);
  const hyps: Hypothesis[] = kept.map(({ x, score }) => {
    const scale: MagnitudeScale = x.c === 'log1p' ? 'log1p' : x.c.scale;
    return {
      values: { magnitudeScale: scale, dbFloor: x.dbFloor, ...gain },
      score,
      reason: `${x.reason}; ${common.join(', ')}${gainNote}`,
      metrics: metrics(x, logFit, powTail, negShare, plateau, floorShare, rho, n),
    };
  });
  return { hypotheses: hyps };
}

/** The scales the overlap test always gets to judge when there is phase, and their least relative score. */
const OVERLAP_JUDGED: readonly MagnitudeScale[] = ['linear', 'power'];
const OVERLAP_FLOOR = 0.05;

/**
 * With phase, the transform stage's overlap test is exact under the right magnitude scale and fails
 * under a wrong one, while the tail rate of real recordings strays far from the r² law (measured on
 * linear torch/aubio/mlab STFTs of espeak speech with digital silence: ln-rate 0.93–1.26, read as
 * power). So linear and power always stay among the first branches, at OVERLAP_FLOOR of the best at
 * least, for consistency to decide; the tail still orders them.
 */
function keepForOverlap(ranked: { x: Scored; score: number }[], kept: { x: Scored; score: number }[]): void {
  const best = kept[0]?.score ?? 0;
  for (const scale of OVERLAP_JUDGED) {
    const at = kept.findIndex((h) => h.x.c !== 'log1p' && h.x.c.scale === scale);
    if (at >= 0 && at < 3) {
      kept[at] = { ...kept[at], score: Math.max(kept[at].score, OVERLAP_FLOOR * best) };
      continue;
    }
    const h = at >= 0 ? kept.splice(at, 1)[0] : ranked.find((r) => r.x.c !== 'log1p' && r.x.c.scale === scale);
    if (h) kept.splice(Math.min(kept.length, 2), 0, { ...h, score: Math.max(h.score, OVERLAP_FLOOR * best) });
  }
  kept.sort((a, b) => b.score - a.score);
  // The search branches on the first hypotheses in order (4): sorted, three power laws above the floor
  // pushed linear and power out of reach (Octave specgram: power-law-0.2/0.1/0.25/0.3 first). Past the
  // two best, the judged scales go first: the one place where this list is not best first.
  const judged = (h: { x: Scored }, i: number): boolean => i >= 2 && h.x.c !== 'log1p' && OVERLAP_JUDGED.includes(h.x.c.scale);
  const moved = kept.filter(judged);
  const others = kept.filter((h, i) => !judged(h, i));
  kept.splice(0, kept.length, ...others.slice(0, 2), ...moved, ...others.slice(2));
}

/**
 * How plausible a clip at `floor` is under a candidate, from its depth below the peak in dB of |X|.
 * Log scales: top_db-style floors (holding many cells) sit 40–130 dB down (librosa 80); within 20 dB
 * it is no floor, and hundreds of dB (80 stored units read as ln: 695 dB) is no audio. Powers: only
 * an amin clip, far down (−100 dB); a "floor" within 60 dB of the peak is more likely another scale
 * with an offset (uint8 dB clipped at max − 80 reads as a power law whose floor is 11 dB down).
 */
function floorPlausibility(c: Candidate, floor: number | null, max: number, heavy: boolean): number {
  if (floor === null || !(max > floor)) return 1;
  let z: number;
  if (c.family === 'log') {
    const depthDb = ((max - floor) / c.exponent) * (20 / LN10);
    // Only a floor holding many cells must be a top_db one; a deep amin clip of silence may be anywhere.
    z = depthDb < 20 ? (20 - depthDb) / 5 : heavy ? Math.max(0, (depthDb - 130) / 30) : 0;
  } else {
    const depthDb = floor > 0 ? (20 * Math.log10(max / floor)) / c.exponent : Infinity;
    z = Math.max(0, (60 - depthDb) / 10);
  }
  return Math.exp(-0.5 * z * z);
}

function metrics(
  x: Scored,
  logFit: TailFit | null,
  powFit: TailFit | null,
  negShare: number,
  plateau: Plateau | null,
  floorShare: number,
  rho: number,
  n: number,
): Record<string, number | string | boolean> {
  const m: Record<string, number | string | boolean> = { cells: n, negativeShare: negShare, floorShare, adjacentCorrelation: rho, fit: x.fit };
  if (logFit) Object.assign(m, { logTailRate: logFit.rate, logTailDrift: logFit.drift, unitsPerNeper: 2 / logFit.rate });
  if (powFit) Object.assign(m, { lnTailRate: powFit.rate, lnTailDrift: powFit.drift, exponent: 2 / powFit.rate });
  if (plateau) m.floorValue = plateau.value;
  return m;
}
