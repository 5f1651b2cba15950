import type { Evidence } from '../../src/analysis/evidence.js';
import type { BinOrder, Dtype, Layout, PartialStftConfig } from '../../src/config/types.js';
import { memoryLayout } from '../../src/decode/frames.js';
import type { ValueSource } from '../../src/io/source.js';
import {
  cellIndex,
  dcColumns,
  type EndRuns,
  endRunsFit,
  hermitianFraction,
  type RealBinTest,
  realBinTest,
  type RealColumns,
  realBinsByOrder,
  realColumns,
  readPoints,
  realRunsAtEnds,
  type Shape,
} from './real-bins.js';
import { containerArray, containerCount, framesPrior, MAX_BINS, MIN_BINS, type Transform, transformPrior, transformsFor } from '../shared/stft-shapes.js';
import { type AxisEvidence, lagCorrelation, spectralAxisEvidence, typicalScale } from './periodicity.js';
import { fullStorage, headerDims, isComplete, rawChannels, shapesFor, twoDims } from './shapes.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, rejected, undecided } from '../types.js';

/**
 * frames × bins, layout, nfft and sided from the value count and the data (DESIGN 4.3). With phase (or
 * a complex file) the DC bin is real in every frame, and so is the Nyquist bin of an even one-sided
 * spectrum and bin nfft/2 of a two-sided one: the set of bins that are real in every sampled frame
 * pins bins, layout and the nfft parity at once (a wrong period or layout puts those values in the
 * wrong place, or spreads them over two columns). Two-sided spectra must also be exactly Hermitian.
 * Without phase, the magnitude stream repeats with its row length (weaker: it cannot tell rows of
 * frames from rows of bins, so priors on nfft and header dims decide that). A 2-D container allows
 * only its two orientations. Scores are posteriors over every shape the count allows; a storage
 * hypothesis under which no shape shows real DC bins in a phase stream is ruled out.
 */

/** Nats per unit of lag correlation in the magnitude-only test (ρ is 0.8–0.95 at the row length). */
const RHO_WEIGHT = 12;
/** Nats per unit of lag-correlation excess over the neighbouring lags. */
const PEAK_WEIGHT = 20;
/** Magnitude-only evidence is weaker: its posteriors are scaled down. */
const MAGNITUDE_ONLY = 0.6;
/** Phase present but silent or constant (real everywhere): the magnitudes alone decide, doubtfully. */
const PHASE_CONTRADICTS = 0.05;
const HEADER_DIMS_BONUS = 3;
const HERMITIAN_BONUS = 3;
/** Nats per unit of log variance ratio in the spectral-axis test (clamped at ±2). */
const AXIS_WEIGHT = 1.5;
/** Nats for whole rows of exact zeros on one axis only (silent frames), outside the clamp of the others. */
const SILENCE_WEIGHT = 4;
const MAX_HYPOTHESES = 6;

interface Candidate extends Shape, Transform {
  /** Set where the real bins decide it (odd nfft, a centred two-sided spectrum); else the bin-order analyzer decides. */
  binOrder?: BinOrder;
  logw: number;
  reason: string;
  metrics: Record<string, number | string | boolean>;
}

function fitsFixed(c: Shape & Transform & { binOrder?: BinOrder }, fixed: PartialStftConfig): boolean {
  return (
    (fixed.frames === undefined || fixed.frames === c.frames) &&
    (fixed.bins === undefined || fixed.bins === c.bins) &&
    (fixed.layout === undefined || fixed.layout === c.layout) &&
    (fixed.nfft === undefined || fixed.nfft === c.nfft) &&
    (fixed.sided === undefined || fixed.sided === c.sided) &&
    (fixed.binOrder === undefined || c.binOrder === undefined || fixed.binOrder === c.binOrder)
  );
}

function validTransform(t: Transform): boolean {
  return t.nfft >= 4 && (t.sided !== 'one-no-nyquist' || t.nfft % 2 === 0);
}

const shapeText = (s: Shape): string => `${s.frames} frames × ${s.bins} bins ${s.layout}`;

/** A spread sample of the stream (real parts), for picking the real-bin test's bounds. */
function streamSample(src: ValueSource, length: number): Float64Array {
  const win = Math.min(1024, length);
  const n = Math.min(8, Math.max(1, Math.floor(length / win)));
  const out = new Float64Array(n * win);
  const buf = new Float64Array(win);
  for (let w = 0; w < n; w++) {
    const start = Math.floor(((length - win) * w) / Math.max(1, n - 1));
    src.read(start, win, buf);
    out.set(buf, w * win);
  }
  return out;
}

/** Share of sampled values that pass the real-bin test (near 1 for silent or constant phase). */
function realShare(sample: Float64Array, test: RealBinTest): number {
  let n = 0;
  for (const v of sample) if (test.isReal(v, 0)) n++;
  return sample.length ? n / sample.length : 1;
}

/**
 * A DC column of a shape (first, last or middle: dcColumns), real at 16 spread frames: cheap rejection
 * before the full column profile.
 */
function dcPasses(src: ValueSource, test: RealBinTest, s: Shape): boolean {
  const n = Math.min(16, s.frames);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  return dcColumns(s.bins).some((k) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) idx.push(cellIndex(s, Math.floor(((i + 0.5) * s.frames) / n), k));
    readPoints(src, idx, re, im);
    let ok = 0;
    for (let i = 0; i < n; i++) if (test.isReal(re[i], im[i])) ok++;
    return ok >= n - 1;
  });
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Hermitian tolerance for magnitudes stored in `dtype`. */
function hermitianTol(d: Dtype): number {
  return d === 'float16' ? 2e-3 : d === 'float32' || d === 'complex64' ? 2e-5 : d === 'float64' || d === 'complex128' ? 1e-9 : 0;
}

/** Candidates from the real-bin pattern of the phase (or complex) stream. */
function fromPhase(
  shapes: Shape[],
  src: ValueSource,
  test: RealBinTest,
  hermitian: (s: Shape, order: BinOrder) => number,
  headerPairsFound: [number, number][],
): { candidates: Candidate[]; profiled: number } {
  const out: Candidate[] = [];
  let profiled = 0;
  let runs: EndRuns | null = null;
  for (const s of shapes) {
    if (!dcPasses(src, test, s)) continue;
    profiled++;
    // A multiple of the true row passes at DC but shows real bins where no transform has them.
    const quick = realColumns(src, test, s, true);
    const orders = (t: Transform) => (validTransform(t) ? realBinsByOrder(s.bins, t) : []);
    if (quick.frames >= 4 && !transformsFor(s.bins).some((t) => orders(t).some((o) => sameSet(quick.likely, o.real)))) continue;
    const cols: RealColumns = realColumns(src, test, s);
    // Two frames suffice: a float phase lands exactly on 0/±π by chance about once in 10⁷ values, and
    // every frame's real bins must fall where a transform puts them (a torch file of 2 or 3 frames
    // once lost its phase here, called random, at the four frames this asked for).
    if (cols.frames < 2 || cols.dcRate < 0.9 || cols.partial > 0) continue;
    if (s.layout === 'bin-major') {
      runs ??= realRunsAtEnds(src, test, s.frames * s.bins);
      if (!endRunsFit(src, test, s, runs, cols.real.includes(0), cols.real.includes(s.bins - 1))) continue;
    }
    for (const t of transformsFor(s.bins)) {
      const o = orders(t).find((x) => sameSet(cols.real, x.real));
      if (!o) continue;
      // Display orders are rarer than DC first: a small prior cost where the real bins chose one.
      let logw = -transformPrior(t) - framesPrior(s.frames) - (o.order !== null && o.order !== 'ascending' ? 1 : 0);
      const herm = hermitian(s, o.pairing);
      if (t.sided === 'two' && herm < 0.9) continue;
      // Exact Hermitian symmetry is a second structural match for two-sided data, and rules out one-sided.
      logw += t.sided === 'two' ? HERMITIAN_BONUS : herm >= 0.9 ? -5 : 0;
      const hdr = headerPairsFound.some(([a, b]) => (a === s.frames && b === s.bins) || (a === s.bins && b === s.frames));
      if (hdr) logw += HEADER_DIMS_BONUS;
      const realList = cols.real.join(', ');
      const orderText =
        o.order === null ? '' : o.order === 'ascending' ? '' : `, bins ${o.order} (DC in column ${o.order === 'descending' ? s.bins - 1 : o.real[0]})`;
      out.push({
        ...s,
        ...t,
        ...(o.order !== null ? { binOrder: o.order } : {}),
        logw,
        reason:
          `${test.describe} in bins {${realList}} of ${cols.frames} sampled frames at ${shapeText(s)} (other bins ${(100 * cols.background).toFixed(1)} %): ` +
          `nfft ${t.nfft} ${t.sided}${orderText}${t.sided === 'two' ? `, Hermitian in ${(100 * herm).toFixed(0)} % of bin pairs` : ''}${hdr ? '; the header states these dims' : ''}`,
        metrics: { realBins: realList, frames: cols.frames, background: round(cols.background), hermitian: round(herm), headerDims: hdr },
      });
    }
  }
  return { candidates: out, profiled };
}

/** Candidates from the lag at which the magnitude stream repeats (no usable phase). */
function fromMagnitude(
  shapes: Shape[],
  src: ValueSource,
  count: number,
  hermitian: (s: Shape, order?: BinOrder) => number,
  headerPairsFound: [number, number][],
): Candidate[] | string {
  const scale = typicalScale(src, count);
  if (!(scale > 0)) return 'the magnitude stream is all zero (silence): no periodicity to measure';
  const rho = new Map<number, number>();
  const rhoAt = (lag: number): number => {
    let r = rho.get(lag);
    if (r === undefined) {
      r = lagCorrelation(src, count, lag, scale);
      rho.set(lag, r);
    }
    return r;
  };
  const rows = (s: Shape): number => (s.layout === 'frame-major' ? s.bins : s.frames);
  let best = -1;
  for (const s of shapes) best = Math.max(best, rhoAt(rows(s)));
  if (best < 0.25) return `the magnitude stream repeats at no candidate row length (best lag correlation ${best.toFixed(2)})`;
  const axis = new Map<number, AxisEvidence>();
  // Rows of frames show the spectrum along the row; rows of bins show it across rows.
  const axisBonus = (s: Shape): number => {
    const L = rows(s);
    let a = axis.get(L);
    if (a === undefined) {
      a = spectralAxisEvidence(src, count, L, scale);
      axis.set(L, a);
    }
    const sign = s.layout === 'frame-major' ? 1 : -1;
    return AXIS_WEIGHT * Math.max(-2, Math.min(2, sign * a.axis)) + SILENCE_WEIGHT * sign * a.silence;
  };
  const peakAt = (L: number): number => rhoAt(L) - (rhoAt(Math.max(1, L - 1)) + rhoAt(L + 1)) / 2;
  const ranked = [...shapes].sort((a, b) => rhoAt(rows(b)) - rhoAt(rows(a)));
  const hermChecked = new Set(ranked.slice(0, 8));
  const out: Candidate[] = [];
  for (const s of shapes) {
    const L = rows(s);
    const r = rhoAt(L);
    if (r < best - 0.5) continue;
    // A smooth stream correlates at every short lag; a row length stands out above its neighbours.
    const peak = peakAt(L);
    // A multiple of the true row length repeats as well; prefer the shortest period that does. It must
    // repeat, not merely correlate: along rows of a held chord every short lag correlates (17 values,
    // 0.79 with no peak, under the true 51, 0.80 and +0.025).
    const multiple = [2, 3, 4, 5].some((q) => L % q === 0 && rho.has(L / q) && (rho.get(L / q) as number) >= r - 0.1 && peakAt(L / q) >= peak / 2);
    const hermAsc = hermChecked.has(s) ? hermitian(s) : 0;
    // A centred two-sided spectrum (MATLAB stft) pairs stored j with N−2−j (N−1−j for odd N), not N−j.
    const hermCentred = hermChecked.has(s) && hermAsc < 0.9 ? hermitian(s, 'centred') : 0;
    const hdr = headerPairsFound.some(([a, b]) => (a === s.frames && b === s.bins) || (a === s.bins && b === s.frames));
    for (const t of transformsFor(s.bins)) {
      if (!validTransform(t)) continue;
      const centred = t.sided === 'two' && hermCentred >= 0.9;
      const herm = centred ? hermCentred : hermAsc;
      if (t.sided === 'two' && herm < 0.9) continue;
      // Odd N two-sided ascending is decided by its pairing; even N ascending and fftshift pair alike (tilt decides).
      const binOrder: BinOrder | undefined = centred ? 'centred' : t.sided === 'two' && t.nfft % 2 === 1 ? 'ascending' : undefined;
      let logw =
        RHO_WEIGHT * r + PEAK_WEIGHT * peak - transformPrior(t) - framesPrior(s.frames) - (multiple ? 3 : 0) + (hdr ? HEADER_DIMS_BONUS : 0) + axisBonus(s);
      logw += t.sided === 'two' ? HERMITIAN_BONUS : herm >= 0.9 ? -5 : 0;
      out.push({
        ...s,
        ...t,
        ...(binOrder ? { binOrder } : {}),
        logw,
        reason:
          `no usable phase: the magnitude stream correlates ${r.toFixed(2)} with itself ${L} values later (${peak >= 0 ? '+' : ''}${peak.toFixed(2)} over the neighbouring lags; best ${best.toFixed(2)}), ` +
          `read as ${shapeText(s)}, nfft ${t.nfft} ${t.sided}${multiple ? ' (a multiple of a shorter repeating length)' : ''}${t.sided === 'two' ? `, Hermitian in ${(100 * herm).toFixed(0)} % of bin pairs${centred ? ' about the middle (bins centred)' : ''}` : ''}${hdr ? '; the header states these dims' : ''}${silentText(axis.get(L), s.layout)}`,
        metrics: { lagCorrelation: round(r), peak: round(peak), bestLagCorrelation: round(best), rowLength: L, hermitian: round(herm), headerDims: hdr },
      });
    }
  }
  return out;
}

/** The silence witness in words, when it spoke for or against this reading. */
function silentText(a: AxisEvidence | undefined, layout: Layout): string {
  if (!a || a.silence === 0) return '';
  const rowsAreFrames = a.silence > 0;
  return `; whole ${rowsAreFrames ? 'rows' : 'columns'} of exact zeros (silent frames) ${rowsAreFrames === (layout === 'frame-major') ? 'support' : 'contradict'} it`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function runDims(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const ms = fullStorage(fixed.magnitudeFile ?? {});
  const magSrc = evidence.magnitude.source(ms);
  const magArray = containerArray(evidence.magnitude, ms);
  const stored = containerCount(evidence.magnitude, ms) ?? magSrc.length;
  // A raw file of several channels holds channel-major blocks: the analyzers read channel 0, its first.
  const pinned = ms.format === 'raw' && fixed.channels !== undefined ? fixed.channels : 1;
  if (stored % pinned !== 0) return rejected(`${stored} values do not split into ${pinned} channels`);
  const count = stored / pinned;
  let channels = pinned;
  if (count < 2 * MIN_BINS) return undecided(`only ${count} values: too few for an STFT matrix`);
  const shape2d = magArray ? twoDims(magArray.shape, magArray.order) : null;
  const shapes = shapesFor(count, shape2d);
  if (shapes.length === 0) return undecided(`${count} values factor into no frames × bins with ${MIN_BINS}–${MAX_BINS} bins and ≥ 2 frames`);
  const hdrPairs = headerDims(evidence, ms, count);
  const hermCache = new Map<string, number>();
  const hermitian = (s: Shape, order: BinOrder = 'ascending'): number => {
    const key = `${s.frames}x${s.bins}:${s.layout}:${order}`;
    let h = hermCache.get(key);
    if (h === undefined) hermCache.set(key, (h = hermitianFraction(magSrc, s, hermitianTol(ms.dtype), order)));
    return h;
  };
  // Shapes here walk the magnitude stream's memory; hypotheses name the array's axes (DESIGN.md §1), which
  // a Fortran-order matrix walks the other way round (the swap is its own inverse).
  const axes = <T extends Shape>(c: T): T => ({ ...c, layout: memoryLayout(c.layout, magSrc) });

  // The stream whose real bins are tested: the phase file, else a complex magnitude file.
  let phaseSrc: ValueSource | null = null;
  let phaseDtype: Dtype = ms.dtype;
  const notes: string[] = [];
  if (magSrc.transposed) notes.push('a Fortran-order matrix: each reading above walks memory, whose layout is the other one');
  if (fixed.phaseFile && evidence.phase && isComplete(fixed.phaseFile)) {
    const ps = fullStorage(fixed.phaseFile);
    const src = evidence.phase.source(ps);
    const pc = containerCount(evidence.phase, ps) ?? src.length;
    if (pc === stored) {
      phaseSrc = src;
      phaseDtype = ps.dtype;
    } else {
      // Read on from the magnitudes, the transform analyzers would test a phase that is not this reading's.
      return rejected(`the phase file holds ${pc} values, the magnitude file ${count}: no pair under this storage`);
    }
  } else if (magSrc.complex) phaseSrc = magSrc;

  let candidates: Candidate[] = [];
  let scale = 1;
  if (phaseSrc) {
    const sample = streamSample(phaseSrc, count);
    const test = realBinTest(phaseDtype, phaseSrc.complex, sample);
    // A phase array of the same axes in the other memory order walks its stream the other way.
    const cross = !phaseSrc.transposed !== !magSrc.transposed;
    const swap = <T extends Shape>(c: T): T => (cross ? { ...c, layout: c.layout === 'frame-major' ? 'bin-major' : 'frame-major' } : c);
    const r = fromPhase(shapes.map(swap), phaseSrc, test, (s, order) => hermitian(swap(s), order), hdrPairs);
    candidates = r.candidates.map(swap);
    const multi =
      candidates.length === 0 && pinned === 1 && ms.format === 'raw' && phaseSrc !== magSrc
        ? rawChannels(stored, (n) => fromPhase(shapesFor(n, null), phaseSrc!, test, hermitian, []).candidates)
        : null;
    if (multi) {
      candidates = multi.candidates;
      channels = multi.channels;
    } else if (candidates.length === 0) {
      const why = `no shape shows real DC bins (${test.describe}; ${r.profiled} of ${shapes.length} shapes passed the DC column)`;
      // A real signal's DC bin is real under every phase convention: a phase stream that varies yet is
      // real at DC under no shape is not this pair's phase under this storage (a shifted or cut
      // reading). Reading it on from the magnitudes alone cost seconds and gave nothing to rank.
      if (realShare(sample, test) < 0.5) return rejected(`${why}: not an STFT phase under this storage`);
      // A stream real almost everywhere is silent or constant: the magnitudes may still speak.
      notes.push(why);
      scale = PHASE_CONTRADICTS;
    }
  }
  if (candidates.length === 0) {
    const m = fromMagnitude(shapes, magSrc, count, hermitian, hdrPairs);
    if (typeof m === 'string') return undecided([...notes, m].join('; '));
    candidates = m;
    scale *= MAGNITUDE_ONLY;
  }
  if (candidates.length === 0) return undecided([...notes, 'no shape fits'].join('; '));
  const top = Math.max(...candidates.map((c) => c.logw));
  let total = 0;
  for (const c of candidates) total += Math.exp(c.logw - top);
  candidates = candidates.map(axes);
  const kept = candidates.filter((c) => fitsFixed(c, fixed)).sort((a, b) => b.logw - a.logw);
  if (kept.length === 0) {
    const b = candidates.reduce((x, y) => (y.logw > x.logw ? y : x));
    return undecided(`no shape consistent with the fixed fields fits; the evidence prefers ${shapeText(b)} nfft ${b.nfft} ${b.sided} (${b.reason})`);
  }
  const hyps: Hypothesis[] = kept.slice(0, MAX_HYPOTHESES).map((c) => ({
    values: {
      frames: c.frames,
      bins: c.bins,
      layout: c.layout,
      nfft: c.nfft,
      sided: c.sided,
      ...(c.binOrder ? { binOrder: c.binOrder } : {}),
      ...(channels !== pinned ? { channels } : {}),
    },
    score: Math.max(1e-6, (scale * Math.exp(c.logw - top)) / total),
    reason: notes.length ? `${c.reason}; ${notes.join('; ')}` : c.reason,
    metrics: { ...c.metrics, ...(shape2d ? { containerShape: `${shape2d.a}x${shape2d.b} ${shape2d.order}` } : {}) },
  }));
  return { hypotheses: hyps };
}

export const dims: Analyzer = {
  name: 'dims',
  stage: 'shape',
  decides: ['frames', 'bins', 'layout', 'nfft', 'sided', 'binOrder', 'channels'],
  needs: ['magnitudeFile.format', 'magnitudeFile.dtype', 'magnitudeFile.endian', 'magnitudeFile.headerBytes'],
  // Storage is decided by the time the shape stage runs: an undecided phase file is simply not used. The
  // arrays are named too: two of one MAT or HDF5 file share every other storage field (data at byte 0).
  reads: ['magnitudeFile.variable', 'phaseFile.format', 'phaseFile.dtype', 'phaseFile.endian', 'phaseFile.headerBytes', 'phaseFile.variable'],
  applies: () => true,
  run: runDims,
};
