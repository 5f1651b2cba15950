import type { StftConfig } from './config/types.js';
import { StftDecoder } from './decode/frames.js';
import { type ComplexFrames, FrameSynthesizer, geometryFromConfig, OverlapAdd, outputRange, restoreNyquist, type SampleRange, type StftGeometry, subGeometry } from './dsp/stft.js';
import { InputError } from './errors.js';
import { openStorage } from './io/open.js';
import type { ValueSource } from './io/source.js';
import { type Normalize, type WavBits, WavStreamWriter } from './io/wav.js';

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
}

export interface ExportResult {
  output: string;
  samples: number;
  sampleRate: number;
  sampleRateSource: 'option' | 'config' | 'default';
  /** Original-signal index of the first written sample. */
  start: number;
  gaps: SampleRange[];
  normalizeGain: number;
  peak: number;
}

/** Frames decoded and synthesised per block: large enough to amortise reads, small enough for cache. */
const BLOCK_FRAMES = 256;

/**
 * Frames [m0, m0+count) with the dropped Nyquist bin restored by consistency on the block plus a margin
 * of neighbouring frames (the coupling between frames is local, so the margin makes block edges exact).
 */
function restoredBlock(decoder: StftDecoder, g: StftGeometry, m0: number, count: number): ComplexFrames {
  const margin = 8 * Math.ceil(g.nfft / g.hop);
  const a = Math.max(0, m0 - margin);
  const b = Math.min(decoder.config.frames, m0 + count + margin);
  const full = restoreNyquist(decoder.read(a, b - a), subGeometry(g, a));
  const bins = full.bins;
  const from = (m0 - a) * bins;
  return { frames: count, bins, re: full.re.subarray(from, from + count * bins), im: full.im.subarray(from, from + count * bins) };
}

/** Open the magnitude (and phase) files of a config with the sizes it claims checked up front. */
export function openInputs(config: StftConfig, magnitudeFile: string, phaseFile: string | null): StftDecoder {
  const values = config.frames * config.bins;
  const mag = openStorage(magnitudeFile, config.magnitudeFile, values);
  let phase: ValueSource | null = null;
  try {
    if (phaseFile !== null) {
      if (!config.phaseFile) throw new InputError(phaseFile, 'a phase file was given but the config has phaseFile = null');
      phase = openStorage(phaseFile, config.phaseFile, values);
    }
    return new StftDecoder(config, mag, phase);
  } catch (e) {
    mag.close();
    phase?.close();
    throw e;
  }
}

/**
 * Reconstruct the audio of a known config and stream it to a WAV: decode a block of frames, inverse
 * transform each frame, least-squares overlap-add, write. Memory stays at one block whatever the size.
 */
export function exportWithConfig(
  config: StftConfig,
  magnitudeFile: string,
  phaseFile: string | null,
  opts: ExportOptions,
): ExportResult {
  const sampleRate = opts.sampleRate ?? config.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const sampleRateSource = opts.sampleRate ? 'option' : config.sampleRate ? 'config' : 'default';
  const decoder = openInputs(config, magnitudeFile, phaseFile);
  try {
    if (!decoder.hasPhase) {
      throw new InputError(magnitudeFile, 'no phase is available for this config (magnitude-only export needs phase retrieval)');
    }
    const stored = geometryFromConfig(config);
    const g: StftGeometry = stored.sided === 'one-no-nyquist' ? { ...stored, sided: 'one' } : stored;
    const range = outputRange(g, config.frames, config.center, config.originalLength);
    const writer = new WavStreamWriter(opts.output, { sampleRate, bits: opts.bits, normalize: opts.normalize, force: opts.force });
    try {
      const ola = new OverlapAdd(g, range.start, range.end, (_s, chunk) => writer.write(chunk));
      const syn = new FrameSynthesizer(g);
      for (let m0 = 0; m0 < config.frames; m0 += BLOCK_FRAMES) {
        const count = Math.min(BLOCK_FRAMES, config.frames - m0);
        const block = stored.sided === 'one-no-nyquist' ? restoredBlock(decoder, stored, m0, count) : decoder.read(m0, count);
        for (let i = 0; i < count; i++) ola.add(m0 + i, syn.synth(m0 + i, block.re, block.im, i * block.bins, block.bins));
        opts.onProgress?.((m0 + count) / config.frames);
      }
      ola.end();
      const { gain, peak } = writer.finish();
      return {
        output: opts.output,
        samples: writer.length,
        sampleRate,
        sampleRateSource,
        start: range.start,
        gaps: ola.gaps,
        normalizeGain: gain,
        peak,
      };
    } catch (e) {
      writer.abort();
      throw e;
    }
  } finally {
    decoder.close();
  }
}
