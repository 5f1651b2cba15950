import { ANALYZERS } from '../../heuristics/index.js';
import { getField, STAGES } from '../../heuristics/types.js';
import type { Evidence } from '../analysis/evidence.js';
import { ESTIMATED_NEEDS_PHASE } from '../config/parse.js';
import { InputError } from '../errors.js';
import { channelAgreement } from '../rank/channels.js';
import { decide } from '../rank/decide.js';
import { ConsistencyScorer, isRankable, rankStates, topCandidates } from '../rank/rank.js';
import { BeamSearch, startFromPins } from '../search/beam.js';
import { fillFallbacks, isComplexInput } from '../search/fill.js';
import { analyzePair, withEvidence } from './pairing.js';
import type { AnalysisResult, AnalyzeOptions } from './types.js';
import { checkInputPaths } from '../io/input.js';

/**
 * The pipeline, top to bottom: open -> storage -> shape -> values -> transform -> rank -> report.
 *
 *   open       pairing.ts          which files, in which order, on which frames; Evidence samples them
 *   storage    heuristics/container, raw-dtype          format, dtype, endian, header
 *   shape      heuristics/channels, dims                channels; frames, bins, layout, nfft, sided
 *   values     heuristics/magnitude-scale, phase-unit   how stored values decode to |X| and radians
 *   transform  heuristics/phase-structure, hop, phase-convention, window, centring
 *   prior      heuristics/recipe                        the known preset and its sample rate
 *              (each stage narrows a beam of partial configs: src/search/beam.ts)
 *   fill       src/search/fill.ts  what nobody decided, from common values arbitrated by consistency
 *   rank       src/rank/           consistency on sampled frame blocks + the analyzers' doubts
 *   report     src/rank/decide.ts  per field: what decided it and how close the runner-up came
 *              (printing is src/report/; the WAV is src/export/)
 */

/**
 * Analyze an unknown pair: the files are paired (swapped, cut to a common prefix, or the phase set
 * aside when it is unusable: pairing.ts) and each reading goes through `analyzeEvidence`. Honours user
 * pins: they are fixed before any analyzer runs.
 */
export function analyze(magnitudeFile: string, phaseFile: string | null, opts: AnalyzeOptions = {}): AnalysisResult {
  checkInputPaths([{ path: magnitudeFile }, { path: phaseFile }]);
  return analyzePair(analyzeEvidence, magnitudeFile, phaseFile, opts);
}

/** The pipeline on one opened pair: analyzers stage by stage, fill, rank, decisions. */
export function analyzeEvidence(evidence: Evidence, opts: AnalyzeOptions = {}, t0 = performance.now()): AnalysisResult {
  const hasPhaseFile = evidence.phase !== null;
  const { pins, trail } = startFromPins(opts.pins, hasPhaseFile);

  // storage -> shape -> values -> transform -> prior
  const search = new BeamSearch(evidence, opts.analyzers ?? ANALYZERS, pins, trail);
  for (const [si, stage] of STAGES.entries()) {
    opts.onProgress?.(stage, si / STAGES.length);
    search.runStage(stage);
  }
  const beam = search.beam;

  if (pins.window === 'estimated' && !hasPhaseFile && !isComplexInput(beam)) throw new InputError(evidence.magnitude.path, ESTIMATED_NEEDS_PHASE);

  // fill what nobody decided
  const scorer = new ConsistencyScorer(evidence, hasPhaseFile);
  opts.onProgress?.('fill', 0.8);
  const complete = fillFallbacks(beam, hasPhaseFile || isComplexInput(beam) ? scorer.measure : null).filter((s) => isRankable(s.values, hasPhaseFile));
  if (complete.length === 0) {
    const open = beam.length ? beam[0].values : pins;
    const missing = ['magnitudeFile.dtype', 'frames', 'bins', 'nfft'].filter((f) => getField(open, f) === undefined);
    // The shape stage says why it found no shape (a file of one frame's values, say): that is the reason.
    const why = missing.includes('frames') ? search.runs.get('dims')?.undecided[0] : undefined;
    throw new InputError(
      evidence.magnitude.path,
      `no plausible configuration${missing.length ? ` (could not determine ${missing.join(', ')}${why ? `: ${why}` : ''})` : ''}`,
    );
  }

  // rank
  opts.onProgress?.('consistency', 0.9);
  const { ranked, rankedBy } = rankStates(complete, scorer);
  const notes: string[] = [];
  if (rankedBy === 'heuristics') notes.push('no usable phase: candidates are ranked by the heuristics alone (consistency needs phase)');
  // One shared config for every channel: check the others agree with it (a note when one does not).
  notes.push(...channelAgreement(evidence, ranked[0].config));
  const candidates = topCandidates(ranked, opts.top ?? 5);
  const hidden = candidates[0].ambiguousStart;
  if (hidden) {
    // DESIGN.md §4.13: say so, and by how much the readings differ; export keeps frame 0 whole.
    // Magnitudes alone never show the edges; with phase, only a start in digital silence hides them.
    const why = candidates[0].unobservable.includes('firstFrameStart')
      ? 'magnitudes alone cannot show where frame 0 starts, so'
      : 'the audio starts in digital silence, so zero padding, reflected silence and no padding look alike and';
    notes.push(
      `the start is ambiguous: ${why} the readings of where frame 0 starts differ by up to ${hidden.spreadSamples} samples; rank 1 follows the maker's convention (center ${candidates[0].config.center}, firstFrameStart ${candidates[0].config.firstFrameStart}), and export keeps every sample from frame 0's first on`,
    );
  }

  if (candidates[0].unobservable.length > 0) {
    notes.push(
      `magnitudes alone cannot show ${candidates[0].unobservable.join(', ')}: rank 1 gives the maker's convention for them (undetermined, not measured)`,
    );
  }

  const prior = candidates[0].fromPrior;
  if (prior.length > 0) {
    const names = [...new Set(candidates[0].evidence.filter((e) => e.prior !== undefined && prior.includes(e.field)).map((e) => e.prior))];
    notes.push(
      `the data do not decide ${prior.join(', ')}: no reading explains the magnitudes clearly better than the others, so rank 1 takes them from ${names.join(' and ')} (undetermined, not measured; export with --rank to hear another reading, or pin what you know, such as --set ${prior[0]}=…, and analyze again)`,
    );
  }

  // report
  opts.onProgress?.('done', 1);
  return {
    magnitudeFile: evidence.magnitude.path,
    phaseFile: evidence.phase?.path ?? null,
    candidates,
    decisions: decide(ranked.map((r) => ({ config: r.config, score: r.score, trail: r.s.trail }))),
    analyzers: [...search.runs.values()],
    consistencyEvaluations: scorer.evaluations,
    notes,
    rankedBy,
    phase: hasPhaseFile
      ? { kind: 'ok', usable: true, reason: 'not yet assessed', swapped: false }
      : { kind: 'absent', usable: false, reason: 'no phase file: magnitudes only', swapped: false },
    elapsedMs: Math.round(performance.now() - t0),
  };
}

export { recipeOf } from '../rank/decide.js';
export { withEvidence };
export { ReadingsRuledOut } from '../search/beam.js';
export type { AnalysisResult, AnalyzeOptions, AnalyzerRun, Candidate, FieldDecision, FieldEvidence, PhaseStatus } from './types.js';
