import { readFileSync } from 'node:fs';
import { parseWindowName } from '../dsp/windows.js';
import { UsageError } from '../errors.js';
import {
  BIN_ORDERS,
  DETRENDS,
  DTYPES,
  ENDIANS,
  FIXED_MAGNITUDE_SCALES,
  FIXED_PHASE_UNITS,
  FORMATS,
  type FileStorage,
  LAYOUTS,
  orderFitsSided,
  PAD_MODES,
  type PartialStftConfig,
  PHASE_REFERENCES,
  PHASE_SIGNS,
  SIDEDS,
  type StftConfig,
  WINDOW_PLACEMENTS,
  WINDOW_SYMMETRIES,
} from './types.js';

/**
 * One validator per field: accepts a JSON value (or the string of a `--set`), returns the typed value
 * or a description of what is allowed. Keeping them in one table means JSON, --set and the error
 * messages can never disagree about a field.
 */
interface FieldSpec {
  allowed: string;
  parse(v: unknown): unknown | typeof INVALID;
}
const INVALID = Symbol('invalid');

const oneOf = (values: readonly string[]): FieldSpec => ({
  allowed: values.join(', '),
  parse: (v) => (typeof v === 'string' && values.includes(v) ? v : INVALID),
});

function num(v: unknown): number | typeof INVALID {
  if (typeof v === 'number') return Number.isFinite(v) ? v : INVALID;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return INVALID;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER): FieldSpec => ({
  allowed: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
  parse: (v) => {
    const n = num(v);
    return n !== INVALID && Number.isInteger(n) && n >= min && n <= max ? n : INVALID;
  },
});

const nullable = (spec: FieldSpec): FieldSpec => ({
  allowed: `${spec.allowed}, or null`,
  parse: (v) => (v === null || v === 'null' ? null : spec.parse(v)),
});

const bool: FieldSpec = {
  allowed: 'true or false',
  parse: (v) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : INVALID),
};

const finite: FieldSpec = { allowed: 'a number', parse: (v) => num(v) };

const positive: FieldSpec = {
  allowed: 'a number > 0',
  parse: (v) => {
    const n = num(v);
    return n !== INVALID && n > 0 ? n : INVALID;
  },
};

const windowSpec: FieldSpec = {
  allowed: 'hann, hamming, blackman, rectangular, sqrt-hann, cosine, kaiser-<beta>, gaussian-<sigma>, tukey-<alpha 0..1>, estimated',
  parse: (v) => (typeof v === 'string' && (v === 'estimated' || parseWindowName(v)) ? v : INVALID),
};

const magnitudeScale: FieldSpec = {
  allowed: `${FIXED_MAGNITUDE_SCALES.join(', ')}, power-law-<p>`,
  parse: (v) => {
    if (typeof v !== 'string') return INVALID;
    if ((FIXED_MAGNITUDE_SCALES as readonly string[]).includes(v)) return v;
    const m = /^power-law-(.+)$/.exec(v);
    return m && Number(m[1]) > 0 && Number.isFinite(Number(m[1])) ? v : INVALID;
  },
};

const phaseUnit: FieldSpec = {
  allowed: `${FIXED_PHASE_UNITS.join(', ')}, scaled-<period>`,
  parse: (v) => {
    if (typeof v !== 'string') return INVALID;
    if ((FIXED_PHASE_UNITS as readonly string[]).includes(v)) return v;
    const m = /^scaled-(.+)$/.exec(v);
    return m && Number(m[1]) > 0 && Number.isFinite(Number(m[1])) ? v : INVALID;
  },
};

const gain: FieldSpec = {
  allowed: 'a number > 0, or unknown',
  parse: (v) => (v === 'unknown' ? 'unknown' : positive.parse(v)),
};

export const FILE_FIELDS: Record<keyof FileStorage, FieldSpec> = {
  format: oneOf(FORMATS),
  dtype: oneOf(DTYPES),
  endian: oneOf(ENDIANS),
  headerBytes: int(0),
  variable: { allowed: 'a name, or null', parse: (v) => (v === null || v === 'null' ? null : typeof v === 'string' ? v : INVALID) },
};

type ScalarKey = Exclude<keyof StftConfig, 'magnitudeFile' | 'phaseFile'>;

export const CONFIG_FIELDS: Record<ScalarKey, FieldSpec> = {
  layout: oneOf(LAYOUTS),
  channels: int(1),
  frames: int(1),
  bins: int(1),
  binOrder: oneOf(BIN_ORDERS),
  nfft: int(1),
  sided: oneOf(SIDEDS),
  hop: int(1),
  winLength: int(1),
  windowPlacement: oneOf(WINDOW_PLACEMENTS),
  window: windowSpec,
  windowSymmetry: oneOf(WINDOW_SYMMETRIES),
  center: bool,
  padMode: oneOf(PAD_MODES),
  firstFrameStart: {
    allowed: 'an integer',
    parse: (v) => {
      const n = num(v);
      return n !== INVALID && Number.isInteger(n) ? n : INVALID;
    },
  },
  phaseReference: oneOf(PHASE_REFERENCES),
  phaseSign: oneOf(PHASE_SIGNS),
  magnitudeScale,
  dbFloor: nullable(finite),
  gain,
  phaseUnit,
  sampleRate: nullable(int(1, 10_000_000)),
  originalLength: nullable(int(0)),
  detrend: oneOf(DETRENDS),
};

export const ALL_FIELD_NAMES: readonly string[] = ['magnitudeFile', 'phaseFile', ...Object.keys(CONFIG_FIELDS)];

function bad(where: string, field: string, value: unknown, allowed: string): UsageError {
  return new UsageError(`${where}: ${field} = ${JSON.stringify(value)} is not valid (allowed: ${allowed})`);
}

function setFileField(target: PartialStftConfig, fileKey: 'magnitudeFile' | 'phaseFile', sub: string, value: unknown, where: string): void {
  const spec = (FILE_FIELDS as Record<string, FieldSpec>)[sub];
  if (!spec) throw new UsageError(`${where}: unknown field ${fileKey}.${sub} (fields: ${Object.keys(FILE_FIELDS).join(', ')})`);
  const parsed = spec.parse(value);
  if (parsed === INVALID) throw bad(where, `${fileKey}.${sub}`, value, spec.allowed);
  const current = target[fileKey];
  target[fileKey] = { ...(current ?? {}), [sub]: parsed };
}

/** Set one (possibly dotted) field from a JSON value or a --set string. */
export function setField(target: PartialStftConfig, key: string, value: unknown, where: string): void {
  const dot = key.indexOf('.');
  if (dot >= 0) {
    const head = key.slice(0, dot);
    if (head !== 'magnitudeFile' && head !== 'phaseFile') {
      throw new UsageError(`${where}: unknown field ${key} (only magnitudeFile.* and phaseFile.* are nested)`);
    }
    setFileField(target, head, key.slice(dot + 1), value, where);
    return;
  }
  if (key === 'magnitudeFile' || key === 'phaseFile') {
    if (value === null || value === 'null') {
      if (key === 'magnitudeFile') throw bad(where, key, value, 'an object {format, dtype, endian, headerBytes}');
      target.phaseFile = null;
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw bad(where, key, value, 'an object {format, dtype, endian, headerBytes, variable}');
    }
    for (const [sub, v] of Object.entries(value as Record<string, unknown>)) setFileField(target, key, sub, v, where);
    return;
  }
  const spec = (CONFIG_FIELDS as Record<string, FieldSpec>)[key];
  if (!spec) throw new UsageError(`${where}: unknown field ${key} (fields: ${ALL_FIELD_NAMES.join(', ')})`);
  const parsed = spec.parse(value);
  if (parsed === INVALID) throw bad(where, key, value, spec.allowed);
  (target as Record<string, unknown>)[key] = parsed;
}

/** Parse `key=value` pins from --set. */
export function applySets(target: PartialStftConfig, sets: readonly string[]): PartialStftConfig {
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${s}: expected key=value`);
    setField(target, s.slice(0, eq).trim(), s.slice(eq + 1).trim(), `--set ${s}`);
  }
  return target;
}

/** Parse a config object (the `config` of an `analyze --json` candidate, possibly partial). */
export function parseConfigObject(obj: unknown, where: string): PartialStftConfig {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new UsageError(`${where}: a config must be a JSON object`);
  // Accept a whole candidate ({config: {...}}) as well as the bare config.
  const rec = obj as Record<string, unknown>;
  const src = typeof rec.config === 'object' && rec.config !== null && !('nfft' in rec) ? (rec.config as Record<string, unknown>) : rec;
  const out: PartialStftConfig = {};
  for (const [k, v] of Object.entries(src)) setField(out, k, v, where);
  return out;
}

export function readConfigFile(file: string): PartialStftConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read config (${code === 'ENOENT' ? 'no such file' : (code ?? String(e))})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfigObject(obj, file);
}

const REQUIRED_FILE_FIELDS: (keyof FileStorage)[] = ['format', 'dtype', 'endian', 'headerBytes'];

/** The fields still unknown in a partial config (dotted for file fields). */
export function missingFields(c: PartialStftConfig, hasPhaseFile: boolean): string[] {
  const missing: string[] = [];
  for (const key of Object.keys(CONFIG_FIELDS) as ScalarKey[]) if (c[key] === undefined) missing.push(key);
  const files: ('magnitudeFile' | 'phaseFile')[] = hasPhaseFile ? ['magnitudeFile', 'phaseFile'] : ['magnitudeFile'];
  for (const f of files) {
    const fs = c[f];
    for (const sub of REQUIRED_FILE_FIELDS) if (!fs || fs[sub] === undefined) missing.push(`${f}.${sub}`);
  }
  return missing;
}

/** Fields a user may leave out of a complete config: they have a neutral value. */
const OPTIONAL_DEFAULTS: PartialStftConfig = {
  dbFloor: null,
  sampleRate: null,
  originalLength: null,
  gain: 1,
  channels: 1,
  binOrder: 'ascending',
  detrend: 'none',
};

/** Whether pins name every required field (so export can skip the search). */
export function pinsAreComplete(c: PartialStftConfig, hasPhaseFile: boolean): boolean {
  return missingFields({ ...OPTIONAL_DEFAULTS, ...c }, hasPhaseFile).length === 0;
}

/** Complete a partial config (all fields present) into a validated StftConfig. */
export function completeConfig(c: PartialStftConfig, hasPhaseFile: boolean, where: string): StftConfig {
  const filled: PartialStftConfig = {
    ...OPTIONAL_DEFAULTS,
    ...c,
    magnitudeFile: c.magnitudeFile ? { variable: null, ...c.magnitudeFile } : c.magnitudeFile,
    phaseFile: hasPhaseFile ? (c.phaseFile ? { variable: null, ...c.phaseFile } : c.phaseFile) : null,
  };
  const missing = missingFields(filled, hasPhaseFile);
  if (missing.length) throw new UsageError(`${where}: the config is incomplete, missing ${missing.join(', ')}`);
  const full = filled as StftConfig;
  const problem = consistencyProblem(full);
  if (problem) throw new UsageError(`${where}: ${problem}`);
  return full;
}

/** Cross-field rules a config must satisfy; returns a description of the first violation. */
export function consistencyProblem(c: StftConfig): string | null {
  const { nfft, bins, sided } = c;
  const expected = sided === 'two' ? [nfft] : sided === 'one-no-nyquist' ? [nfft / 2] : [Math.floor(nfft / 2) + 1];
  if (sided === 'one-no-nyquist' && nfft % 2 !== 0) return `sided one-no-nyquist needs an even nfft (got ${nfft})`;
  if (!expected.includes(bins)) return `bins = ${bins} does not fit nfft = ${nfft} with sided = ${sided} (expected ${expected[0]})`;
  // A config object written before binOrder existed has none: it means ascending.
  if (!orderFitsSided(c.binOrder ?? 'ascending', sided))
    return `binOrder = ${c.binOrder} does not fit sided = ${sided} (centred and fftshift rotate a two-sided spectrum; descending flips a one-sided one)`;
  if (c.winLength > nfft) return `winLength = ${c.winLength} exceeds nfft = ${nfft}`;
  if (c.center && c.firstFrameStart >= 0) return `center = true but firstFrameStart = ${c.firstFrameStart} (centred frames start before the signal)`;
  if (!c.center && c.firstFrameStart < 0) return `center = false but firstFrameStart = ${c.firstFrameStart} < 0`;
  if (c.center && c.padMode === 'none') return `center = true needs a padMode other than none (${PAD_MODES.filter((m) => m !== 'none').join(', ')})`;
  if (c.window === 'estimated' && c.phaseFile === null && !c.magnitudeFile.dtype.startsWith('complex')) return ESTIMATED_NEEDS_PHASE;
  return null;
}

/** Why window 'estimated' cannot stand without phase (analyze's pin, a config file, export). */
export const ESTIMATED_NEEDS_PHASE =
  'window "estimated" is measured from the phase (the imprint of each frame\'s inverse transform), and there is none: name a window (--set window=hann, ...)';
