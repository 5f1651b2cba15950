import type { Dtype, MagnitudeScale, PhaseReference, PhaseUnit, Sided, StftConfig, WindowName } from '../src/config/types.js';
import { makeWindow, placeWindow, windowOffset } from '../src/dsp/windows.js';
import { testConfig } from './synth-evidence.js';

/**
 * The end-to-end grid: configs spanning every value of every field in DESIGN §1 and other programs'
 * conventions, each field cycled with its own stride so that every value appears and values meet in
 * many combinations. Constraints real makers obey (int phase is scaled, dB floors only on dB scales,
 * centring needs padding) are applied after the draw.
 */
export interface GridCase {
  name: string;
  config: Partial<StftConfig>;
  /** Lossy storage (quantised dB, int16 phase, float16, a dropped Nyquist bin): judged at >= 15 dB instead of 60. */
  lossy: boolean;
}

const NFFT_SIDED: [number, Sided][] = [
  [256, 'one'],
  [400, 'one'],
  [511, 'one'],
  [512, 'two'],
  [512, 'one-no-nyquist'],
  [1024, 'one'],
  [320, 'one'],
];
const HOP_FRACTIONS = [1 / 4, 1 / 2, 1 / 8, 3 / 8, 0.3];
const WINDOWS: WindowName[] = ['hann', 'hamming', 'blackman', 'sqrt-hann', 'kaiser-8', 'gaussian-40', 'tukey-0.5', 'rectangular'];
const SCALES: MagnitudeScale[] = ['linear', 'power', 'db', 'db10', 'ln', 'log10', 'log1p', 'power-law-0.3'];
const UNITS: PhaseUnit[] = ['radians', 'degrees', 'cycles', 'radians'];
const REFS: PhaseReference[] = ['frame-start', 'window-centre', 'absolute-time', 'frame-start'];
const DTYPES: Dtype[] = ['float32', 'float64', 'float32', 'float16'];

function pick<T>(list: readonly T[], i: number, stride: number, offset: number): T {
  return list[(i * stride + offset) % list.length];
}

export function gridCases(count: number): GridCase[] {
  const out: GridCase[] = [];
  for (let i = 0; i < count; i++) {
    const [nfft, sided] = pick(NFFT_SIDED, i, 1, 0);
    let window = pick(WINDOWS, i, 3, 1);
    const windowSymmetry = pick(['periodic', 'symmetric'] as const, i, 1, Math.floor(i / 7));
    // A shorter window inside the frame on every fifth case, both placements.
    const short = i % 5 === 3;
    const winLength = short ? Math.round(nfft * 0.75) : nfft;
    const windowPlacement = short && i % 10 === 8 ? 'start' : 'centred';
    if (window === 'gaussian-40') window = `gaussian-${Math.round(winLength / 6)}`;
    // Rectangular windows need real overlap to be identifiable at all; keep them at 50 %.
    let hop = Math.max(1, Math.round(nfft * pick(HOP_FRACTIONS, i, 2, 0)));
    if (window === 'rectangular') hop = Math.round(nfft / 2);
    if (hop >= winLength) hop = Math.round(winLength / 2);
    const centreMode = pick(['zeros', 'reflect', 'none'] as const, i, 1, 2);
    const center = centreMode !== 'none';
    let magnitudeScale = pick(SCALES, i, 5, 0);
    let phaseUnit = pick(UNITS, i, 3, 2);
    const phaseReference = pick(REFS, i, 1, Math.floor(i / 4));
    const phaseSign = i % 6 === 5 ? '-' : '+';
    let dtype = pick(DTYPES, i, 1, Math.floor(i / 3));
    let phaseDtype: Dtype = dtype;
    // float16 rounds; a dropped Nyquist bin is gone (a rectangular window leaks 56 dB of signal into it).
    let lossy = dtype === 'float16' || sided === 'one-no-nyquist';
    let gain: number = 1;
    let dbFloor: number | null = null;
    // Quantised storage every ninth case: uint8 dB magnitudes (offset = a gain) and int16 phase.
    if (i % 9 === 4) {
      dtype = 'uint8';
      magnitudeScale = 'db';
      phaseDtype = 'int16';
      phaseUnit = 'scaled-65536';
      gain = 10 ** (120 / 20); // stored value = 20·log10|X| + 120 dB
      dbFloor = 0; // uint8 cannot go below 0: quieter cells clip there
      lossy = true;
    } else if (i % 9 === 7) {
      phaseDtype = 'int16';
      phaseUnit = 'scaled-65536';
      lossy = true;
    }
    // librosa top_db-style floor on some dB cases.
    if (magnitudeScale === 'db' && i % 4 === 1 && dtype !== 'uint8') dbFloor = -60;
    // scipy stft scaling (÷Σw) on some cases, on top of any storage offset.
    if (i % 11 === 6) gain /= makeWindow(window, winLength, windowSymmetry).reduce((a, b) => a + b, 0);
    const endian = i % 2 === 0 ? 'little' : 'big';
    const headerBytes = pick([0, 0, 16, 128], i, 1, Math.floor(i / 2));
    const layout = pick(['frame-major', 'bin-major'] as const, i, 1, Math.floor(i / 5));
    const base = testConfig({ nfft, sided, center });
    const config: Partial<StftConfig> = {
      ...base,
      magnitudeFile: { format: 'raw', dtype, endian, headerBytes, variable: null },
      phaseFile: { format: 'raw', dtype: phaseDtype, endian, headerBytes, variable: null },
      layout,
      hop,
      winLength,
      windowPlacement,
      window,
      windowSymmetry,
      center,
      padMode: centreMode,
      firstFrameStart: center ? -Math.floor(nfft / 2) : 0,
      phaseReference,
      phaseSign,
      magnitudeScale,
      dbFloor,
      gain,
      phaseUnit,
      sampleRate: 16000,
    };
    out.push({
      name: `#${i} ${nfft}/${hop} ${sided} ${windowSymmetry} ${window}${short ? `(${winLength} ${windowPlacement})` : ''} ${centreMode} ${phaseReference}${phaseSign} ${magnitudeScale} ${phaseUnit} ${dtype}/${phaseDtype} ${endian} h${headerBytes} ${layout}`,
      config,
      lossy,
    });
  }
  return out;
}

/** Fields a maker's files can reveal (sampleRate and an absolute gain cannot be seen in the data). */
export const IDENTIFIABLE: (keyof StftConfig)[] = [
  'layout',
  'frames',
  'bins',
  'nfft',
  'sided',
  'hop',
  'winLength',
  'window',
  'windowSymmetry',
  'center',
  'firstFrameStart',
  'phaseReference',
  'phaseSign',
  'magnitudeScale',
  'phaseUnit',
];

/** Signed and unsigned integers of one width store the same angles modulo a full scaled cycle. */
const TWINS: Record<string, string> = { int16: 'uint16', uint16: 'int16', int8: 'uint8', uint8: 'int8' };

/**
 * Whether no file can show where a short window sits in its frame: under a window-centre phase
 * reference every frame is rolled to the window's centre, so placement only moves the whole signal in
 * time, and without a pad there is no edge to anchor it. The two placements then make the same files
 * from the signal and from the signal shifted by the offset difference.
 */
export function placementHidden(truth: StftConfig): boolean {
  return truth.phaseReference === 'window-centre' && truth.winLength < truth.nfft && !truth.center;
}

/** Samples by which `got` places the signal later than the truth does (see placementHidden). */
export function placementShift(truth: StftConfig, got: StftConfig): number {
  if (!placementHidden(truth) || got.winLength !== truth.winLength) return 0;
  return windowOffset(got.nfft, got.winLength, got.windowPlacement) - windowOffset(truth.nfft, truth.winLength, truth.windowPlacement);
}

/** The window fields a precision-limited file may leave open (see sameWindowWithin). */
const WINDOW_FIELDS: string[] = ['window', 'windowSymmetry', 'winLength', 'windowPlacement'];

/**
 * Whether two configs' windows, as placed in the frame, differ by less than `tolerance`: the relative
 * squared difference after the best gain, ‖a − g·b‖²/‖a‖². The e2e grid sets it to the storage's noise
 * power spread over every frame (ε²/frames): windows closer than that (Blackman and Kaiser β 8.6 differ
 * by −53 dB, symmetric and periodic Hann by −54 dB) cannot be told apart by any analysis of a uint8 dB
 * file (ε² −30 dB), while every lossless case keeps tolerance far below any two named windows.
 */
export function sameWindowWithin(truth: StftConfig, got: StftConfig, tolerance: number): boolean {
  if (!(tolerance > 0) || got.nfft !== truth.nfft || got.window === 'estimated' || truth.window === 'estimated') return false;
  const a = placeWindow(makeWindow(truth.window, truth.winLength, truth.windowSymmetry), truth.nfft, truth.windowPlacement);
  const b = placeWindow(makeWindow(got.window, got.winLength, got.windowSymmetry), got.nfft, got.windowPlacement);
  let ab = 0;
  let bb = 0;
  let aa = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    bb += b[i] * b[i];
    aa += a[i] * a[i];
  }
  const g = ab / bb;
  let e = 0;
  for (let i = 0; i < a.length; i++) e += (a[i] - g * b[i]) ** 2;
  return e / aa < tolerance;
}

/**
 * The fields of `got` that differ from the truth, up to what no file can show: window placement only
 * matters for short windows where a file can show it (placementHidden), symmetry not for a rectangular
 * window, byte order not for one-byte values, the signedness of a phase stored as a scaled full cycle
 * not at all. With a windowTolerance, a window within it of the truth's counts as right (sameWindowWithin).
 */
export function wrongFields(truth: StftConfig, got: StftConfig, windowTolerance = 0): string[] {
  const bothRectangular = truth.window === 'rectangular' && got.window === 'rectangular';
  const bad: string[] = IDENTIFIABLE.filter((f) => !(f === 'windowSymmetry' && bothRectangular) && JSON.stringify(truth[f]) !== JSON.stringify(got[f]));
  if (truth.winLength < truth.nfft && truth.windowPlacement !== got.windowPlacement && !placementHidden(truth)) bad.push('windowPlacement');
  if (bad.some((f) => WINDOW_FIELDS.includes(f)) && sameWindowWithin(truth, got, windowTolerance)) {
    for (let i = bad.length - 1; i >= 0; i--) if (WINDOW_FIELDS.includes(bad[i])) bad.splice(i, 1);
  }
  if (truth.center && truth.padMode !== got.padMode) bad.push('padMode');
  for (const which of ['magnitudeFile', 'phaseFile'] as const) {
    const t = truth[which];
    const g = got[which];
    if (!t || !g) continue;
    const scaledPhase = which === 'phaseFile' && truth.phaseUnit.startsWith('scaled-');
    if (t.dtype !== g.dtype && !(scaledPhase && TWINS[t.dtype] === g.dtype)) bad.push(`${which}.dtype`);
    if (t.endian !== g.endian && !['int8', 'uint8'].includes(t.dtype)) bad.push(`${which}.endian`);
    if (t.headerBytes !== g.headerBytes) bad.push(`${which}.headerBytes`);
  }
  return bad;
}
