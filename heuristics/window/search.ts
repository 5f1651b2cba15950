import type { Evidence } from '../../src/analysis/evidence.js';
import type { PhaseReference, PhaseSign, WindowSymmetry } from '../../src/config/types.js';
import { coarseParams, type Family, FIXED_FAMILIES, PARAM_FAMILIES, paramRange, probeShape, refine, ShapeCache, snapParams, windowName } from './families.js';
import { correlationLength, type FitResult, type ImprintReference, type Layout, LayoutFit, makeLayout, type WeightedImprint, weighImprint } from './fit.js';
import { collectSegments, type Drift, imprintOf, measureDrift, type SegmentConfig, type Segments } from '../shared/window-imprint.js';
import { type RatioSource, ratioSource } from './ratios.js';
import { candidateLengths, isCommonLength } from './lengths.js';

/** One fitted (window, symmetry, layout) with its error. */
export interface WindowCandidate {
  family: Family;
  param: number | null;
  /** The parameter is a refined measurement, not a value a maker would type. */
  refined: boolean;
  window: string;
  symmetry: WindowSymmetry;
  layout: Layout;
  fit: FitResult;
}

export interface WindowSearch {
  /** Plainly inverse-transformed sampled frames (sign +, frame-start: no convention undone). */
  segments: Segments;
  drift: Drift;
  /** Per-frame roll (samples, left) that undoes an absolute-time reference; 0 when there is none. */
  driftPerFrame: number;
  /** The imprint was un-drifted (or the reference was given as absolute-time): layouts are frame-start ones. */
  absoluteTime: boolean;
  /** The drift was undone by the known hop (exact), not by a measured advance. */
  hopKnown: boolean;
  imprint: WeightedImprint;
  /** Best first, one per (layout, symmetry, family). */
  candidates: WindowCandidate[];
  /** Correlation length of the best fit's residuals and its reduced χ² (≥ 1). */
  correlation: number;
  reducedChi2: number;
  /** The overlap ratios at the hint's hop, measured once per layout (null without a hop). */
  ratios: RatioSource | null;
}

/** What earlier analyzers may have fixed that narrows the search. */
export interface SearchHints {
  /** A phase reference already decided: only its layouts are fitted. */
  reference?: PhaseReference;
  /** A phase sign already decided: only its orientation is fitted. */
  sign?: PhaseSign;
  /** The hop, to undo an absolute-time reference exactly. */
  hop?: number;
}

const BLOCK_LENGTH = 32;
const BLOCKS = 6;
/**
 * Consecutive-pair agreement above which the energy centre's advance is an absolute-time reference, and
 * above which it is worth a try (the better fit, drifting or not, decides).
 */
const DRIFT_AGREEMENT = 0.6;
const DRIFT_TENTATIVE = 0.3;
/** A tentative drift must stack the frames this much more sharply than none (flat imprints stack alike). */
const TENTATIVE_GAIN = 1.05;
/** Advances tried around the measured one (at least), and the best candidates that judge them. */
const DRIFT_SPAN = 8;
const DRIFT_PROBES = 5;
/** Layouts refined with the parametrised families after the coarse pass. */
const REFINED_LAYOUTS = 4;
/** A parametrised family is refined unless its coarse best χ² exceeds REFINE_FACTOR × best + REFINE_MARGIN. */
const REFINE_FACTOR = 20;
const REFINE_MARGIN = 1000;
/**
 * Layouts whose χ² lower bound exceeds PRUNE_FACTOR × the best χ² so far + PRUNE_MARGIN are not fitted:
 * their windows would sit hundreds of noise units behind (a wrong position leaves signal outside).
 */
const PRUNE_FACTOR = 10;
const PRUNE_MARGIN = 1000;
/** Δχ², in units of the noise scale, within which a typed parameter value is preferred to a refined one. */
const SNAP_TOLERANCE = 6;

/**
 * Everything the window analyzer measures, from sampled frames of one decodable config: the imprint of
 * the plain inverse FFTs, and every named window fitted under every layout (length, placement, phase
 * reference, phase sign) the hints leave open.
 */
export function searchWindows(evidence: Evidence, c: Omit<SegmentConfig, 'phaseSign'>, hints: SearchHints = {}): WindowSearch | { failed: string } {
  const segments = collectSegments(evidence, { ...c, phaseSign: '+' }, BLOCK_LENGTH, BLOCKS);
  if (segments.count < 8) {
    return { failed: `only ${segments.count} usable frames of ${segments.read} sampled (${segments.quiet} silent, ${segments.floored} on the dB floor)` };
  }
  const N = c.nfft;
  const drift = measureDrift(segments);
  const undo = undoDrift(drift, hints, N);
  const signs: readonly PhaseSign[] = hints.sign ? [hints.sign] : (undo.signs ?? ['+', '-']);
  const ratios = hints.hop !== undefined ? ratioSource(segments, hints.hop) : null;
  const read = (perFrame: number): WindowSearch => {
    const absoluteTime = perFrame !== 0 || hints.reference === 'absolute-time';
    // An absolute-time imprint, once un-drifted, is a frame-start one.
    const references: readonly ImprintReference[] =
      absoluteTime || hints.reference === 'frame-start'
        ? ['frame-start']
        : hints.reference === 'window-centre'
          ? ['window-centre']
          : ['frame-start', 'window-centre'];
    const undrift = (d: number): WeightedImprint => weighImprint(imprintOf(segments, (i) => (segments.frame[i] * d) % N));
    let imprint = undrift(perFrame);
    // Under a drifting (absolute-time) reference the segments rotate: the overlap ratios hold only without drift.
    let fitted = fitImprint(imprint, references, signs, perFrame === 0 ? ratios : null);
    if (perFrame !== 0 && hints.hop === undefined) {
      // The energy centre gives the advance to a few samples; the hop is exact. The advance under which
      // the best few windows fit best is the hop mod N.
      const better = sharpestDrift(segments, perFrame, fitted.candidates.slice(0, DRIFT_PROBES), signs);
      if (better !== perFrame) {
        perFrame = better;
        imprint = undrift(perFrame);
        fitted = fitImprint(imprint, references, signs, null);
      }
    }
    return {
      segments,
      drift,
      driftPerFrame: perFrame,
      absoluteTime,
      hopKnown: hints.hop !== undefined && hints.reference === 'absolute-time',
      imprint,
      ratios,
      ...fitted,
    };
  };
  const reading = read(undo.perFrame);
  if (!undo.tentative) return reading;
  // A drift some pairs agree on, but not clearly (short files, flat-topped windows): it stands if the
  // frames stack more sharply with it than without (χ² of different imprints are not comparable: a
  // smeared imprint has a larger spread, so smaller χ²).
  const without = imprintOf(segments, () => 0).mean;
  const withDrift = imprintOf(segments, (i) => (segments.frame[i] * reading.driftPerFrame) % N).mean;
  return sharpness(withDrift) > TENTATIVE_GAIN * sharpness(without) ? reading : read(0);
}

/** Σ J² / (Σ J)²: how concentrated an imprint is (a smeared one is flatter). */
function sharpness(mean: Float64Array): number {
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < mean.length; n++) {
    s1 += mean[n];
    s2 += mean[n] * mean[n];
  }
  return s1 > 0 ? s2 / (s1 * s1) : 0;
}

/** Every named window under every layout of the given references and signs, best first, with the noise scale. */
function fitImprint(
  imprint: WeightedImprint,
  references: readonly ImprintReference[],
  signs: readonly PhaseSign[],
  ratios: RatioSource | null,
): Pick<WindowSearch, 'candidates' | 'correlation' | 'reducedChi2'> {
  const N = imprint.J.length;
  const layouts: Layout[] = [];
  const seen = new Set<string>();
  for (const L of candidateLengths(imprint.J))
    for (const reference of references)
      for (const sign of signs)
        for (const placement of ['centred', 'start'] as const) {
          const lay = makeLayout(N, L, placement, reference, sign);
          const key = `${L}:${lay.start}:${lay.step}:${reference}`;
          if (seen.has(key)) continue;
          seen.add(key);
          layouts.push(lay);
        }
  const shapes = new ShapeCache();
  const coarse = coarsePass(imprint, layouts, shapes);
  // The noise scale of χ² (correlation length × reduced χ²) from the coarse best: it sets how much
  // worse a typed parameter value may fit than the refined one and still be preferred.
  const noiseOf = (cands: WindowCandidate[]): { correlation: number; reducedChi2: number } => {
    const best = cands.reduce((a, b) => (b.fit.chi2 < a.fit.chi2 ? b : a));
    const fitter = coarse.find((e) => e.fitter.layout === best.layout)!.fitter;
    const w = shapes.get(best.family, best.param, best.layout.winLength, best.symmetry);
    return {
      correlation: correlationLength(fitter.residuals(w, best.fit)),
      reducedChi2: Math.max(1, best.fit.chi2 / Math.max(1, N - 3)),
    };
  };
  const coarseNoise = noiseOf(coarse[0].found);
  const snapTolerance = SNAP_TOLERANCE * coarseNoise.correlation * coarseNoise.reducedChi2;
  const candidates: WindowCandidate[] = [];
  coarse.forEach((entry, rank) => {
    for (const cand of entry.found) {
      // Families far behind the layout's best on the coarse grid cannot catch up by refinement.
      const hopeless = cand.fit.chi2 > REFINE_FACTOR * entry.best + REFINE_MARGIN;
      // Lengths makers type (the full frame, 400, 256…) are refined past the first few layouts too, where
      // their family is within reach of the best of all: there a window with near-zero tails
      // (torch.kaiser_window's β 12) loses the coarse grid to a shorter length that hides them.
      const typed = isCommonLength(entry.fitter.layout.winLength, N) && cand.fit.chi2 <= REFINE_FACTOR * coarse[0].best + REFINE_MARGIN;
      const refined = rank < REFINED_LAYOUTS || typed;
      if (cand.param === null || !refined || hopeless) candidates.push(cand);
      else candidates.push(...refineFamily(entry.fitter, shapes, cand, snapTolerance, ratios));
    }
  });
  candidates.sort((a, b) => a.fit.chi2 - b.fit.chi2);
  return { candidates, ...noiseOf(candidates) };
}

/**
 * The hop mod N from a measured advance (good to a few samples, a few tens in short files). First the
 * advance within ±max(DRIFT_SPAN, N/32) that stacks the un-drifted segments most sharply (largest Σ J² /
 * (Σ J)²: a wrong advance smears the window over the frames' spread of indices); then, within ±2 of it,
 * the one the named windows fit best on the layouts of the current best candidates and of the full
 * frame. Sharpness alone is blunt to a sample or two; the fit alone is fooled by a total smear, which is
 * flat (the rectangular window is left out of the fit test for that reason).
 */
function sharpestDrift(s: Segments, measured: number, probes: WindowCandidate[], signs: readonly PhaseSign[]): number {
  const N = s.nfft;
  const at = (d: number): number => ((d % N) + N) % N;
  const span = Math.max(DRIFT_SPAN, Math.ceil(N / 32));
  let centre = measured;
  let sharpest = -1;
  for (let d = measured - span; d <= measured + span; d++) {
    if (at(d) === 0) continue;
    const sh = sharpness(imprintOf(s, (i) => (s.frame[i] * at(d)) % N).mean);
    if (sh > sharpest) {
      sharpest = sh;
      centre = d;
    }
  }
  const shapes = new ShapeCache();
  // The best layouts under the measured advance, and the full frame (a smeared window looks shorter).
  const layouts = [...new Set(probes.map((p) => p.layout)), ...signs.map((sign) => makeLayout(N, N, 'centred', 'frame-start', sign))];
  let best = at(centre);
  let bestChi2 = Infinity;
  for (let d = centre - 2; d <= centre + 2; d++) {
    if (at(d) === 0) continue;
    const imprint = weighImprint(imprintOf(s, (i) => (s.frame[i] * at(d)) % N));
    for (const layout of layouts) {
      const fitter = new LayoutFit(imprint, layout);
      for (const symmetry of ['periodic', 'symmetric'] as const)
        for (const family of [...FIXED_FAMILIES, ...PARAM_FAMILIES])
          for (const p of family === 'rectangular' ? [] : PARAM_FAMILIES.includes(family) ? coarseParams(family, layout.winLength) : [null]) {
            const chi2 = fitter.fit(shapes.get(family, p, layout.winLength, symmetry)).chi2;
            if (chi2 < bestChi2) {
              bestChi2 = chi2;
              best = at(d);
            }
          }
    }
  }
  return best;
}

interface CoarseEntry {
  fitter: LayoutFit;
  best: number;
  found: WindowCandidate[];
}

/**
 * Fixed families and a coarse parameter grid on every layout that can still compete (cheapest first:
 * the imprint outside a layout's support bounds its χ² from below). Best layout first.
 */
function coarsePass(imprint: WeightedImprint, layouts: Layout[], shapes: ShapeCache): CoarseEntry[] {
  const fitters = layouts.map((lay) => new LayoutFit(imprint, lay)).map((fitter) => ({ fitter, bound: fitter.lowerBound() }));
  fitters.sort((a, b) => a.bound - b.bound);
  const coarse: CoarseEntry[] = [];
  let bestSoFar = Infinity;
  for (const { fitter, bound } of fitters) {
    if (bound > PRUNE_FACTOR * bestSoFar + PRUNE_MARGIN) continue;
    const found: WindowCandidate[] = [];
    for (const symmetry of ['periodic', 'symmetric'] as const) {
      for (const family of FIXED_FAMILIES) found.push(evaluate(fitter, shapes, family, null, symmetry));
      for (const family of PARAM_FAMILIES) {
        let best: WindowCandidate | null = null;
        for (const p of coarseParams(family, fitter.L)) {
          const cand = evaluate(fitter, shapes, family, p, symmetry);
          if (!best || cand.fit.chi2 < best.fit.chi2) best = cand;
        }
        if (best) found.push(best);
      }
    }
    const best = Math.min(...found.map((f) => f.fit.chi2));
    bestSoFar = Math.min(bestSoFar, best);
    coarse.push({ fitter, best, found });
  }
  return coarse.sort((a, b) => a.best - b.best);
}

/**
 * Per-frame roll undoing an absolute-time reference (τ_m = m·hop moves the plain segment's content by
 * sign·hop per frame): from the known hop, the sign (given, or the direction the centre measurably
 * moves) choosing the direction; else the measured drift, `tentative` when few frame pairs agree on it.
 * `signs` narrows the orientations when the direction decided the sign.
 */
function undoDrift(drift: Drift, hints: SearchHints, N: number): { perFrame: number; signs?: PhaseSign[]; tentative?: boolean } {
  if (hints.reference === 'frame-start' || hints.reference === 'window-centre') return { perFrame: 0 };
  const seen = drift.samples !== 0 && drift.pairs >= 8;
  const clear = seen && drift.agreement >= DRIFT_AGREEMENT;
  if (hints.reference === 'absolute-time' && hints.hop !== undefined) {
    const plus = hints.hop % N;
    const minus = (N - plus) % N;
    if (hints.sign) return { perFrame: hints.sign === '+' ? plus : minus };
    if (plus === minus || !clear) return { perFrame: plus };
    const away = (a: number, b: number): number => Math.min((a - b + N) % N, (b - a + N) % N);
    const sign: PhaseSign = away(drift.samples, plus) <= away(drift.samples, minus) ? '+' : '-';
    return { perFrame: sign === '+' ? plus : minus, signs: [sign] };
  }
  if (clear) return { perFrame: drift.samples };
  return seen && drift.agreement >= DRIFT_TENTATIVE ? { perFrame: drift.samples, tentative: true } : { perFrame: 0 };
}

function evaluate(fitter: LayoutFit, shapes: ShapeCache, family: Family, param: number | null, symmetry: WindowSymmetry): WindowCandidate {
  const w = shapes.get(family, param, fitter.L, symmetry);
  return { family, param, refined: false, window: windowName(family, param), symmetry, layout: fitter.layout, fit: fitter.fit(w) };
}

/**
 * 1-D refinement of a parametrised family from its coarse best. The values a maker would have typed
 * that fit within `tolerance` of χ² (noise) of the refined one stand for it (the simplest of each kind:
 * an integer σ and σ = L/6 can both hide under the noise, and consistency tells them apart); the
 * refined value only when none does.
 */
function refineFamily(fitter: LayoutFit, shapes: ShapeCache, start: WindowCandidate, tolerance: number, ratios: RatioSource | null): WindowCandidate[] {
  const { lo, hi, log } = paramRange(start.family, fitter.L);
  const probe = (p: number): Float64Array => probeShape(start.family, p, fitter.L, start.symmetry);
  const p = refine((q) => fitter.fit(probe(q)).chi2, start.param ?? lo, lo, hi, log);
  const refined = { ...evaluate(fitter, shapes, start.family, roundParam(p), start.symmetry), refined: true };
  const best = start.fit.chi2 <= refined.fit.chi2 ? start : refined;
  const limit = best.fit.chi2 + tolerance;
  const typed = snapParams(start.family, p, fitter.L)
    .map((v) => evaluate(fitter, shapes, start.family, v, start.symmetry))
    .filter((cand) => cand.fit.chi2 <= limit);
  const out = typed.length > 0 ? typed.slice(0, TYPED_ALTERNATIVES) : [best];
  const exact = ratios && byRatios(fitter, shapes, start, p, ratios, probe, lo, hi, log);
  return exact && !out.some((c) => c.param === exact.param) ? [...out, exact] : out;
}

/** Typed parameter values kept per family and layout when several fit within noise. */
const TYPED_ALTERNATIVES = 2;
/**
 * A parameter whose window misses the overlap ratios by at most this (median) is exact to the data: the
 * file's own window misses float32 ratios by 1e-6; a Kaiser 11.94 of 512 imitating a Blackman-Harris by
 * 5e-4, and taken for exact at 1e-3 it displaced the measured window (consistency -66 dB against -108).
 */
const RATIO_EXACT = 1e-4;

/** Ratio miss at the imprint's parameter under which the ratios refine it (Kaiser 8.5 for 8.6: 2 %). */
const RATIO_REFINE_FROM = 0.05;

/**
 * The parameter the overlap ratios pin, where the imprint cannot (scipy's kaiser 8.6 of 400 in a 512
 * frame: the imprint of a few seconds of speech put 8.5 first, and Blackman before both): refined on the
 * ratio miss from the imprint's value, then the typed value nearest that meets the ratios to RATIO_EXACT,
 * else the refined one if it does. Null where neither does (another family, a wrong layout).
 */
function byRatios(
  fitter: LayoutFit,
  shapes: ShapeCache,
  start: WindowCandidate,
  from: number,
  ratios: RatioSource,
  probe: (p: number) => Float64Array,
  lo: number,
  hi: number,
  log: boolean,
): WindowCandidate | null {
  if (ratios.hop >= fitter.L) return null;
  const miss = (q: number): number => ratios.miss(fitter.layout, probe(q)) ?? Infinity;
  // A family or layout that misses by percents at the imprint's value is not the file's: not refined.
  if (!(miss(from) <= RATIO_REFINE_FROM)) return null;
  const p = refine(miss, from, lo, hi, log);
  const typed = snapParams(start.family, p, fitter.L).filter((v) => miss(v) <= RATIO_EXACT);
  const value = typed.length > 0 ? typed.reduce((a, b) => (miss(b) < miss(a) ? b : a)) : miss(p) <= RATIO_EXACT ? roundParam(p) : null;
  return value === null ? null : { ...evaluate(fitter, shapes, start.family, value, start.symmetry), refined: typed.length === 0 };
}

/** Four significant digits: a refined parameter is a measurement, not an exact value. */
function roundParam(p: number): number {
  return Number(p.toPrecision(4));
}

/** The reference a candidate layout stands for, given whether the imprint had to be un-drifted. */
export function referenceOf(cand: WindowCandidate, search: WindowSearch): PhaseReference {
  return search.absoluteTime ? 'absolute-time' : cand.layout.reference;
}
