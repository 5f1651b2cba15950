import type { PartialStftConfig, StftConfig } from '../config/types.js';
import { edgeConvention, FAMILY_EDGE_FACTOR, PRESET_EDGE_FACTOR } from '../../heuristics/recipe/index.js';

/**
 * What a field becomes when no analyzer decided it and the user did not pin it: a short list of the
 * values real makers use, each with the prior cost (dB) of assuming it. The consistency ranking then
 * arbitrates among them; fields that cannot change the numbers get one neutral value.
 */
export interface FallbackOption {
  value: unknown;
  cost: number;
  reason: string;
}

type Fallback = (c: PartialStftConfig) => FallbackOption[] | null;

const one = (value: unknown, reason: string, cost = 0): FallbackOption[] => [{ value, cost, reason }];

/** Common hops relative to nfft, then the 10 ms / 12.5 ms values of common sample rates (DESIGN 4.6). */
function hopOptions(nfft: number): FallbackOption[] {
  const rel = [nfft / 4, nfft / 2, nfft / 8, (3 * nfft) / 4, nfft].filter((h) => Number.isInteger(h) && h >= 1);
  const abs = [160, 200, 220, 256, 275, 300, 441, 512].filter((h) => h <= nfft && !rel.includes(h));
  return [
    ...rel.map((h, i) => ({
      value: h,
      cost: 3 + i,
      reason: `not measured; a common hop (nfft/${(nfft / h).toFixed(h * 8 === nfft ? 0 : 2).replace(/\.00$/, '')})`,
    })),
    ...abs.map((h) => ({ value: h, cost: 9, reason: 'not measured; a common 10/12.5 ms hop' })),
  ];
}

/** A centred frame 0 starts ⌊nfft/2⌋ before the signal; a phase vocoder's convention (aubio) hop − nfft. */
function centredStart(c: PartialStftConfig): number {
  const half = -Math.floor(c.nfft! / 2);
  const conv = edgeConvention(c);
  if (c.hop === undefined || c.hop >= c.nfft! || conv?.accepts({ ...c, center: true, padMode: 'zeros', firstFrameStart: half }) !== false) return half;
  return conv.accepts({ ...c, center: true, padMode: 'zeros', firstFrameStart: c.hop - c.nfft! }) ? c.hop - c.nfft! : half;
}

/**
 * Centring nobody measured (no phase, or the transform stayed open): the maker's convention first
 * (DESIGN.md §4.13, heuristics/recipe edgeConvention), the other reading at the convention's prior
 * factor; without a convention the librosa/torch default by 1 dB.
 */
function centreOptions(c: PartialStftConfig): FallbackOption[] {
  const conv = edgeConvention(c);
  const base = (center: boolean): PartialStftConfig => ({
    ...c,
    center,
    padMode: center ? 'zeros' : 'none',
    firstFrameStart: center ? -Math.floor((c.nfft ?? 0) / 2) : 0,
  });
  const centred =
    conv && c.nfft !== undefined
      ? conv.accepts(base(true)) || conv.accepts({ ...base(true), padMode: 'reflect' }) || conv.accepts({ ...base(true), firstFrameStart: centredStart(c) })
      : undefined;
  if (!conv || centred === undefined || centred === conv.accepts(base(false))) {
    return [
      { value: true, cost: 2, reason: 'not measured; librosa/torch default' },
      { value: false, cost: 3, reason: 'not measured' },
    ];
  }
  const against = -10 * Math.log10(conv.preset ? PRESET_EDGE_FACTOR : FAMILY_EDGE_FACTOR);
  return [
    { value: centred, cost: 2, reason: `not measured; the convention of ${conv.by}` },
    { value: !centred, cost: 2 + against, reason: `not measured; against the convention of ${conv.by}` },
  ];
}

const FALLBACKS: { [K in keyof StftConfig]?: Fallback } = {
  hop: (c) => (c.nfft ? hopOptions(c.nfft) : null),
  window: () => [
    { value: 'hann', cost: 2, reason: 'not measured; the most common window' },
    { value: 'hamming', cost: 5, reason: 'not measured; common window' },
    { value: 'blackman', cost: 7, reason: 'not measured; common window' },
    { value: 'sqrt-hann', cost: 8, reason: 'not measured; common window' },
    { value: 'rectangular', cost: 9, reason: 'not measured' },
  ],
  windowSymmetry: () => [
    { value: 'periodic', cost: 1, reason: 'not measured; the usual STFT choice' },
    { value: 'symmetric', cost: 3, reason: 'not measured; MATLAB/Octave choice' },
  ],
  winLength: (c) => (c.nfft ? one(c.nfft, 'not measured; the window fills the frame') : null),
  windowPlacement: () => one('centred', 'not measured; irrelevant when winLength = nfft'),
  center: centreOptions,
  padMode: (c) => {
    if (c.center === undefined) return null;
    if (!c.center) return one('none', 'follows center = false', 1);
    // Zero or reflect padding: the same audio wherever the edge was not read; the maker's convention names it.
    const reflect = edgeConvention(c)?.accepts({ ...c, padMode: 'reflect', firstFrameStart: centredStart(c) }) === true;
    const zeros = edgeConvention(c)?.accepts({ ...c, padMode: 'zeros', firstFrameStart: centredStart(c) }) === true;
    return reflect && !zeros ? one('reflect', `follows center = true and ${edgeConvention(c)?.by}`, 1) : one('zeros', 'follows center = true', 1);
  },
  firstFrameStart: (c) => (c.center === undefined || c.nfft === undefined ? null : one(c.center ? centredStart(c) : 0, `follows center = ${c.center}`)),
  phaseReference: () => one('frame-start', 'not measured; numpy/librosa/torch convention', 1),
  phaseSign: () => one('+', 'not measured; the usual e^{-j} kernel'),
  magnitudeScale: () => [
    { value: 'linear', cost: 3, reason: 'not measured' },
    { value: 'power', cost: 5, reason: 'not measured' },
    { value: 'db', cost: 5, reason: 'not measured' },
  ],
  dbFloor: () => one(null, 'no floor measured'),
  gain: () => one(1, 'no gain measured; the level is relative'),
  phaseUnit: () => one('radians', 'not measured; the usual unit', 2),
  sampleRate: () => one(null, 'not stored in an STFT and no recipe matched'),
  originalLength: () => one(null, 'not measured; derived from frames, hop and padding'),
  channels: () => one(1, 'not measured; one channel'),
  binOrder: () => one('ascending', 'not measured; DC first, as every STFT routine returns it'),
  detrend: () => one('none', 'not measured; segments windowed as they are'),
  layout: () => [
    { value: 'frame-major', cost: 3, reason: 'not measured' },
    { value: 'bin-major', cost: 3, reason: 'not measured' },
  ],
};

/** Options for a field still open in `c`, or null when nothing sensible can be assumed yet. */
export function fallbackFor(field: keyof StftConfig, c: PartialStftConfig): FallbackOption[] | null {
  const f = FALLBACKS[field];
  return f ? f(c) : null;
}

/** Fields with fallbacks, in the order they are filled (later ones may depend on earlier ones). */
export const FALLBACK_ORDER: (keyof StftConfig)[] = [
  'layout',
  'magnitudeScale',
  'dbFloor',
  'gain',
  'phaseUnit',
  'hop',
  'winLength',
  'windowPlacement',
  'window',
  'windowSymmetry',
  'center',
  'padMode',
  'firstFrameStart',
  'phaseReference',
  'phaseSign',
  'sampleRate',
  'originalLength',
  'channels',
  'binOrder',
  'detrend',
];
