/**
 * The reconstruction loop of an export, for one stretch of the output: decode blocks of frames,
 * inverse-transform each frame, least-squares overlap-add. The sequential export runs it once over
 * everything; a parallel export runs it on contiguous stretches in several threads (parallel.ts).
 * It never imports the container readers, so a worker starts without loading them.
 */
import type { StftConfig } from '../config/types.js';
import { FrameReader, memoryLayout } from '../decode/frames.js';
import { decodeMagnitudes, phaseUnitFactor } from '../decode/scales.js';
import { polarToComplex } from '../dsp/sincos.js';
import { FLOAT64_NOLA_FLOOR, NOLA_RELATIVE_FLOOR } from '../dsp/overlap-add.js';
import { type ComplexFrames, FrameSynthesizer, OverlapAdd, restoreNyquist, type SampleRange, type StftGeometry, subGeometry } from '../dsp/stft.js';
import type { ValueSource } from '../io/source.js';

/** Frames decoded and synthesised per block: large enough to amortise reads, small enough for cache. */
const BLOCK_FRAMES = 128;
/** Bin-major files are read one run of frames per bin: longer runs, fewer reads. */
const BIN_MAJOR_BLOCK_FRAMES = 1024;
/** Frames per Nyquist restoration (plus a margin each side): longer blocks waste less on margins. */
const RESTORE_FRAMES = 256;

/** One stretch of an export: frames [frameStart, frameEnd) make the output samples [outStart, outEnd). */
export interface ExportJob {
  frameStart: number;
  frameEnd: number;
  outStart: number;
  outEnd: number;
}

/**
 * Decodes blocks of frames into the complex STFT like StftDecoder.read (the same arithmetic, so the
 * same numbers), into buffers reused from block to block: a long export allocates nothing per block
 * and skips what only analysis needs (the decoded magnitude and phase, the dB-floor mask).
 */
export class BlockDecoder {
  private readonly mag: FrameReader;
  private readonly phase: FrameReader | null;
  private readonly complex: boolean;
  private readonly unit: number;
  /** Frames per block (the grid blocks follow). */
  readonly blockFrames: number;
  private re = new Float64Array(0);
  private im = new Float64Array(0);

  constructor(
    private readonly config: StftConfig,
    magnitudeSource: ValueSource,
    phaseSource: ValueSource | null,
  ) {
    const shape = { frames: config.frames, bins: config.bins, layout: config.layout, binOrder: config.binOrder };
    this.complex = magnitudeSource.complex;
    if (!this.complex && !phaseSource) throw new RangeError('BlockDecoder needs phase (a phase file or complex values)');
    this.mag = new FrameReader(magnitudeSource, shape);
    this.phase = this.complex || !phaseSource ? null : new FrameReader(phaseSource, shape);
    this.unit = this.complex ? 1 : phaseUnitFactor(config.phaseUnit);
    this.blockFrames = memoryLayout(config.layout, magnitudeSource) === 'bin-major' ? BIN_MAJOR_BLOCK_FRAMES : BLOCK_FRAMES;
  }

  /** Frames [m0, m0+count), frame-major; the arrays are valid until the next call. */
  read(m0: number, count: number): ComplexFrames {
    const bins = this.config.bins;
    const n = count * bins;
    if (this.re.length < n) {
      this.re = new Float64Array(n);
      this.im = new Float64Array(n);
    }
    const re = this.re.subarray(0, n);
    const im = this.im.subarray(0, n);
    if (this.phase === null) {
      this.mag.read(m0, count, re, im);
    } else {
      this.mag.read(m0, count, re);
      decodeMagnitudes(re, this.config.magnitudeScale, n);
      this.phase.read(m0, count, im);
      polarToComplex(re, im, this.unit, re, im, n);
    }
    return { frames: count, bins, re, im };
  }
}

/**
 * Frames [m0, m0+count) with the dropped Nyquist bin restored by consistency on the block plus a margin
 * of neighbouring frames (the coupling between frames is local, so the margin makes block edges exact).
 */
function restoredBlock(decoder: BlockDecoder, g: StftGeometry, frames: number, m0: number, count: number): ComplexFrames {
  const margin = 8 * Math.ceil(g.nfft / g.hop);
  const a = Math.max(0, m0 - margin);
  const b = Math.min(frames, m0 + count + margin);
  const full = restoreNyquist(decoder.read(a, b - a), subGeometry(g, a));
  const bins = full.bins;
  const from = (m0 - a) * bins;
  return { frames: count, bins, re: full.re.subarray(from, from + count * bins), im: full.im.subarray(from, from + count * bins) };
}

/**
 * Split an export into `parts` stretches that give the same samples as one run. Stretch c owns the
 * output from the start of its first frame b_c to the start of the next stretch's first frame; it
 * also synthesises the frames before b_c that reach into its samples, so every sample still sums
 * all of its frames, in frame order. Each b_c is a multiple of `grid` (whole blocks per stretch).
 */
export function splitJob(
  g: Pick<StftGeometry, 'nfft' | 'hop' | 'firstFrameStart'>,
  frames: number,
  range: { start: number; end: number },
  parts: number,
  grid = 1,
): ExportJob[] {
  const lead = Math.ceil(g.nfft / g.hop) - 1;
  const jobs: ExportJob[] = [];
  let outStart = range.start;
  let frameStart = 0;
  for (let c = 1; c <= parts; c++) {
    const b = Math.min(frames, Math.round((c * frames) / parts / grid) * grid);
    const last = c === parts;
    const outEnd = last ? range.end : Math.min(range.end, Math.max(outStart, g.firstFrameStart + b * g.hop));
    jobs.push({ frameStart, frameEnd: last ? frames : Math.max(frameStart, b), outStart, outEnd });
    outStart = outEnd;
    frameStart = Math.max(0, b - lead);
  }
  return jobs;
}

/**
 * The relative envelope floor of an export (OverlapAdd `floor`): float64 values divide usefully far
 * further into a window's tapering ends than float32 ones (np.hanning(512)'s second sample, 3.8e-5:
 * data in float64, silence under the float32 floor). A dB floor's cells are not that precise.
 */
export function nolaFloorFor(config: StftConfig): number {
  const precise = (d: string | undefined) => d === 'float64' || d === 'complex128';
  const phaseOk = config.phaseFile === null || precise(config.phaseFile.dtype);
  return precise(config.magnitudeFile.dtype) && phaseOk && config.dbFloor === null ? FLOAT64_NOLA_FLOOR : NOLA_RELATIVE_FLOOR;
}

/** The block grid of an export: blocks of frames are decoded (or restored) at multiples of it. */
export function blockGrid(config: StftConfig, decoder: BlockDecoder): number {
  return config.sided === 'one-no-nyquist' ? RESTORE_FRAMES : decoder.blockFrames;
}

/**
 * Run one stretch: finished samples go to `sink` in order (the array is reused: consume it at once);
 * `onFrames` hears how many frames each block completed. Returns the NOLA gaps inside the stretch, and
 * with `fill` the short ones interpolated instead (OverlapAdd's `fill`: a run needs both neighbours, so
 * only a whole export fills). Blocks follow a global grid, so a restored Nyquist bin does not depend on the split.
 */
export function synthesizeJob(
  config: StftConfig,
  stored: StftGeometry,
  decoder: BlockDecoder,
  job: ExportJob,
  sink: (samples: Float64Array) => void,
  onFrames?: (count: number) => void,
  fill = false,
): { gaps: SampleRange[]; filled: SampleRange[] } {
  const restore = stored.sided === 'one-no-nyquist';
  const g = subGeometry(restore ? { ...stored, sided: 'one' } : stored, job.frameStart);
  const ola = new OverlapAdd(g, job.outStart, job.outEnd, (_s, chunk) => sink(chunk), { fill, floor: nolaFloorFor(config) });
  const syn = new FrameSynthesizer(g);
  const grid = blockGrid(config, decoder);
  for (let m0 = job.frameStart; m0 < job.frameEnd;) {
    const gridStart = m0 - (m0 % grid);
    const gridEnd = Math.min(gridStart + grid, config.frames);
    const end = Math.min(gridEnd, job.frameEnd);
    const first = restore ? gridStart : m0;
    const block = restore ? restoredBlock(decoder, stored, config.frames, gridStart, gridEnd - gridStart) : decoder.read(m0, end - m0);
    for (let m = m0; m < end; m++) {
      const local = m - job.frameStart;
      ola.add(local, syn.synth(local, block.re, block.im, (m - first) * block.bins, block.bins));
    }
    onFrames?.(end - m0);
    m0 = end;
  }
  ola.end();
  return { gaps: ola.gaps, filled: ola.filled };
}
