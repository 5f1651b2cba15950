import type { Detrend, PadMode, PhaseReference, PhaseSign, Sided, StftConfig } from '../config/types.js';
import { placeWindow, sharedWindow, windowOffset } from './windows.js';

/**
 * Everything the transform itself needs, resolved from a config: the placed analysis window and the
 * conventions that change the numbers. Storage, scaling and units are not here (see decode/).
 */
export interface StftGeometry {
  nfft: number;
  hop: number;
  sided: Sided;
  /** Analysis window placed in the nfft frame (length nfft). */
  window: Float64Array;
  /** Index in the frame of the window's centre sample (offset + floor(winLength/2)). */
  windowCentre: number;
  firstFrameStart: number;
  padMode: PadMode;
  phaseReference: PhaseReference;
  phaseSign: PhaseSign;
  /** stored = gain · X */
  gain: number;
  /** Global index of this geometry's frame 0 (sub-blocks of a long STFT keep absolute-time phase right). */
  frameIndexOffset: number;
  /** Trend removed from each segment before windowing (absent: 'none'); the inverse models it (detrend.ts). */
  detrend?: Detrend;
}

/** Complex STFT matrix, frame-major: value (m, k) at index m·bins + k. */
export interface ComplexFrames {
  frames: number;
  bins: number;
  re: Float64Array;
  im: Float64Array;
}

export function binsFor(nfft: number, sided: Sided): number {
  if (sided === 'two') return nfft;
  if (sided === 'one-no-nyquist') return Math.ceil(nfft / 2);
  return Math.floor(nfft / 2) + 1;
}

type GeometryFields = Pick<
  StftConfig,
  | 'nfft'
  | 'hop'
  | 'sided'
  | 'winLength'
  | 'windowPlacement'
  | 'window'
  | 'windowSymmetry'
  | 'firstFrameStart'
  | 'padMode'
  | 'phaseReference'
  | 'phaseSign'
  | 'gain'
> &
  Partial<Pick<StftConfig, 'detrend'>>;

/**
 * Resolve a config into a geometry. `estimatedWindow` (length winLength) is required when
 * config.window is 'estimated', since that window exists only as a measurement.
 */
export function geometryFromConfig(c: GeometryFields, estimatedWindow?: Float64Array): StftGeometry {
  let win: Float64Array;
  if (c.window === 'estimated') {
    if (!estimatedWindow) throw new RangeError('window "estimated" needs a measured window');
    win = estimatedWindow;
  } else {
    // placeWindow copies it into the frame.
    win = sharedWindow(c.window, c.winLength, c.windowSymmetry);
  }
  return {
    nfft: c.nfft,
    hop: c.hop,
    sided: c.sided,
    window: placeWindow(win, c.nfft, c.windowPlacement),
    windowCentre: windowOffset(c.nfft, win.length, c.windowPlacement) + Math.floor(win.length / 2),
    firstFrameStart: c.firstFrameStart,
    padMode: c.padMode,
    phaseReference: c.phaseReference,
    phaseSign: c.phaseSign,
    gain: c.gain === 'unknown' ? 1 : c.gain,
    frameIndexOffset: 0,
    detrend: c.detrend ?? 'none',
  };
}

/**
 * A frame-start geometry with unit gain: FrameSynthesizer then returns each frame's plain inverse FFT
 * (the windowed segment), which the analyzers roll, reverse or divide as a reading requires.
 */
export function plainGeometry(nfft: number, sided: Sided, phaseSign: PhaseSign = '+'): StftGeometry {
  return {
    nfft,
    hop: nfft,
    sided,
    window: new Float64Array(nfft),
    windowCentre: 0,
    firstFrameStart: 0,
    padMode: 'zeros',
    phaseReference: 'frame-start',
    phaseSign,
    gain: 1,
    frameIndexOffset: 0,
  };
}

/** The geometry of frames [m0, ...) of a longer STFT, as if they were frames [0, ...). */
export function subGeometry(g: StftGeometry, m0: number): StftGeometry {
  return { ...g, firstFrameStart: g.firstFrameStart + m0 * g.hop, frameIndexOffset: g.frameIndexOffset + m0 };
}

/** Number of frames a maker that pads by `-firstFrameStart` and stops at the last full frame produces. */
export function frameCountFor(signalLength: number, g: Pick<StftGeometry, 'nfft' | 'hop' | 'firstFrameStart'>): number {
  const span = signalLength - 2 * g.firstFrameStart;
  return span < g.nfft ? 0 : 1 + Math.floor((span - g.nfft) / g.hop);
}
