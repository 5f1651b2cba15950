import type { PartialStftConfig } from '../config/types.js';
import type { Candidate, PhaseStatus } from '../analyze/index.js';

/** One unit of work: a magnitude file, its phase file if any, and per-pair pins from a manifest. */
export interface BatchPair {
  /**
   * Unique within the batch: the magnitude file's name less its magnitude word (`take1-magnitude.f32`
   * -> `take1`), made unique in sorted order. The exported WAV's name; with the files' names, what a
   * rerun recognises as done.
   */
  name: string;
  /** Paths as given (relative to the working folder, or absolute). */
  magnitude: string;
  phase: string | null;
  /** A manifest's `config`: a config JSON file (path resolved like the inputs) or the object itself. */
  config?: string | Record<string, unknown> | null;
  /** Why this entry cannot run (a phase file alone, an ambiguous name): it becomes an error line as is. */
  problem: string | null;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/** What a folder or manifest holds, in the one sorted order shards and resumed runs agree on. */
export interface BatchPlan {
  source: 'folder' | 'manifest';
  input: string;
  pairs: BatchPair[];
  /** Folder entries that are not inputs (hidden, subfolders, documents, truth JSON, WAVs...), with why. */
  skipped: SkippedFile[];
}

/** Why a pair failed, in one word: bad input, a bad per-pair config, the worker died, or a bug. */
export type BatchErrorKind = 'input' | 'usage' | 'out-of-memory' | 'crash' | 'internal';

/**
 * One line of results.jsonl: everything about one pair. `candidates` are exactly those of
 * `analyze --json` (rank, score, confidence, config, evidence...), the top N.
 */
export interface BatchLine {
  pair: string;
  status: 'ok' | 'error';
  magnitude: string;
  phase: string | null;
  /** The error in words (the one line the CLI would print for this pair), null when ok. */
  error: string | null;
  errorKind: BatchErrorKind | null;
  /** Wall time of this pair (analysis + export) in ms. */
  elapsedMs: number;
  /** The exported WAV (rank-1 config), when --export-dir was given and the pair succeeded. */
  wav: string | null;
  /** What the phase file turned out to be (as analyze --json's `phase`), null when the pair failed. */
  phaseStatus: PhaseStatus | null;
  recipe: string | null;
  notes: string[];
  /** Peak resident memory of the process that ran the pair, during this pair (MB; null when unknown). */
  peakRssMB: number | null;
  candidates: Candidate[];
}

/** What a batch run did (this run's lines; the results file holds the earlier runs' too). */
export interface BatchSummary {
  plan: BatchPlan;
  /** The shard taken, and how many pairs it holds. */
  shard: { index: number; count: number };
  selected: number;
  /** Pairs of the shard already `ok` in the results file: not run again. */
  alreadyDone: number;
  /** Their names. */
  donePairs: string[];
  ok: number;
  failed: number;
  lines: BatchLine[];
  /** A truncated last line (a killed run) was cut off the results file before appending. */
  repaired: boolean;
  /** Pairs run at once, and whether in worker processes or in this process. */
  jobs: number;
  isolation: 'process' | 'inline';
  elapsedMs: number;
  /** The largest peakRssMB of this run's pairs (MB). */
  peakRssMB: number | null;
}

/** Progress events: a pair started (in process `pid`) or finished. */
export type BatchEvent = { type: 'start'; pair: BatchPair; pid: number } | { type: 'done'; line: BatchLine; done: number; failed: number; total: number };

export interface BatchOptions {
  /** The results file (JSON lines), appended to; pairs already `ok` in it are skipped. */
  out: string;
  /** Write the rank-1 WAV of each pair here (created if missing), named after the pair. */
  exportDir?: string | null;
  /** Pairs run at once (default: the number of cores). */
  jobs?: number;
  /** Take pairs whose index in the sorted list is `index` mod `count` (default 0 of 1: all). */
  shard?: { index: number; count: number };
  /** Candidates kept per pair (default 5). */
  top?: number;
  /** Fields pinned for every pair (--config then --set); a manifest row's config goes on top. */
  pins?: PartialStftConfig;
  /** Resident memory allowed per job (MB): a job over it is stopped and its pair fails as out-of-memory. */
  memoryLimitMB?: number;
  /** List the pairs and what would run, run nothing, write nothing. */
  dryRun?: boolean;
  onEvent?: (e: BatchEvent) => void;
  /**
   * The compiled worker script run in each job's process (default: worker.js beside this module). Null,
   * or running from the TypeScript sources (where there is none), runs pairs in this process one at
   * a time: no crash isolation and no memory bound.
   */
  workerScript?: string | null;
}
