import type { PartialStftConfig } from '../../src/config/types.js';
import { makeWindow } from '../../src/dsp/windows.js';
import { getField } from '../types.js';

/**
 * The known tool presets (DESIGN.md §4.8) as properties over config fields: what the recipe analyzer
 * matches, and what the edge and symmetry conventions (index.ts) take a tool's habit from.
 */

/** One property of a recipe: true/false when the fields it reads are fixed, undefined otherwise. */
export interface Check {
  label: string;
  /** The fields it reads (edge conventions are told apart from a tool's identity by them). */
  fields: string[];
  test(c: PartialStftConfig): boolean | undefined;
}

export interface Recipe {
  name: string;
  sampleRate: number | null;
  /** A rate the fixed fields themselves imply (a gain that contains fs), when there is one. */
  rateOf?: (c: PartialStftConfig) => number | null;
  checks: Check[];
}

const eq = (field: string, value: unknown): Check => ({
  label: `${field} ${JSON.stringify(value)}`,
  fields: [field],
  test: (c) => {
    const v = getField(c, field);
    return v === undefined ? undefined : v === value;
  },
});

/** A property over several fields, tested once they are all fixed. */
const rule = (label: string, fields: string[], f: (...v: never[]) => boolean): Check => ({
  label,
  fields,
  test: (c) => {
    const v = fields.map((k) => getField(c, k));
    return v.some((x) => x === undefined) ? undefined : f(...(v as never[]));
  },
});

const hann = [eq('window', 'hann'), eq('windowSymmetry', 'periodic')];
const centredAt = (pad: number): Check[] => [eq('center', true), eq('firstFrameStart', -pad)];
const frameStartPlus = [eq('phaseReference', 'frame-start'), eq('phaseSign', '+')];
const fullWindow = rule('window fills the frame', ['winLength', 'nfft'], (L: number, N: number) => L === N);
/** 256/128 under a symmetric Hann filling the frame: Octave specgram's (hanning(256)) and mlab.specgram's (np.hanning) defaults. */
const symmetricHann256 = [eq('nfft', 256), eq('hop', 128), fullWindow, eq('window', 'hann'), eq('windowSymmetry', 'symmetric')];
const halfOverlap = rule('hop = winLength/2', ['hop', 'winLength'], (h: number, L: number) => h === Math.floor(L / 2));

/**
 * scipy `scaling='density'` stores |X|/sqrt(fs·Σw²) (mode 'magnitude'), and mode 'psd' stores
 * 2|X|²/(fs·Σw²) in the one-sided bins: decoded as power, a gain sqrt(2/(fs·Σw²)). The gain thus
 * names fs; null when it is not a plausible rate.
 */
function densityRate(c: PartialStftConfig): number | null {
  if (typeof c.gain !== 'number' || !(c.gain > 0) || c.window === undefined || c.window === 'estimated' || !c.winLength || !c.windowSymmetry) return null;
  const w = makeWindow(c.window, c.winLength, c.windowSymmetry);
  const energy = w.reduce((s, v) => s + v * v, 0);
  const fs = (c.magnitudeScale === 'power' ? 2 : 1) / (c.gain * c.gain * energy);
  return Number.isFinite(fs) && fs >= 1000 && fs <= 384000 ? Math.round(fs) : null;
}

/** scipy.signal.spectrogram whatever its nperseg/noverlap: Tukey 0.25, uncentred, each segment's mean removed. */
const spectrogram = [
  fullWindow,
  eq('window', 'tukey-0.25'),
  eq('windowSymmetry', 'periodic'),
  eq('center', false),
  eq('firstFrameStart', 0),
  eq('detrend', 'constant'),
  eq('layout', 'bin-major'),
  ...frameStartPlus,
];

export const RECIPES: Recipe[] = [
  {
    // nperseg 256 by default; any nperseg keeps noverlap = nperseg // 8 and the rest of the defaults.
    name: 'scipy.signal.spectrogram defaults (any nperseg)',
    sampleRate: null,
    rateOf: densityRate,
    checks: [...spectrogram, rule('hop = nperseg − nperseg//8', ['hop', 'winLength'], (h: number, L: number) => h === L - Math.floor(L / 8))],
  },
  {
    name: 'scipy.signal.spectrogram (own nperseg/noverlap)',
    sampleRate: null,
    rateOf: densityRate,
    checks: spectrogram,
  },
  {
    name: 'librosa.stft defaults',
    sampleRate: 22050,
    checks: [eq('nfft', 2048), eq('hop', 512), fullWindow, ...hann, ...centredAt(1024), eq('padMode', 'zeros'), eq('layout', 'bin-major'), ...frameStartPlus],
  },
  {
    name: 'librosa.stft defaults before 0.10 (reflect padding)',
    sampleRate: 22050,
    checks: [eq('nfft', 2048), eq('hop', 512), fullWindow, ...hann, ...centredAt(1024), eq('padMode', 'reflect'), eq('layout', 'bin-major'), ...frameStartPlus],
  },
  {
    name: 'scipy.signal.stft defaults',
    sampleRate: null,
    checks: [
      eq('nfft', 256),
      eq('hop', 128),
      fullWindow,
      ...hann,
      ...centredAt(128),
      eq('padMode', 'zeros'),
      // scaling='spectrum' divides by Σw = nfft/2 for a periodic Hann.
      {
        // Magnitudes alone rarely reveal a gain ('unknown'): then it neither confirms nor contradicts.
        label: 'gain 1/Σw',
        fields: ['gain', 'nfft'],
        test: (c) => (typeof c.gain !== 'number' || c.nfft === undefined ? undefined : Math.abs(c.gain * (c.nfft / 2) - 1) < 1e-3),
      },
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'scipy.signal.ShortTimeFFT',
    sampleRate: null,
    checks: [
      eq('phaseReference', 'window-centre'),
      eq('center', true),
      eq('padMode', 'zeros'),
      // The first slice p_min·hop − ⌊nfft/2⌋ is the earliest that still touches the signal.
      rule(
        'first slice −⌊nfft/2⌋ − k·hop',
        ['firstFrameStart', 'nfft', 'hop'],
        (f: number, N: number, h: number) => f <= -Math.floor(N / 2) && (-f - Math.floor(N / 2)) % h === 0 && -f - Math.floor(N / 2) < Math.floor(N / 2),
      ),
      eq('layout', 'bin-major'),
    ],
  },
  {
    name: 'torchaudio.transforms.Spectrogram defaults',
    sampleRate: 16000,
    checks: [
      eq('nfft', 400),
      eq('hop', 200),
      fullWindow,
      ...hann,
      ...centredAt(200),
      eq('padMode', 'reflect'),
      eq('magnitudeScale', 'power'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'Whisper front end (torch.stft 400/160 at 16 kHz)',
    sampleRate: 16000,
    checks: [
      eq('nfft', 400),
      eq('hop', 160),
      fullWindow,
      ...hann,
      ...centredAt(200),
      eq('padMode', 'reflect'),
      // No magnitude scale: Whisper squares torch.stft's output, but a file of |X| from the same
      // torch.stft(400, 160) call is the same transform (a power check made such files match nothing).
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'torch.stft defaults (hop nfft/4, reflect padding)',
    sampleRate: null,
    checks: [
      rule('hop = nfft/4', ['hop', 'nfft'], (h: number, N: number) => h === Math.floor(N / 4)),
      fullWindow,
      // torch.hann_window and its kin are periodic unless told otherwise; window=None is rectangular.
      rule('periodic window (torch.*_window)', ['window', 'windowSymmetry'], (w: string, s: string) => w === 'rectangular' || s === 'periodic'),
      eq('center', true),
      rule('firstFrameStart −⌊nfft/2⌋', ['firstFrameStart', 'nfft'], (f: number, N: number) => f === -Math.floor(N / 2)),
      eq('padMode', 'reflect'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    // mne.time_frequency.stft(x, wsize, tstep): the sine window, the signal zero-padded by (wsize − tstep)/2,
    // an (n_signals, n_freq, n_step) array. Its per-sample renormalisation of the first and last
    // wsize − tstep padded samples (sqrt of the summed squared windows over them) has no config field:
    // the interior is exact, the edge samples come out louder than mne's own istft gives them.
    name: 'mne.time_frequency.stft',
    sampleRate: null,
    checks: [
      fullWindow,
      eq('window', 'cosine'),
      eq('windowSymmetry', 'symmetric'),
      rule('firstFrameStart −⌊(nfft − hop)/2⌋', ['firstFrameStart', 'nfft', 'hop'], (f: number, N: number, h: number) => f === -Math.floor((N - h) / 2)),
      eq('padMode', 'zeros'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'MATLAB spectrogram defaults',
    sampleRate: null,
    checks: [
      eq('window', 'hamming'),
      eq('windowSymmetry', 'symmetric'),
      halfOverlap,
      // nfft = max(256, next power of two of the window length); the window sits at the frame start.
      rule('nfft max(256, 2^nextpow2(winLength))', ['nfft', 'winLength'], (N: number, L: number) => N === Math.max(256, 2 ** Math.ceil(Math.log2(L)))),
      eq('center', false),
      eq('firstFrameStart', 0),
      eq('layout', 'frame-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'Octave specgram defaults',
    sampleRate: null,
    checks: [...symmetricHann256, eq('sided', 'one-no-nyquist'), eq('center', false), eq('firstFrameStart', 0), eq('layout', 'frame-major')],
  },
  {
    // matplotlib.mlab.specgram / pyplot.specgram: NFFT 256, noverlap 128, window_hanning (np.hanning:
    // symmetric), detrend_none, mode 'psd' (power), segments from sample 0, a (bins, frames) array.
    name: 'matplotlib.mlab.specgram defaults',
    sampleRate: null,
    checks: [
      ...symmetricHann256,
      eq('detrend', 'none'),
      eq('magnitudeScale', 'power'),
      eq('center', false),
      eq('firstFrameStart', 0),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'TTS front end 1024/256 at 22.05 kHz (Tacotron 2, WaveGlow, HiFi-GAN)',
    sampleRate: 22050,
    checks: [eq('nfft', 1024), eq('hop', 256), eq('winLength', 1024), ...hann],
  },
  {
    name: 'TTS front end 1200/300 at 24 kHz',
    sampleRate: 24000,
    checks: [eq('hop', 300), eq('winLength', 1200), ...hann],
  },
];

/** Fewest confirmed properties for a recipe to be named (a lone nfft is not a recipe). */
export const MIN_MATCHED = 3;
