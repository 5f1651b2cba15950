import type { Evidence } from '../../src/analysis/evidence.js';
import { isComplexDtype, type PartialStftConfig, type PhaseSign, type WindowName } from '../../src/config/types.js';
import { type ImprintReference, makeLayout } from './fit.js';
import { overlapWitness } from '../shared/window-imprint.js';
import { referenceOf, type WindowCandidate, type WindowSearch } from './search.js';
import { lengthPrior } from './lengths.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import { weighBySeams } from './seams.js';
import { cachedSearch, ESTIMATE_REDUCED_CHI2, estimateWindow } from './estimate.js';
import { type MissOf, RATIO_MISS, ratioMisses, weighByRatios } from './ratio-weighing.js';

export { estimateWindow, measuredWindowOf } from './estimate.js';

/**
 * Window shape, symmetry, length, placement, the window-centre phase reference (and the phase sign, when
 * still open) from the window's imprint (DESIGN.md §4.5): the mean of IFFT(X_m)² over sampled frames is
 * ∝ w² placed in the frame, rolled to index 0 when the maker referenced phase to the window centre,
 * time-reversed when the phase is conjugated, drifting by hop per frame under an absolute-time reference.
 * Named windows are fitted by weighted least squares; scores are posterior shares from the χ² differences
 * (scaled by the residuals' correlation length and reduced χ²) times priors on length and parameter.
 */

const DECIDES = ['window', 'windowSymmetry', 'winLength', 'windowPlacement', 'phaseReference', 'phaseSign'] as const;
const NEEDS = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'];

/** Hypotheses returned at most, and the smallest score worth a search candidate (40 dB of prior cost). */
const MAX_HYPOTHESES = 12;
const MIN_SCORE = 1e-4;
/** A refined (untyped) parameter is a priori less likely than a value a maker would type. */
const REFINED_PRIOR = 0.3;
/**
 * A parametrised family (kaiser β, gaussian σ, tukey α) whose parameter was fitted to the imprint: the
 * fit alone buys it about one noise unit of Δχ² (e^−½), and makers use it far less than Hann or Hamming.
 */
const FITTED_FAMILY_PRIOR = 0.3;
/** An absolute-time reading that implies a hop above nfft/2. */
const LONG_HOP_PRIOR = 0.3;
/** Δχ² (noise units) under which two readings are a tie: frame-start vs window-centre, sign + vs −. */
const TIE = 10;
/** Share of frame energy a real STFT lines up at its hop ((N − hop)/N for a rectangular window); random phase ~0. */
const WITNESS_MIN = 0.3;
/** A runner-up reference within this fraction of the best witness is a tie (50 % overlap with the sign open). */
const WITNESS_TIE = 0.9;
/**
 * A flat imprint decides the reference by the witness alone and cannot see an absolute-time drift: its
 * scores are scaled by FLAT_SCALE, or by NO_WITNESS_SCALE when nothing lines up (random phase).
 */
const FLAT_SCALE = 0.5;
const NO_WITNESS_SCALE = 0.2;
/** An absolute-time reading un-drifted by a measured advance rather than the known hop. */
const MEASURED_DRIFT_SCALE = 0.5;
/** Smallest score ratio the imprint leaves between readings of one family on one window position. */
const FAMILY_FLOOR = 0.1;

interface Scored {
  cand: WindowCandidate;
  score: number;
  /** Δχ² to the best fit, in noise units. */
  delta: number;
  /** The phase sign this reading asserts (undefined: open or already fixed). */
  sign?: PhaseSign;
  /** The imprint cannot see the placement (window-centre rolled the window's centre to index 0). */
  placementHidden: boolean;
}

export const windowImprint: Analyzer = {
  name: 'window-imprint',
  stage: 'transform',
  // Coarse data leaves symmetry and a refined parameter tied (4 readings of one length): 8 reach the
  // next length (measured: a 300-sample window on uint8 dB files came 5th, behind 400-sample ties).
  branches: 8,
  decides: DECIDES,
  needs: NEEDS,
  // Frames are read in ascending bin order (src/decode/bin-order.ts); the hop steers the search (an
  // absolute-time drift) and says whether frames overlap (seams.ts).
  reads: ['binOrder', 'hop'],
  applies(evidence: Evidence, fixed: PartialStftConfig): boolean {
    const dtype = fixed.magnitudeFile?.dtype;
    return evidence.phase !== null || (dtype !== undefined && isComplexDtype(dtype));
  },
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const search = cachedSearch(evidence, fixed);
    if (typeof search === 'string') return undecided(search);
    return weighBySeams(evidence, fixed, hypothesesFrom(search, fixed.phaseSign !== undefined, fixed.hop), (c) => estimateWindow(evidence, c));
  },
};

function hypothesesFrom(r: WindowSearch, signFixed: boolean, hop: number | undefined): AnalyzerResult {
  const N = r.segments.nfft;
  const best = r.candidates[0];
  const noise = r.correlation * r.reducedChi2;
  const frames = r.segments.count;
  // Likelihood ratio from Δχ² in noise units, times the priors on length and parameter.
  let scored: Scored[] = r.candidates.map((cand) => {
    const delta = (cand.fit.chi2 - best.fit.chi2) / noise;
    const prior =
      lengthPrior(cand.layout.winLength, N) *
      (cand.refined ? REFINED_PRIOR : 1) *
      (cand.param !== null ? FITTED_FAMILY_PRIOR : 1) *
      hopPrior(r, cand, signFixed);
    const l = cand.layout;
    const placementHidden = l.winLength < N && l.reference === 'window-centre';
    return { cand, delta, score: Math.exp(-delta / 2) * prior, placementHidden };
  });
  scored = signFixed ? scored : resolveSigns(scored);
  floorFamilies(scored);
  // The weighing and the measured window's offer ask about the same readings: each is measured once.
  const missFor = ratioMisses(r);
  const exact = weighByRatios(r, scored, hop, missFor);
  const signs: readonly PhaseSign[] = signFixed ? [r.candidates[0].layout.sign] : ['+', '-'];
  let note = '';
  let scale = 1;
  if (referenceTie(r, scored)) {
    // Only a flat imprint (a full-length, nearly rectangular window) leaves the reference open, and random
    // phase also gives a flat imprint: consecutive segments must overlap for the window to be real, and
    // the reference under which they line up best is the one.
    const witness = flatWitness(r, signs);
    const [first, second] = witness;
    note = `; flat imprint: overlap witness ${witness.map((w) => `${w.reference}${w.sign} ${w.match.toFixed(2)} (lag ${w.lag})`).join(', ')}`;
    if (first.match < WITNESS_MIN) {
      scale = NO_WITNESS_SCALE;
      note += ': no lag where consecutive segments line up (random phase, or frames that do not overlap)';
    } else {
      scale = FLAT_SCALE;
      const tied = second !== undefined && second.reference !== first.reference && second.match > WITNESS_TIE * first.match;
      if (!tied) for (const s of scored) if (s.cand.layout.reference !== first.reference) s.score *= 0.01;
    }
  }
  if (exact) note += `; ${exact}`;
  if (r.driftPerFrame !== 0 && !r.hopKnown) {
    // The advance was measured from the energy centre, not from the hop: a sample off per frame smears
    // the window over short files. The hop analyzer's exact hop makes this reading exact.
    scale *= MEASURED_DRIFT_SCALE;
    note += '; advance measured without the hop';
  }
  // Shares among the readings, scaled down when even the best leaves residuals far above the noise.
  const goodness = Math.min(1, ESTIMATE_REDUCED_CHI2 / r.reducedChi2);
  const total = scored.reduce((a, s) => a + s.score, 0);
  for (const s of scored) s.score = (s.score / total) * scale * goodness;
  scored.sort((a, b) => b.score - a.score);
  const top = scored[0];
  const estimate = measuredWindowOffer(r, scored, hop, frames, missFor);
  const hypotheses: Hypothesis[] = [];
  for (const s of scored) {
    if (hypotheses.length >= MAX_HYPOTHESES || s.score < MIN_SCORE) break;
    if (s === scored[1] && estimate) {
      hypotheses.push(emit(r, top, estimate.score, estimate.why, 'estimated'));
      // The best named window's length may cut off tails the measured window has (a Kaiser 11 of 500
      // for a Blackman-Harris of 512, whose ends are 6e-5): the whole frame is measured too.
      const L = top.cand.layout.winLength;
      if (L < N && top.cand.layout.reference === 'frame-start') {
        const whole = { ...top, cand: { ...top.cand, layout: makeLayout(N, N, 'centred', 'frame-start', top.cand.layout.sign) } };
        hypotheses.push(emit(r, whole, estimate.score, `${estimate.why}, over the whole frame`, 'estimated'));
      }
    }
    const prior = priorNote(s.cand, N);
    const dchi = s.cand.fit.chi2 - top.cand.fit.chi2;
    const why =
      s === top
        ? `imprint of ${frames} sampled frames fits ${describe(s.cand)}: χ² ${s.cand.fit.chi2.toFixed(0)} over ${N} samples (reduced ${r.reducedChi2.toFixed(2)}, correlation length ${r.correlation.toFixed(1)})${prior}`
        : `imprint of ${frames} sampled frames fits ${describe(s.cand)} with Δχ² ${dchi.toFixed(1)} (${(dchi / noise).toFixed(1)} noise units) against ${describe(top.cand)}${prior}`;
    hypotheses.push(emit(r, s, s.score, why + signNote(s, signFixed) + driftNote(r) + note));
  }
  if (hypotheses.length === 0) return undecided(`no window hypothesis above score ${MIN_SCORE} (reduced χ² ${r.reducedChi2.toPrecision(3)})${note}`);
  return { hypotheses };
}

/**
 * Whether the measured window competes with the named ones, and its score. It does where the best named
 * window leaves residuals well above the imprint's noise (a tone whose period divides the hop also leaves
 * a ripple no window explains; there the named window still wins on consistency), and where it misses
 * the ratios w[i + hop] / w[i] that overlapping frames fix to the data's precision: a Blackman-Harris,
 * which a Kaiser 11 of 500 fits within the imprint's noise, misses them by 1 % (consistency −33 dB
 * against round-off), and the measured window meets them exactly. Then the two tie here, and the
 * consistency ranking decides.
 */
function measuredWindowOffer(
  r: WindowSearch,
  scored: Scored[],
  hop: number | undefined,
  frames: number,
  missFor: MissOf,
): { score: number; why: string } | null {
  const top = scored[0];
  if (r.reducedChi2 > ESTIMATE_REDUCED_CHI2) {
    return {
      score: top.score * Math.min(0.9, 1 - ESTIMATE_REDUCED_CHI2 / r.reducedChi2),
      why: `the best named window (${describe(top.cand)}) leaves reduced χ² ${r.reducedChi2.toPrecision(3)} on the imprint of ${frames} frames: the measured window`,
    };
  }
  if (hop === undefined || r.driftPerFrame !== 0) return null;
  // Every named reading the search would offer must miss: one that meets the ratios is the file's window.
  let least = Infinity;
  for (const s of scored.slice(0, MAX_HYPOTHESES)) {
    const c = s.cand;
    if (s.score < MIN_SCORE || hop >= c.layout.winLength) continue;
    const miss = missFor(c);
    if (miss === null) return null;
    least = Math.min(least, miss);
  }
  if (!(least > RATIO_MISS) || !Number.isFinite(least)) return null;
  return {
    score: top.score,
    why: `overlapping frames fix w[i + ${hop}] / w[i] to the data's precision, and every named window misses them (the best by ${(100 * least).toPrecision(2)} %, median): the measured window`,
  };
}

/**
 * With the phase sign open, every reading was fitted both ways round (a conjugated STFT inverse-transforms
 * to the time-reversed segment). Readings that fit alike both ways (full-length windows symmetric about
 * the frame's centre) merge and leave the sign open; the others assert the sign of their orientation.
 */
function resolveSigns(scored: Scored[]): Scored[] {
  const key = (s: Scored): string => {
    const l = s.cand.layout;
    return `${s.cand.window}|${s.cand.symmetry}|${l.winLength}|${l.placement}|${l.reference}`;
  };
  const groups = new Map<string, Scored[]>();
  for (const s of scored) groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
  const out: Scored[] = [];
  for (const group of groups.values()) {
    const plus = group.find((s) => s.cand.layout.sign === '+');
    const minus = group.find((s) => s.cand.layout.sign === '-');
    if (plus && minus && Math.abs(plus.delta - minus.delta) < TIE) {
      // Merged: the sign stays open.
      const better = plus.delta <= minus.delta ? plus : minus;
      out.push({ ...better, score: plus.score + minus.score });
    } else for (const s of group) out.push({ ...s, sign: s.cand.layout.sign });
  }
  return out;
}

/** The overlap witness for each reference and allowed sign of a full-length window, best first. */
function flatWitness(r: WindowSearch, signs: readonly PhaseSign[]): { reference: ImprintReference; sign: PhaseSign; match: number; lag: number }[] {
  const N = r.segments.nfft;
  const out = [];
  for (const reference of ['frame-start', 'window-centre'] as const)
    for (const sign of signs) {
      // A full-length layout starts where frame sample 0 sits: rolling by it restores frame order.
      const roll = makeLayout(N, N, 'centred', reference, sign).start;
      out.push({ reference, sign, ...overlapWitness(r.segments, roll, sign === '+' ? 1 : -1) });
    }
  return out.sort((a, b) => b.match - a.match);
}

/**
 * Readings of one family on one window position (periodic vs symmetric, neighbouring parameter values,
 * the two signs) differ in the imprint by a half-sample shift, a 1/L stretch or a slight reshaping, which
 * a power trend across the frame or lossy storage (uint8 dB magnitudes) can mimic: for near-gaussian
 * windows (gaussian, kaiser) a half-sample shift is almost exactly a linear trend. Consistency separates
 * them by 40-80 dB (measured in the tests), so the imprint never pushes one below FAMILY_FLOOR of the
 * best of its family there: all reach the consistency test.
 */
function floorFamilies(scored: Scored[]): void {
  const key = (s: Scored): string => {
    const l = s.cand.layout;
    return `${s.cand.family}|${l.winLength}|${l.placement}|${l.reference}`;
  };
  const best = new Map<string, number>();
  for (const s of scored) best.set(key(s), Math.max(best.get(key(s)) ?? 0, s.score));
  for (const s of scored) s.score = Math.max(s.score, FAMILY_FLOOR * (best.get(key(s)) ?? 0));
}

/** Whether the best window fits alike under both references (and so the imprint is flat). */
function referenceTie(r: WindowSearch, scored: Scored[]): boolean {
  if (r.absoluteTime) return false;
  const best = r.candidates[0];
  return scored.some(
    (s) =>
      s.cand.window === best.window &&
      s.cand.symmetry === best.symmetry &&
      s.cand.layout.winLength === best.layout.winLength &&
      s.cand.layout.reference !== best.layout.reference &&
      s.delta < TIE,
  );
}

function describe(c: WindowCandidate): string {
  const L = c.layout.winLength;
  const where = c.layout.reference === 'window-centre' ? 'rolled to the window centre' : c.layout.placement;
  return `${c.symmetry} ${c.window}, ${L} samples ${where}${c.layout.sign === '-' ? ', time-reversed' : ''}`;
}

/**
 * Under an absolute-time reference the content advances by sign·hop per frame: a measured advance d means
 * hop ≡ d (sign +) or hop ≡ N − d (sign −). Hops beyond N/2 (frames overlapping less than half) are rare.
 */
function hopPrior(r: WindowSearch, c: WindowCandidate, signFixed: boolean): number {
  if (r.driftPerFrame === 0 || signFixed) return 1;
  const N = r.segments.nfft;
  const hop = c.layout.sign === '+' ? r.driftPerFrame : N - r.driftPerFrame;
  return hop <= N / 2 ? 1 : LONG_HOP_PRIOR;
}

function priorNote(c: WindowCandidate, N: number): string {
  const lp = lengthPrior(c.layout.winLength, N);
  const parts: string[] = [];
  if (lp < 1) parts.push(`uncommon length, prior ${lp}`);
  if (c.refined) parts.push(`refined parameter, prior ${REFINED_PRIOR}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function signNote(s: Scored, signFixed: boolean): string {
  if (signFixed) return '';
  if (s.sign === '-') return '; fits only time-reversed: conjugated phase (sign −)';
  if (s.sign === '+') return '; fits only as is, not time-reversed: phase sign +';
  return '; fits alike time-reversed: the sign stays open';
}

function driftNote(r: WindowSearch): string {
  if (r.driftPerFrame === 0) return '';
  const d = r.driftPerFrame;
  return `; energy centre advances ${d} samples per frame (measured ${r.drift.samples}, ${(r.drift.agreement * 100).toFixed(0)} % of ${r.drift.pairs} frame pairs agree): absolute-time reference, hop ≡ ${d} (sign +) or ${(r.segments.nfft - d) % r.segments.nfft} (sign −) mod nfft`;
}

/**
 * One reading as a hypothesis. Under a window-centre reference the segment was rolled by the window's
 * centre, which erases where the window sat in the frame: both placements fit alike (the placement then
 * only shifts the signal, like firstFrameStart), so the placement is left open.
 */
function emit(r: WindowSearch, s: Scored, score: number, reason: string, window?: 'estimated'): Hypothesis {
  const c = s.cand;
  const L = c.layout.winLength;
  const N = r.segments.nfft;
  const placementHidden = s.placementHidden;
  const values: PartialStftConfig = {
    window: (window ?? c.window) as WindowName,
    windowSymmetry: c.symmetry,
    winLength: L,
    phaseReference: referenceOf(c, r),
  };
  if (!placementHidden) values.windowPlacement = L === N ? 'centred' : c.layout.placement;
  if (s.sign !== undefined) values.phaseSign = s.sign;
  return {
    values,
    score: Math.max(1e-6, Math.min(1, score)),
    reason: placementHidden ? `${reason}; the placement inside the frame is invisible under a window-centre reference` : reason,
    metrics: {
      chi2: round(c.fit.chi2),
      deltaNoiseUnits: round(s.delta),
      reducedChi2: round(r.reducedChi2),
      correlationLength: round(r.correlation),
      frames: r.segments.count,
      powerSlope: round(c.fit.a1 / c.fit.a0),
      floor: c.fit.b0,
      driftPerFrame: r.driftPerFrame,
    },
  };
}

function round(x: number): number {
  return Number(x.toPrecision(5));
}
