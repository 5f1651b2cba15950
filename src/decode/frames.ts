import type { BinOrder, Layout, StftConfig } from '../config/types.js';
import { polarToComplex } from '../dsp/sincos.js';
import type { ComplexFrames } from '../dsp/stft.js';
import { InputError } from '../errors.js';
import type { ValueSource } from '../io/source.js';
import { ascendingPositions, reorderRows } from './bin-order.js';
import { decodeMagnitudes, floorMask, phaseUnitFactor } from './scales.js';

export interface MatrixShape {
  frames: number;
  bins: number;
  layout: Layout;
  /** How the stored bins are ordered; reads come out ascending (DC first). Absent: ascending. */
  binOrder?: BinOrder;
}

/**
 * The layout a stream's memory walks. A container's layout names its array's axes (DESIGN.md §1); a
 * Fortran-order matrix stores the first axis fastest, so a (bins, frames) array, bin-major by its axes,
 * walks the bins of one frame in memory, as a frame-major raw dump does. Raw streams: the layout itself.
 */
export function memoryLayout(layout: Layout, source: Pick<ValueSource, 'transposed'>): Layout {
  if (!source.transposed) return layout;
  return layout === 'frame-major' ? 'bin-major' : 'frame-major';
}

/**
 * Reads blocks of frames from a flat value stream as a frame-major matrix of ascending bins, whatever
 * the layout and bin order: the one place stored bins are put in order, so every analyzer, the ranking
 * and the export agree on it. Bin-major data is gathered one contiguous run per bin, so a block of
 * frames costs `bins` reads.
 */
export class FrameReader {
  private tmpRe = new Float64Array(0);
  private tmpIm = new Float64Array(0);
  /** Ascending index of each stored bin; null when stored ascending. */
  private readonly dest: Int32Array | null;
  constructor(
    readonly source: ValueSource,
    readonly shape: MatrixShape,
  ) {
    const need = shape.frames * shape.bins;
    if (source.length < need) {
      throw new InputError(source.file, `holds ${source.length} values, ${shape.frames} frames × ${shape.bins} bins need ${need}`);
    }
    this.dest = ascendingPositions(shape.binOrder, shape.bins);
  }

  /** Frames [m0, m0+count) into re/im at index (m-m0)·bins + k, k the ascending bin. */
  read(m0: number, count: number, re: Float64Array, im?: Float64Array): void {
    const { frames, bins } = this.shape;
    const layout = memoryLayout(this.shape.layout, this.source);
    if (m0 < 0 || m0 + count > frames) throw new RangeError(`frames [${m0}, ${m0 + count}) outside 0..${frames}`);
    const dest = this.dest;
    if (layout === 'frame-major') {
      this.source.read(m0 * bins, count * bins, re, im);
      if (dest) {
        const row = new Float64Array(bins);
        reorderRows(re, count, bins, dest, row);
        if (im) reorderRows(im, count, bins, dest, row);
      }
      return;
    }
    if (this.tmpRe.length < count) {
      this.tmpRe = new Float64Array(count);
      this.tmpIm = new Float64Array(count);
    }
    const tr = this.tmpRe.subarray(0, count);
    const ti = this.tmpIm.subarray(0, count);
    for (let j = 0; j < bins; j++) {
      this.source.read(j * frames + m0, count, tr, im ? ti : undefined);
      const k = dest ? dest[j] : j;
      for (let i = 0; i < count; i++) re[i * bins + k] = tr[i];
      if (im) for (let i = 0; i < count; i++) im[i * bins + k] = ti[i];
    }
  }
}

/** What decoding a block found besides the numbers: cells whose magnitude is unknown (dB floor). */
export interface DecodedBlock extends ComplexFrames {
  /** 1 where the stored magnitude sits on the dB floor; null when the config has no floor. */
  floor: Uint8Array | null;
  /** Decoded |X| (linear), frame-major. */
  magnitude: Float64Array;
  /** Decoded phase in radians, frame-major; null for magnitude-only input. */
  phase: Float64Array | null;
}

/**
 * Turns stored files into the complex STFT under a config: layout, magnitude scale (with the floor
 * flagged), phase unit, polar→complex. Gain, sign and phase reference are the transform's business.
 */
export class StftDecoder {
  private readonly mag: FrameReader;
  private readonly phase: FrameReader | null;
  readonly complexInput: boolean;

  constructor(
    readonly config: StftConfig,
    magnitudeSource: ValueSource,
    phaseSource: ValueSource | null,
  ) {
    const shape = { frames: config.frames, bins: config.bins, layout: config.layout, binOrder: config.binOrder };
    this.mag = new FrameReader(magnitudeSource, shape);
    this.phase = phaseSource ? new FrameReader(phaseSource, shape) : null;
    this.complexInput = magnitudeSource.complex;
  }

  get hasPhase(): boolean {
    return this.phase !== null || this.complexInput;
  }

  /** Decode frames [m0, m0+count). */
  read(m0: number, count: number): DecodedBlock {
    const { bins } = this.config;
    const n = count * bins;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    if (this.complexInput) {
      this.mag.read(m0, count, re, im);
      const magnitude = new Float64Array(n);
      const phase = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        magnitude[i] = Math.hypot(re[i], im[i]);
        phase[i] = Math.atan2(im[i], re[i]);
      }
      return { frames: count, bins, re, im, floor: null, magnitude, phase };
    }
    const magnitude = new Float64Array(n);
    this.mag.read(m0, count, magnitude);
    const floor = floorMask(magnitude, this.config.dbFloor, n);
    decodeMagnitudes(magnitude, this.config.magnitudeScale, n);
    if (!this.phase) {
      re.set(magnitude);
      return { frames: count, bins, re, im, floor, magnitude, phase: null };
    }
    const phase = new Float64Array(n);
    this.phase.read(m0, count, phase);
    const f = phaseUnitFactor(this.config.phaseUnit);
    polarToComplex(magnitude, phase, f, re, im, n);
    if (f !== 1) for (let i = 0; i < n; i++) phase[i] *= f;
    return { frames: count, bins, re, im, floor, magnitude, phase };
  }

  close(): void {
    this.mag.source.close();
    this.phase?.source.close();
  }
}
