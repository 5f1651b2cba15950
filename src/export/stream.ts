import { availableParallelism } from 'node:os';
import type { StftConfig } from '../config/types.js';
import { StftDecoder } from '../decode/frames.js';
import { geometryFromConfig, outputRange, type SampleRange, shortUncoveredRuns } from '../dsp/stft.js';
import { MAX_FILL } from '../dsp/gap-fill.js';
import { InputError } from '../errors.js';
import { trendOrder } from '../dsp/detrend.js';
import { synthesizeDetrended } from './detrended.js';
import { runParallel, workersAvailable } from './parallel.js';
import { BlockDecoder, blockGrid, nolaFloorFor, splitJob, synthesizeJob } from './range.js';
import { openChannelStorage } from '../io/channels.js';
import type { ValueSource } from '../io/source.js';
import { type Normalize, type WavBits, WavStreamWriter } from '../io/wav.js';

export const DEFAULT_SAMPLE_RATE = 44100;

export interface ExportOptions {
  output: string;
  /** --sample-rate; overrides the config's. */
  sampleRate?: number | null;
  bits: WavBits;
  normalize: Normalize;
  force: boolean;
  /** Called with the fraction done (0..1). */
  onProgress?: (fraction: number) => void;
  /**
   * Share the work with worker threads (one thread per core): `false` never; `true` whenever the
   * inputs allow it (raw or npy files, and the compiled worker present), with at least two threads;
   * a number: from that many STFT values (frames × bins) on. Default PARALLEL_MIN_VALUES.
   */
  parallel?: boolean | number;
  /**
   * The channel of a multichannel input (config.channels > 1) to read, 0-based (`--channel K`). An
   * export through `reconstruct` without it writes every channel, interleaved; the lower-level
   * `exportWithConfig` reads channel 0 without it.
   */
  channel?: number;
  /**
   * The analysis could not read where frame 0 starts (Candidate.ambiguousStart, DESIGN.md §4.13): write
   * from frame 0's first sample, keeping what this config calls padding, so every reading of the start
   * writes the same audio (the result's `start` says where it begins in this config's reading).
   */
  startAmbiguous?: boolean;
  /**
   * The window behind config.window 'estimated', which exists only as a measurement of the files
   * (heuristics' estimateWindow; `reconstruct` measures it). Required for such a config.
   */
  measuredWindow?: Float64Array;
}

/**
 * Below this many STFT values (frames × bins: about 24 s of 44.1 kHz audio at 2048/512) an export
 * takes well under half a second and starting workers does not pay.
 */
export const PARALLEL_MIN_VALUES = 1 << 21;
const MAX_THREADS = 8;
/**
 * A parallel export is cut into about this many stretches per thread, taken in turn by whichever
 * thread is free (so a thread that starts late or runs slow does not leave the others waiting),
 * but none shorter than MIN_STRETCH_FRAMES.
 */
const STRETCHES_PER_THREAD = 16;
const MIN_STRETCH_FRAMES = 1024;

export interface ExportResult {
  output: string;
  samples: number;
  sampleRate: number;
  sampleRateSource: 'option' | 'config' | 'default';
  /** Original-signal index of the first written sample. */
  start: number;
  /** Samples no window weight reaches, written as silence (NOLA fails). */
  gaps: SampleRange[];
  /** Short such runs interpolated from their neighbours instead (a window with zero ends: gap-fill.ts). */
  filled: SampleRange[];
  normalizeGain: number;
  peak: number;
  /** Threads the work was shared between (1: sequential); a worker still starting when the work ran out did none of it. */
  threads: number;
}

/** Open the magnitude (and phase) files of a config with the sizes it claims checked up front. */
export function openInputs(config: StftConfig, magnitudeFile: string, phaseFile: string | null, channel = 0): StftDecoder {
  const { mag, phase } = openSources(config, magnitudeFile, phaseFile, channel);
  return new StftDecoder(config, mag, phase);
}

function openSources(config: StftConfig, magnitudeFile: string, phaseFile: string | null, channel: number): { mag: ValueSource; phase: ValueSource | null } {
  const values = config.frames * config.bins;
  const mag = openChannelStorage(magnitudeFile, config.magnitudeFile, values, config.channels, channel);
  let phase: ValueSource | null = null;
  try {
    if (phaseFile !== null) {
      if (!config.phaseFile) throw new InputError(phaseFile, 'a phase file was given but the config has phaseFile = null');
      phase = openChannelStorage(phaseFile, config.phaseFile, values, config.channels, channel);
    }
    return { mag, phase };
  } catch (e) {
    mag.close();
    phase?.close();
    throw e;
  }
}

/** Threads for an export (1: sequential, no workers). */
function threadCount(config: StftConfig, phaseFile: string | null, parallel: boolean | number | undefined): number {
  // Workers reopen the inputs as whole files at the frame offsets of channel 0's layout: a channel of
  // a multichannel file is exported on this thread (one per channel, see reconstruct).
  if (parallel === false || config.channels > 1) return 1;
  // Workers reopen the inputs as plain files at an offset; other containers are decoded once, here.
  const streamable = (s: StftConfig['magnitudeFile'] | null): boolean => s !== null && (s.format === 'raw' || s.format === 'npy');
  if (!streamable(config.magnitudeFile) || (phaseFile !== null && !streamable(config.phaseFile)) || !workersAvailable()) return 1;
  if (config.frames * config.bins < (parallel === true ? 0 : (parallel ?? PARALLEL_MIN_VALUES))) return 1;
  return Math.min(MAX_THREADS, Math.max(parallel === true ? 2 : 1, availableParallelism()));
}

/**
 * Reconstruct the audio of a known config and stream it to a WAV: decode a block of frames, inverse
 * transform each frame, least-squares overlap-add, write. Memory stays at one block (per thread)
 * whatever the size; large raw/npy inputs are split across worker threads (see `parallel`).
 */
export function exportWithConfig(config: StftConfig, magnitudeFile: string, phaseFile: string | null, opts: ExportOptions): ExportResult {
  const { mag, phase } = openSources(config, magnitudeFile, phaseFile, opts.channel ?? 0);
  try {
    if (phase === null && !mag.complex) {
      throw new InputError(magnitudeFile, 'no phase is available for this config (magnitude-only export needs phase retrieval)');
    }
    const g = geometryFromConfig(config, opts.measuredWindow);
    const range = outputRange(g, config.frames, config.originalLength, opts.startAmbiguous);
    const decoder = new BlockDecoder(config, mag, phase);
    return writeExport(config, opts, range, (writer) => {
      if (trendOrder(config.detrend) > 0) {
        let done = 0;
        const gaps = synthesizeDetrended(
          config,
          g,
          decoder,
          range,
          (x) => writer.write(x),
          (n) => {
            done += n;
            opts.onProgress?.(done / config.frames);
          },
        );
        return { gaps, threads: 1 };
      }
      // A short run the window does not reach is filled from both neighbours, which a stretch may not hold: one thread then.
      const threads = shortUncoveredRuns(g, MAX_FILL, nolaFloorFor(config)) ? 1 : threadCount(config, phaseFile, opts.parallel);
      const stretches = Math.min(threads * STRETCHES_PER_THREAD, Math.floor(config.frames / MIN_STRETCH_FRAMES));
      const jobs = splitJob(g, config.frames, range, threads > 1 ? Math.max(threads, stretches) : 1, blockGrid(config, decoder));
      if (jobs.length > 1) {
        return {
          gaps: runParallel(config, opts.measuredWindow, { magnitude: magnitudeFile, phase: phaseFile }, decoder, jobs, threads - 1, writer, opts.onProgress),
          threads,
        };
      }
      let done = 0;
      const { gaps, filled } = synthesizeJob(
        config,
        g,
        decoder,
        jobs[0],
        (x) => writer.write(x),
        (n) => {
          done += n;
          opts.onProgress?.(done / config.frames);
        },
        true,
      );
      return { gaps, filled, threads };
    });
  } finally {
    mag.close();
    phase?.close();
  }
}

/**
 * The frame every export shares: resolve the sample rate, open the output WAV, let `produce` fill it,
 * then finish (convert, rename) or abort (remove the temp file) so nothing half-written is left.
 */
export function writeExport(
  config: StftConfig,
  opts: ExportOptions,
  range: { start: number; end: number },
  produce: (writer: WavStreamWriter) => { gaps: SampleRange[]; threads: number; filled?: SampleRange[] },
): ExportResult {
  const sampleRate = opts.sampleRate ?? config.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const sampleRateSource = opts.sampleRate ? 'option' : config.sampleRate ? 'config' : 'default';
  const writer = new WavStreamWriter(opts.output, { sampleRate, bits: opts.bits, normalize: opts.normalize, force: opts.force });
  try {
    const { gaps, threads, filled = [] } = produce(writer);
    const { gain, peak } = writer.finish();
    return { output: opts.output, samples: writer.length, sampleRate, sampleRateSource, start: range.start, gaps, filled, normalizeGain: gain, peak, threads };
  } catch (e) {
    writer.abort();
    throw e;
  }
}
