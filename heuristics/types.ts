import type { PartialStftConfig } from '../src/config/types.js';
import type { Evidence } from '../src/analysis/evidence.js';

/**
 * The one interface every analyzer implements. An analyzer is a small pure module: it reads the
 * decoded evidence it needs (sampled, never the whole file) under the fields already fixed, and returns
 * scored hypotheses for the fields it decides, each with a human-readable reason and the numbers behind
 * it. New analyzers are added to the registry in heuristics/index.ts and touch nothing else.
 */

/** Pipeline stages, in order: each stage's analyzers may rely on every field decided by earlier ones. */
export const STAGES = ['storage', 'shape', 'values', 'transform', 'prior'] as const;
export type Stage = (typeof STAGES)[number];

/** A config field name as it appears in --set (dotted for file fields: 'magnitudeFile.dtype'). */
export type FieldName = string;

export interface Hypothesis {
  /** The field values this hypothesis asserts (may fix several coupled fields at once: nfft + sided + bins). */
  values: PartialStftConfig;
  /**
   * Support in (0, 1]: how strongly the evidence favours this hypothesis (1 = decisive). Scores of one
   * analyzer's hypotheses are comparable with each other; the search turns them into a prior cost.
   */
  score: number;
  /** One line a person can check: what was measured and why it points here. */
  reason: string;
  /** The numbers behind the reason (for --json evidence and the report). */
  metrics?: Record<string, number | string | boolean>;
  /**
   * Set when the data did not rank this hypothesis above its rivals and a prior did (a tool preset, a
   * habit): that prior's name. Its fields are then undetermined, not measured (Candidate.fromPrior).
   */
  prior?: string;
}

export interface AnalyzerResult {
  /** Best first. Empty when undecided. */
  hypotheses: Hypothesis[];
  /** Set when the evidence does not decide (noise, silence, a constant or tiny file): why. */
  undecided?: string;
  /**
   * Set when the evidence rules out the state as a whole (its fixed fields cannot be how the files
   * were made): why. The search drops the state instead of carrying it on undecided; when every state
   * is ruled out, no configuration fits.
   */
  rejects?: string;
}

export interface Analyzer {
  /** Stable id, kebab-case ('phase-dc-nyquist'). */
  readonly name: string;
  readonly stage: Stage;
  /** Fields this analyzer can decide. */
  readonly decides: readonly FieldName[];
  /** Fields that must be fixed before it runs (it is skipped, not failed, when they are not). */
  readonly needs: readonly FieldName[];
  /**
   * Fields it reads when they are fixed, beyond `needs` and `decides` ('all' for a whole-config
   * matcher): results are cached per state by these, so a state never gets another state's answer.
   */
  readonly reads?: readonly FieldName[] | 'all';
  /**
   * Hypotheses the search branches on at most (default 4). An analyzer whose hypotheses come in
   * near-tied groups (the window: shape × symmetry × length) needs more to reach its second group.
   */
  readonly branches?: number;
  /**
   * States of the beam it runs on at most, cheapest first (default: all). For an expensive analyzer (an
   * iterative fit per reading): the states past the limit carry on without it, as if it were undecided,
   * and the prior cost that put them there keeps them behind.
   */
  readonly maxStates?: number;
  /** Whether it can run at all on this input (e.g. needs a phase file). */
  applies(evidence: Evidence, fixed: PartialStftConfig): boolean;
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult;
}

/** Helper for analyzers: an undecided result with its reason. */
export function undecided(reason: string): AnalyzerResult {
  return { hypotheses: [], undecided: reason };
}

/** Helper for analyzers: the state is ruled out, with the reason. */
export function rejected(reason: string): AnalyzerResult {
  return { hypotheses: [], rejects: reason };
}

/** Read a (possibly dotted) field of a partial config; undefined when not fixed. */
export function getField(c: PartialStftConfig, field: FieldName): unknown {
  const dot = field.indexOf('.');
  if (dot < 0) return (c as Record<string, unknown>)[field];
  const head = (c as Record<string, unknown>)[field.slice(0, dot)];
  if (head === null || head === undefined || typeof head !== 'object') return undefined;
  return (head as Record<string, unknown>)[field.slice(dot + 1)];
}
