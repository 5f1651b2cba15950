/**
 * spec-detect as a library: every CLI command is one of these calls. Importing this entry loads HDF5
 * (MAT v7.3) support up front; modules imported one by one load it with loadHdf5() when needed.
 */
import { loadHdf5 } from './io/containers/index.js';

await loadHdf5();

export { analyze, analyzeEvidence, recipeOf, withEvidence } from './analyze/index.js';
export type { AnalysisResult, AnalyzeOptions, AnalyzerRun, Candidate, FieldDecision, FieldEvidence, PhaseStatus } from './analyze/index.js';
export { reconstruct } from './export/index.js';
export type { PhaseUse, ReconstructOptions, ReconstructResult } from './export/index.js';
export { applySets, completeConfig, parseConfigObject, readConfigFile } from './config/parse.js';
export type * from './config/types.js';
export { Evidence } from './analysis/evidence.js';
export { anyHdf5, loadHdf5, openArray, pickArrays, sniffContainer } from './io/containers/index.js';
export type { ArrayEntry, ContainerInfo } from './io/containers/index.js';
export { ANALYZERS } from '../heuristics/index.js';
export type { Analyzer, AnalyzerResult, Hypothesis } from '../heuristics/types.js';
export { terminalReport } from './report/terminal.js';
export { writeMarkdownReport } from './report/markdown.js';
export { batch, planBatch } from './batch/batch.js';
export type { BatchEvent, BatchLine, BatchOptions, BatchPair, BatchPlan, BatchSummary } from './batch/types.js';
export { run } from './cli/run.js';
export { InputError, SpecDetectError, UsageError } from './errors.js';
