/**
 * The configuration ("recipe") of an STFT: every convention named explicitly, as in DESIGN.md §1.
 * Nothing here is implied by another field; the search fills each one from evidence or a user pin.
 */

export const FORMATS = ['raw', 'npy', 'npz', 'csv', 'text', 'mat', 'pt', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const REAL_DTYPES = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32'] as const;
export const COMPLEX_DTYPES = ['complex64', 'complex128'] as const;
export const DTYPES = [...REAL_DTYPES, ...COMPLEX_DTYPES] as const;
export type RealDtype = (typeof REAL_DTYPES)[number];
export type ComplexDtype = (typeof COMPLEX_DTYPES)[number];
export type Dtype = RealDtype | ComplexDtype;

export const ENDIANS = ['little', 'big'] as const;
export type Endian = (typeof ENDIANS)[number];

/** How one file stores its numbers. */
export interface FileStorage {
  format: Format;
  dtype: Dtype;
  endian: Endian;
  /** Bytes skipped before the data (for containers: the offset of the chosen array's data). */
  headerBytes: number;
  /** For containers holding several arrays (npz, mat): the array used. null for single-array files. */
  variable: string | null;
}

export const LAYOUTS = ['frame-major', 'bin-major'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** Order of the stored bins (DESIGN.md §1): two-sided spectra may be centred ((−fs/2, fs/2], MATLAB) or fftshifted ([−fs/2, fs/2)). */
export const BIN_ORDERS = ['ascending', 'descending', 'centred', 'fftshift'] as const;
export type BinOrder = (typeof BIN_ORDERS)[number];

/** What was subtracted from each segment before windowing (scipy.signal.spectrogram: 'constant'). */
export const DETRENDS = ['none', 'constant', 'linear'] as const;
export type Detrend = (typeof DETRENDS)[number];

export const SIDEDS = ['one', 'two', 'one-no-nyquist'] as const;
export type Sided = (typeof SIDEDS)[number];

export const WINDOW_PLACEMENTS = ['centred', 'start'] as const;
export type WindowPlacement = (typeof WINDOW_PLACEMENTS)[number];

/** Fixed window names; parametrised ones are `kaiser-<beta>`, `gaussian-<sigma>`, `tukey-<alpha>`. */
export const FIXED_WINDOWS = ['hann', 'hamming', 'blackman', 'rectangular', 'sqrt-hann', 'cosine', 'estimated'] as const;
export const PARAM_WINDOWS = ['kaiser', 'gaussian', 'tukey'] as const;
export type WindowName = (typeof FIXED_WINDOWS)[number] | `kaiser-${number}` | `gaussian-${number}` | `tukey-${number}`;

export const WINDOW_SYMMETRIES = ['periodic', 'symmetric'] as const;
export type WindowSymmetry = (typeof WINDOW_SYMMETRIES)[number];

/**
 * How a centred maker extended the signal (DESIGN.md §1 names zeros, reflect, none). The others are
 * numpy.pad's names for what real makers offer: `edge` repeats the end sample (torch `replicate`, scipy
 * `boundary='constant'`, librosa `edge`), `odd` is the point reflection 2·x[0] − x[i] (scipy
 * `boundary='odd'`), `symmetric` mirrors with the end sample repeated (librosa `symmetric`), `wrap`
 * continues with the other end (torch `circular`, librosa `wrap`).
 */
export const PAD_MODES = ['zeros', 'reflect', 'edge', 'odd', 'symmetric', 'wrap', 'none'] as const;
export type PadMode = (typeof PAD_MODES)[number];

export const PHASE_REFERENCES = ['frame-start', 'window-centre', 'absolute-time'] as const;
export type PhaseReference = (typeof PHASE_REFERENCES)[number];

export const PHASE_SIGNS = ['+', '-'] as const;
export type PhaseSign = (typeof PHASE_SIGNS)[number];

export const FIXED_MAGNITUDE_SCALES = ['linear', 'power', 'db', 'db10', 'ln', 'log10', 'log1p'] as const;
export type MagnitudeScale = (typeof FIXED_MAGNITUDE_SCALES)[number] | `power-law-${number}`;

export const FIXED_PHASE_UNITS = ['radians', 'degrees', 'cycles'] as const;
export type PhaseUnit = (typeof FIXED_PHASE_UNITS)[number] | `scaled-${number}`;

export interface StftConfig {
  magnitudeFile: FileStorage;
  /** null when there is no separate phase file (magnitude only, or one complex file). */
  phaseFile: FileStorage | null;
  layout: Layout;
  /** Audio channels stacked in one file ((channels, bins, frames) arrays); 1 for most files. */
  channels: number;
  frames: number;
  bins: number;
  /** ascending = DC first; descending = flipped for display (np.flipud); centred / fftshift for two-sided spectra. */
  binOrder: BinOrder;
  nfft: number;
  sided: Sided;
  hop: number;
  winLength: number;
  windowPlacement: WindowPlacement;
  window: WindowName;
  windowSymmetry: WindowSymmetry;
  /** Frames extend before the signal start (the input was padded), as librosa/torch `center=True`. */
  center: boolean;
  padMode: PadMode;
  /** Original-signal index of frame 0's first sample; authoritative for frame positions. */
  firstFrameStart: number;
  phaseReference: PhaseReference;
  phaseSign: PhaseSign;
  magnitudeScale: MagnitudeScale;
  /** Stored-unit value of a clipped floor (e.g. max-80 dB); cells on it are unknown, not silent. */
  dbFloor: number | null;
  /** Linear factor the maker applied to X (stored = gain·X); 'unknown' reconstructs at unit gain. */
  gain: number | 'unknown';
  phaseUnit: PhaseUnit;
  sampleRate: number | null;
  /** Exact original signal length when it could be recovered; null: derived from frames, hop and padding. */
  originalLength: number | null;
  /** Removed from each segment before windowing; it only touches each frame's lowest bins (μ·W(k)). */
  detrend: Detrend;
}

/** A config in which any field may still be unknown (to be searched). */
export type PartialStftConfig = {
  [K in keyof StftConfig]?: StftConfig[K] extends FileStorage | null ? Partial<FileStorage> | null : StftConfig[K];
};

export const BYTES_PER_ELEMENT: Record<Dtype, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  complex64: 8,
  complex128: 16,
};

export function isComplexDtype(d: Dtype): d is ComplexDtype {
  return d === 'complex64' || d === 'complex128';
}

/** Whether a bin order can describe a spectrum of this sidedness (the rotations need the whole circle). */
export function orderFitsSided(order: BinOrder, sided: Sided): boolean {
  return sided === 'two' ? order !== 'descending' : order === 'ascending' || order === 'descending';
}
