/**
 * Reconstruction: the audio of a known config, streamed to a WAV.
 *
 * - `reconstruct` (reconstruct.ts) decides what phase to use: the file's own when usable, phase
 *   retrieval (PGHI + fast Griffin-Lim) when absent or unusable, retrieval around the trustworthy part
 *   of a partly usable file.
 * - `exportWithConfig` (stream.ts) streams the least-squares ISTFT block by block, on this thread or
 *   split into stretches (range.ts) over worker threads (parallel.ts, worker.ts: loaded by path from
 *   the compiled dist, beside parallel.js).
 * The WAV bytes themselves are written by src/io/wav.ts.
 */
export { reconstruct } from './reconstruct.js';
export type { PhaseUse, ReconstructOptions, ReconstructResult } from './reconstruct.js';
export { DEFAULT_SAMPLE_RATE, exportWithConfig, PARALLEL_MIN_VALUES } from './stream.js';
export type { ExportOptions, ExportResult } from './stream.js';
