import { statSync } from 'node:fs';
import { dims } from '../../heuristics/dims/index.js';
import { ANALYZERS, measuredWindowOf } from '../../heuristics/index.js';
import { Evidence, storageKey } from '../analysis/evidence.js';
import { assessPhase } from '../analysis/phase-quality.js';
import type { StftConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import { valueBytes } from '../io/dtype.js';
import { pickArrays, sniffContainer } from '../io/containers/index.js';
import { ReadingsRuledOut } from '../search/beam.js';
import type { AnalysisResult, AnalyzeOptions } from './types.js';

/**
 * Which files are analysed, in which order and on which frames: one container holding both arrays,
 * a phase file that is unusable (ranked from the magnitudes alone), files given in the wrong order
 * (swapped), a raw frame-major pair one of whose files ends early (read on the frames both hold), and
 * pairs of mismatched sizes (refused). Each analysis itself is the pipeline's (`analyzeOne`).
 */

/** The pipeline on one opened pair (src/analyze/index.ts analyzeEvidence). */
export type AnalyzeOne = (evidence: Evidence, opts: AnalyzeOptions, t0: number) => AnalysisResult;

/** Run `fn` with an Evidence over the pair (optionally cut to their first bytes), always closed after. */
export function withEvidence<T>(
  magnitudeFile: string,
  phaseFile: string | null,
  fn: (e: Evidence) => T,
  limits?: ConstructorParameters<typeof Evidence>[2],
): T {
  const evidence = new Evidence(magnitudeFile, phaseFile, limits);
  try {
    return fn(evidence);
  } finally {
    evidence.close();
  }
}

/** Analyze one pair as given and judge its phase under the winning config. */
function analyzeJudged(
  one: AnalyzeOne,
  magnitudeFile: string,
  phaseFile: string | null,
  opts: AnalyzeOptions,
  t0: number,
  limits?: ConstructorParameters<typeof Evidence>[2],
): AnalysisResult {
  return withEvidence(
    magnitudeFile,
    phaseFile,
    (evidence) => {
      const r = one(evidence, opts, t0);
      if (phaseFile !== null) {
        const c = r.candidates[0].config;
        const v = assessPhase(evidence, c, { measuredWindow: measuredWindowOf(evidence, c) });
        r.phase = { kind: v.kind, usable: v.usable, reason: v.reason, swapped: false };
      }
      return r;
    },
    limits,
  );
}

/** Fewest frames a prefix must hold to be analysed (the window and hop tests sample blocks of 16–32). */
const MIN_PREFIX_FRAMES = 16;

interface Shape {
  frames: number;
  bins: number;
  layout: StftConfig['layout'];
}

/**
 * The shape of a raw phase file under a storage, from its own real DC/Nyquist bins: dims read with the
 * file as both streams (the test needs only the phase), or null when it finds no confident shape.
 */
function phaseShape(phaseFile: string, storage: StftConfig['magnitudeFile']): Shape | null {
  try {
    return withEvidence(phaseFile, phaseFile, (e) => {
      const top = dims.run(e, { magnitudeFile: storage, phaseFile: storage }).hypotheses[0];
      const v = top?.values;
      return v && top.score >= 0.5 && v.frames !== undefined && v.bins !== undefined && v.layout !== undefined
        ? { frames: v.frames, bins: v.bins, layout: v.layout }
        : null;
    });
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
}

/**
 * One raw file of a pair ends early (an interrupted write) and the other is whole: the frames both hold
 * are still the pair's. The shape comes from the whole file (the magnitudes alone when the phase is
 * short, the phase's own DC bins when the magnitudes are), the pair is analysed on the whole frames
 * both cover (both files cut to that prefix, the phase taken as stored like the magnitudes, as pairs
 * usually are), and a reading that agrees with that shape is kept. A short phase file: the magnitudes'
 * full frame count, export keeps the covered phase and retrieves the rest. Short magnitudes: the frames
 * they hold. Frame-major only (a bin-major file's end holds the upper bins of every frame). Null when
 * the prefix reads otherwise or not at all.
 */
function analyzePrefix(
  one: AnalyzeOne,
  magnitudeFile: string,
  phaseFile: string,
  alone: AnalysisResult,
  opts: AnalyzeOptions,
  t0: number,
): AnalysisResult | null {
  const c = alone.candidates[0]?.config;
  if (!c || c.magnitudeFile.format !== 'raw') return null;
  if (sniffContainer(phaseFile).format !== 'raw') return null;
  const h = c.magnitudeFile.headerBytes;
  const size = valueBytes(c.magnitudeFile.dtype);
  const values = (file: string): number => Math.floor((statSync(file).size - h) / size);
  const phaseShort = values(phaseFile) < values(magnitudeFile);
  const shape = phaseShort ? { frames: c.frames, bins: c.bins, layout: c.layout } : phaseShape(phaseFile, c.magnitudeFile);
  if (!shape || shape.layout !== 'frame-major') return null;
  const K = Math.floor(Math.min(values(phaseFile), values(magnitudeFile)) / shape.bins);
  if (K < MIN_PREFIX_FRAMES || K >= shape.frames) return null;
  const bytes = h + K * shape.bins * size;
  const frames = phaseShort ? shape.frames : K;
  // A pinned frame count is the whole pair's: the prefix is read without it, and must agree with it.
  const { frames: pinnedFrames, ...prefixPins } = opts.pins ?? {};
  if (pinnedFrames !== undefined && pinnedFrames !== frames) return null;
  let r: AnalysisResult;
  try {
    r = analyzeJudged(one, magnitudeFile, phaseFile, { ...opts, pins: prefixPins }, t0, { magnitudeBytes: bytes, phaseBytes: bytes });
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
  const same = (v: StftConfig): boolean =>
    v.frames === K && v.bins === shape.bins && v.layout === shape.layout && storageKey(v.magnitudeFile) === storageKey(c.magnitudeFile);
  if (!r.phase.usable || !same(r.candidates[0].config)) return null;
  // The prefix's end is not the signal's: the length follows from the frame count.
  const full: Record<string, { value: unknown; reason: string }> = {
    frames: {
      value: frames,
      reason: phaseShort
        ? `the magnitude file holds ${frames} frames of ${shape.bins} bins; the pair was read on the first ${K}, which the phase file covers`
        : `the magnitude file holds ${K} whole frames of ${shape.bins} bins (the phase file ${shape.frames})`,
    },
    originalLength: { value: null, reason: 'a prefix of the pair: the length follows from frames, hop and padding' },
  };
  const fix = <T extends { field: string; value: unknown; reason: string }>(e: T): T => (full[e.field] ? { ...e, ...full[e.field] } : e);
  r.candidates = r.candidates
    .filter((x) => same(x.config))
    .map((x) => ({ ...x, config: { ...x.config, frames, originalLength: null }, evidence: x.evidence.map(fix) }));
  r.decisions = r.decisions.map(fix);
  r.consistencyEvaluations += alone.consistencyEvaluations;
  const diff = sizeDifference(statSync(phaseFile).size - statSync(magnitudeFile).size);
  if (phaseShort) {
    r.notes.unshift(
      `the phase file ${phaseFile} ends early (${diff} than the magnitude file): the pair was analysed on the ${K} of ${frames} frames it covers; export keeps their phase and retrieves the rest`,
    );
    r.phase = { kind: 'partial', usable: true, reason: `phase file truncated: it covers ${K} of ${frames} frames (${r.phase.reason})`, swapped: false };
  } else {
    r.notes.unshift(
      `the magnitude file ${magnitudeFile} ends early (the phase file is ${diff}): the pair was analysed on the ${K} whole frames it holds, of the phase file's ${shape.frames}; the rest cannot be exported`,
    );
  }
  return r;
}

/**
 * Analyze an unknown pair with `one`, deciding first what the pair is. A phase file that is unusable
 * (zeros, NaN, constant, random...) is reported and the pair is ranked from the magnitudes alone; a frame-major pair one of whose files ends early is read on the frames
 * both hold, and other pairs of mismatched sizes are refused; files given in the wrong order are
 * swapped, with a notice.
 */
export function analyzePair(one: AnalyzeOne, magnitudeFile: string, phaseFile: string | null, opts: AnalyzeOptions = {}): AnalysisResult {
  const t0 = performance.now();
  if (phaseFile === null) {
    // One container may hold both arrays (np.savez(S=..., P=...), a MAT file with mag and phase).
    const pick = pickArrays(sniffContainer(magnitudeFile));
    if (!(pick.magnitude && pick.phase && !pick.complex)) return analyzeJudged(one, magnitudeFile, null, opts, t0);
    const r = analyzePair(one, magnitudeFile, magnitudeFile, opts);
    const used = r.candidates[0].config;
    const turned = used.magnitudeFile.variable === pick.phase.name && used.phaseFile?.variable === pick.magnitude.name;
    r.notes.unshift(
      turned
        ? `${magnitudeFile} holds both arrays: magnitudes "${pick.phase.name}", phases "${pick.magnitude.name}" (no telling names: read the other way round from their order in the file, the way their values fit an STFT)`
        : `${magnitudeFile} holds both arrays: magnitudes "${pick.magnitude.name}", phases "${pick.phase.name}" (${pick.reason})`,
    );
    return r;
  }
  let first: AnalysisResult | null = null;
  let failure: unknown = null;
  try {
    first = analyzeJudged(one, magnitudeFile, phaseFile, opts, t0);
    if (first.phase.usable) return first;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    failure = e;
  }
  // The phase file does not behave like phase: try the pair the other way round, but only where a swap
  // is possible at all (a pair of equal size) or the verdict says so: each analysis costs as much as the first.
  const sameSize = statSync(magnitudeFile).size === statSync(phaseFile).size;
  // Work spent on readings that failed counts too: the result reports what the whole analysis cost.
  let spent = first?.consistencyEvaluations ?? 0;
  if (first ? first.phase.kind === 'swapped' || first.phase.kind === 'out-of-bounds' : sameSize) {
    try {
      const swapped = analyzeJudged(one, phaseFile, magnitudeFile, opts, t0);
      swapped.consistencyEvaluations += spent;
      spent = swapped.consistencyEvaluations;
      if (swapped.phase.usable) {
        swapped.phase.swapped = true;
        swapped.notes.unshift(`the files were given in the wrong order: ${phaseFile} holds the magnitudes and ${magnitudeFile} the phases; they were swapped`);
        return swapped;
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  const magnitudesAlone = (o: AnalyzeOptions): AnalysisResult => {
    try {
      const r = analyzeJudged(one, magnitudeFile, null, o, t0);
      r.consistencyEvaluations += spent;
      return r;
    } catch (e) {
      throw failure ?? e;
    }
  };
  if (!sameSize) {
    // The prefix needs only the magnitudes' storage and shape: the costly transform searches wait
    // until the magnitudes alone are the answer.
    const prefix = analyzePrefix(one, magnitudeFile, phaseFile, magnitudesAlone(shapeOnly(opts)), opts, t0);
    if (prefix) return prefix;
    // Raw files of different sizes that no reading pairs, not even on the frames both hold, are not
    // one STFT's two halves: wrong input, refused (ranking the magnitudes alone behind the user's back
    // would hide it). Containers differ in size anyway; for them the verdict on the values decides.
    const raw = sniffContainer(magnitudeFile).format === 'raw' && sniffContainer(phaseFile).format === 'raw';
    if (raw || first?.phase.kind === 'size-mismatch') {
      const diff = sizeDifference(statSync(phaseFile).size - statSync(magnitudeFile).size);
      throw new InputError(
        phaseFile,
        `does not pair with ${magnitudeFile}: it is ${diff}, and no reading fits the values both hold; leave it out to analyse the magnitudes alone`,
      );
    }
  }
  const alone = magnitudesAlone(opts);
  const why = first ? `${first.phase.kind}: ${first.phase.reason}` : `no configuration fits it (${(failure as Error).message})`;
  alone.notes.unshift(`the phase file ${phaseFile} is unusable (${why}); candidates are ranked from the magnitudes alone and export retrieves the phase`);
  const kind = first?.phase.kind ?? (failure instanceof ReadingsRuledOut ? 'random' : 'inconsistent');
  alone.phase = { kind, usable: false, reason: first?.phase.reason ?? (failure as Error).message, swapped: false };
  return alone;
}

/**
 * Options without the analyzers that bound themselves with maxStates (magnitude-fit: a few hundred
 * short FGLAs per state, seconds at nfft 512): for an analysis whose storage and shape are all that is
 * read, and whose transform would be thrown away.
 */
function shapeOnly(opts: AnalyzeOptions): AnalyzeOptions {
  return { ...opts, analyzers: (opts.analyzers ?? ANALYZERS).filter((a) => a.maxStates === undefined) };
}

function sizeDifference(d: number): string {
  return `${Math.abs(d)} byte${Math.abs(d) === 1 ? '' : 's'} ${d < 0 ? 'shorter' : 'longer'}`;
}
