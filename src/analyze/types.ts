import type { Analyzer } from '../../heuristics/types.js';
import type { PhaseKind } from '../analysis/phase-quality.js';
import type { PartialStftConfig, StftConfig } from '../config/types.js';

/**
 * What an analysis returns: the ranked candidates, the evidence behind every field, and what the
 * analysis did (analyzer runs, phase verdict, notes). The CLI table, `--json` and the reports read these.
 */

/** Why a field has its value in a candidate. */
export interface FieldEvidence {
  field: string;
  value: unknown;
  /** analyzer name, 'pinned' (the user), 'fallback' (a common value, arbitrated by consistency), or 'derived'. */
  source: string;
  reason: string;
  score?: number;
  /** The analyzer's best alternative for this field, when it had one. */
  runnerUp?: { value: unknown; score: number };
  /** The numbers behind the reason. */
  metrics?: Record<string, number | string | boolean>;
  /** The prior that chose this value where the data ranked no value above the others (Hypothesis.prior). */
  prior?: string;
}

export interface Candidate {
  rank: number;
  /** Lower is better: consistency dB (when phase exists) plus the prior cost of the analyzers' doubts. */
  score: number;
  confidence: number;
  config: StftConfig;
  consistencyDb: number | null;
  /**
   * DESIGN 4.4's raw error 20·log10(‖STFT(ISTFT(X)) − X‖/‖X‖) on the sampled blocks: round-off for a
   * true STFT at any overlap, where consistencyDb (what ranks) also weighs how much the overlap tests.
   */
  consistencyErrorDb: number | null;
  priorCost: number;
  evidence: FieldEvidence[];
  /**
   * Where frame 0 starts, when the data could not show it (the audio starts in digital silence, which
   * zero padding, reflected silence and no padding all rebuild: DESIGN.md §4.13): how far apart, in
   * samples, the makers' readings of the start lie. The config's edges follow the maker's convention;
   * export keeps every sample from frame 0's first on (ExportOptions.startAmbiguous), so whichever
   * reading is true, no signal is cut. Null when the start was read from the data or pinned.
   */
  ambiguousStart: { spreadSamples: number } | null;
  /**
   * Fields of `config` the files cannot show at all (src/rank/unobservable.ts): for magnitudes without
   * any phase, `phaseReference`, `phaseSign`, `windowPlacement` (when winLength < nfft: a circular shift
   * leaves |FFT| unchanged), `windowSymmetry`, the edges (`center`, `padMode`, `firstFrameStart`) and `detrend`. The config gives the
   * matched recipe's convention for them; they are undetermined, not measured. Empty with phase; a
   * pinned field is never listed.
   */
  unobservable: string[];
  /**
   * Fields the files could show but these did not (src/rank/unobservable.ts): no value ranked above its
   * rivals and a prior chose it (a magnitude-only excerpt whose readings all explain it alike: the
   * preset it completes names the hop and window). Undetermined, not measured, like `unobservable`.
   */
  fromPrior: string[];
}

export interface AnalyzerRun {
  name: string;
  stage: string;
  runs: number;
  /** Wall time of all its runs (ms). */
  ms: number;
  undecided: string[];
  /** Readings it ruled out (states dropped), with the first reason. */
  rejected: number;
  rejectedReason?: string;
}

/** How the rank-1 value of one field was decided, and how close the best alternative came. */
export interface FieldDecision {
  field: string;
  value: unknown;
  source: string;
  reason: string;
  /** The best-ranked candidate with another value for this field: its value and how much worse (dB). */
  alternative: { value: unknown; marginDb: number; rank: number } | null;
  /** The deciding analyzer's own runner-up, when no ranked candidate differed. */
  analyzerRunnerUp?: { value: unknown; score: number };
}

/** What the phase file turned out to be, and what the analysis did about it. */
export interface PhaseStatus {
  kind: PhaseKind;
  usable: boolean;
  reason: string;
  /** The two files were given in the wrong order and were swapped. */
  swapped: boolean;
}

export interface AnalysisResult {
  magnitudeFile: string;
  phaseFile: string | null;
  candidates: Candidate[];
  /** Per field of the rank-1 config: the evidence that decided it and the runner-up's margin. */
  decisions: FieldDecision[];
  analyzers: AnalyzerRun[];
  notes: string[];
  /** Consistency evaluations made (each an ISTFT/STFT of a few sampled blocks), over every reading tried: the expensive test's count. */
  consistencyEvaluations: number;
  /** Whether candidates were ranked by consistency (phase available) or by the heuristics alone. */
  rankedBy: 'consistency' | 'heuristics';
  phase: PhaseStatus;
  elapsedMs: number;
}

export interface AnalyzeOptions {
  pins?: PartialStftConfig;
  /** How many candidates to return. */
  top?: number;
  analyzers?: readonly Analyzer[];
  onProgress?: (stage: string, fraction: number) => void;
}
