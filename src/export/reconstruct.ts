import { estimateWindow } from '../../heuristics/index.js';
import { Evidence } from '../analysis/evidence.js';
import { assessPhase, knownCells, type PhaseAssessment, truncatedShape } from '../analysis/phase-quality.js';
import { frameTrust, framesOverlap } from '../analysis/frame-trust.js';
import { InputError } from '../errors.js';
import { ESTIMATED_NEEDS_PHASE } from '../config/parse.js';
import type { StftConfig } from '../config/types.js';
import { FrameReader, StftDecoder } from '../decode/frames.js';
import { decodeMagnitudes, phaseUnitFactor } from '../decode/scales.js';
import { pghiLambda } from '../dsp/pghi.js';
import { DEFAULT_RETRIEVAL_ITERATIONS, type MagnitudeBlock, retrievePhaseBlocks } from '../dsp/retrieval.js';
import { polarToComplex } from '../dsp/sincos.js';
import { FrameSynthesizer, geometryFromConfig, OverlapAdd, outputRange, type StftGeometry, subGeometry } from '../dsp/stft.js';
import { type ExportOptions, type ExportResult, exportWithConfig, writeExport } from './stream.js';
import { openChannelStorage } from '../io/channels.js';
import { openStorage } from '../io/open.js';
import { interleaveChannels } from './interleave.js';

/**
 * Audio from a config, whatever the phase file turns out to be: its own phase when it is usable,
 * phase retrieval (PGHI start + fast Griffin-Lim) for magnitude-only input or an unusable phase file,
 * and retrieval around the trustworthy part when only part of it can be trusted.
 */
export interface ReconstructOptions extends ExportOptions {
  /** Retrieval iterations when phase must be retrieved (default DEFAULT_RETRIEVAL_ITERATIONS). */
  iterations?: number;
  /** A phase verdict already made (by analyze); otherwise the phase file is assessed here. */
  phaseVerdict?: PhaseAssessment;
}

export type PhaseUse = 'file' | 'partial' | 'retrieved';

export interface ReconstructResult extends ExportResult {
  phaseUse: PhaseUse;
  /** Why the phase was used as it was (the assessment's reason, or 'no phase file'). */
  phaseReason: string;
  /** Spectral convergence reached by retrieval (dB), when it ran. */
  spectralConvergenceDb: number | null;
  iterations: number;
}

export function reconstruct(config: StftConfig, magnitudeFile: string, phaseFile: string | null, opts: ReconstructOptions): ReconstructResult {
  // Every channel of a multichannel input, one after the other, interleaved into one WAV.
  if (config.channels > 1 && opts.channel === undefined) return interleaveChannels(config, magnitudeFile, phaseFile, opts, reconstruct);
  const complexInput = config.magnitudeFile.dtype.startsWith('complex');
  let verdict: PhaseAssessment | null = opts.phaseVerdict ?? null;
  let measuredWindow = opts.measuredWindow;
  const measure = config.window === 'estimated' && measuredWindow === undefined;
  if ((!verdict || measure) && (phaseFile !== null || complexInput)) {
    const evidence = new Evidence(magnitudeFile, phaseFile, { channel: opts.channel ?? 0, channels: config.channels });
    try {
      if (measure) measuredWindow = measureWindow(evidence, config, magnitudeFile);
      verdict ??= assessPhase(evidence, config, { measuredWindow });
    } finally {
      evidence.close();
    }
  }
  if (config.window === 'estimated' && measuredWindow === undefined) {
    throw new InputError(magnitudeFile, ESTIMATED_NEEDS_PHASE);
  }
  opts = { ...opts, measuredWindow };
  if (verdict && verdict.kind === 'ok') {
    return {
      ...exportWithConfig(config, magnitudeFile, phaseFile, opts),
      phaseUse: 'file',
      phaseReason: verdict.reason,
      spectralConvergenceDb: null,
      iterations: 0,
    };
  }
  const partial = verdict?.kind === 'partial' && phaseFile !== null;
  return exportRetrieved(config, magnitudeFile, partial ? phaseFile : null, verdict, opts);
}

/** The window behind 'estimated', measured as the analysis measured it; a file it cannot be measured from is the input's problem. */
function measureWindow(evidence: Evidence, config: StftConfig, magnitudeFile: string): Float64Array {
  try {
    return estimateWindow(evidence, config);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(magnitudeFile, `window "estimated": ${e.message}`);
    throw e;
  }
}

/** Stream retrieval block by block into the WAV: memory stays O(block) whatever the file size. */
function exportRetrieved(
  config: StftConfig,
  magnitudeFile: string,
  partialPhaseFile: string | null,
  verdict: PhaseAssessment | null,
  opts: ReconstructOptions,
): ReconstructResult {
  const iterations = opts.iterations ?? DEFAULT_RETRIEVAL_ITERATIONS;
  const values = config.frames * config.bins;
  const magConfig: StftConfig = { ...config, phaseFile: null };
  const channel = opts.channel ?? 0;
  const magDecoder = new StftDecoder(magConfig, openChannelStorage(magnitudeFile, config.magnitudeFile, values, config.channels, channel), null);
  const partial = partialPhaseFile !== null && config.phaseFile !== null ? openPartialPhase(config, partialPhaseFile, channel) : null;
  try {
    const g = geometryFromConfig(config, opts.measuredWindow);
    if (!framesOverlap(g)) {
      // Without overlap every phase is consistent (DESIGN.md 4.12): retrieval has nothing to converge
      // to and would write noise with the right spectrogram. Refuse before anything is written.
      const why = partial ? 'the phase file is only partly usable' : verdict ? `the phase file is unusable (${verdict.kind})` : 'there is no phase';
      throw new InputError(
        magnitudeFile,
        `frames do not overlap (hop ${config.hop} ≥ the window's support) and ${why}: phase retrieval cannot work without overlap (every phase is consistent)`,
      );
    }
    const floorMagnitude = floorLevel(config);
    const read = (a: number, count: number): MagnitudeBlock => {
      const b = magDecoder.read(a, count);
      const block: MagnitudeBlock = {
        mag: b.magnitude,
        ...(b.floor ? { unknownMagnitude: b.floor } : {}),
        ...(floorMagnitude !== null ? { floorMagnitude } : {}),
      };
      return partial ? { ...block, ...partial.known(a, count, b.magnitude, b.floor, g) } : block;
    };
    const synthG: StftGeometry = g.sided === 'one-no-nyquist' ? { ...g, sided: 'one' } : g;
    const range = outputRange(g, config.frames, config.originalLength, opts.startAmbiguous);
    let sc = 0;
    const result = writeExport(config, opts, range, (writer) => {
      const ola = new OverlapAdd(synthG, range.start, range.end, (_s, chunk) => writer.write(chunk));
      const syn = new FrameSynthesizer(synthG);
      sc = retrievePhaseBlocks(
        config.frames,
        g,
        read,
        {
          iterations,
          init: 'pghi',
          ...(config.window !== 'estimated' ? { lambda: pghiLambda(config.window, config.winLength, config.windowSymmetry) } : {}),
          onProgress: opts.onProgress,
        },
        (m0, count, re, im) => {
          const bins = re.length / count;
          for (let i = 0; i < count; i++) ola.add(m0 + i, syn.synth(m0 + i, re, im, i * bins, bins));
        },
      );
      ola.end();
      return { gaps: ola.gaps, threads: 1 };
    });
    return {
      ...result,
      phaseUse: partial ? 'partial' : 'retrieved',
      phaseReason: verdict?.reason ?? 'no phase file: magnitudes only',
      spectralConvergenceDb: sc,
      iterations,
    };
  } finally {
    magDecoder.close();
    partial?.close();
  }
}

/** The linear magnitude of the dB floor (stored units decoded), or null without a floor. */
function floorLevel(config: StftConfig): number | null {
  if (config.dbFloor === null) return null;
  const v = new Float64Array([config.dbFloor]);
  decodeMagnitudes(v, config.magnitudeScale);
  return v[0];
}

/**
 * The trustworthy part of a partly usable phase file: whatever of it exists (a truncated file is read
 * up to its end), with corrupt frames found block by block by their overlap agreement with neighbours.
 */
function openPartialPhase(config: StftConfig, file: string, channel: number) {
  const shape = { frames: config.frames, bins: config.bins, layout: config.layout, binOrder: config.binOrder };
  const storage = config.phaseFile!;
  // A multichannel phase file must hold every channel whole; a mono one may be cut short.
  const source = config.channels > 1 ? openChannelStorage(file, storage, shape.frames * shape.bins, config.channels, channel) : openStorage(file, storage);
  const available = Math.min(source.length, shape.frames * shape.bins);
  const readable = truncatedShape(available, shape);
  const reader = new FrameReader(source, readable);
  const unit = phaseUnitFactor(config.phaseUnit);
  return {
    known(a: number, count: number, mag: Float64Array, floor: Uint8Array | null, g: StftGeometry): Pick<MagnitudeBlock, 'known' | 'knownPhase'> {
      const bins = shape.bins;
      const phase = new Float64Array(count * bins).fill(NaN);
      const end = Math.min(a + count, readable.frames);
      if (end > a && readable.bins > 0) {
        const part = new Float64Array((end - a) * readable.bins);
        reader.read(a, end - a, part);
        for (let m = 0; m < end - a; m++) for (let k = 0; k < readable.bins; k++) phase[m * bins + k] = part[m * readable.bins + k];
      }
      const re = new Float64Array(count * bins);
      const im = new Float64Array(count * bins);
      polarToComplex(mag, phase, unit, re, im, count * bins);
      const trust = frameTrust({ frames: count, bins, re, im }, subGeometry(g, a));
      for (let i = 0; i < phase.length; i++) phase[i] *= unit;
      const known = knownCells(count, bins, 'frame-major', { trustedFrames: trust.trusted, floor, phase });
      return { known, knownPhase: { re, im } };
    },
    close: () => source.close(),
  };
}
