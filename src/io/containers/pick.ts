import { isComplexDtype } from '../../config/types.js';
import { type ArrayEntry, type ContainerInfo, shapeCount, shapeText } from './types.js';

export interface PickResult {
  magnitude?: ArrayEntry;
  /** Usually real; complex when it holds unit phasors e^{jφ} (librosa.magphase), whose angle is the phase. */
  phase?: ArrayEntry;
  complex?: ArrayEntry;
  reason: string;
  /** The magnitude and phase were told apart by their order in the file alone (no telling names). */
  byOrder?: true;
}

/** Names people give these arrays (librosa, scipy, MATLAB, torch habits); matched whole or per word. */
const MAGNITUDE_NAMES = new Set([
  'mag',
  'mags',
  'magnitude',
  'magnitudes',
  'abs',
  'amp',
  'amps',
  'amplitude',
  'amplitudes',
  'power',
  'pow',
  'psd',
  'db',
  'logmag',
  'logspec',
  'spectrogram',
  'spec',
  's',
  'm',
  'a',
]);
// 'p': librosa's S, P = magphase(D) and the (S, P) pairs people save from it.
const PHASE_NAMES = new Set(['phase', 'phases', 'phi', 'ph', 'angle', 'angles', 'ang', 'arg', 'theta', 'phs', 'pha', 'p']);
const COMPLEX_NAMES = new Set([
  'stft',
  'zxx',
  'x',
  'd',
  'complex',
  'z',
  'spec',
  'spectrum',
  'specgram',
  'spectrogram',
  's',
  'sxx',
  'y',
  'c',
  'coef',
  'coefs',
  'coeffs',
  'tf',
  'cqt',
]);
/** Complex arrays with these names next to a magnitude are phasors e^{jφ} ('P' from librosa.magphase). */
const PHASOR_NAMES = new Set([...PHASE_NAMES, 'p', 'phasor', 'phasors']);
/** Axis vectors and scalars that sit next to an STFT in the same file. */
const AXIS_NAMES = new Set([
  'f',
  'freq',
  'freqs',
  'frequency',
  'frequencies',
  't',
  'time',
  'times',
  'sr',
  'fs',
  'rate',
  'samplerate',
  'sample_rate',
  'hop',
  'hop_length',
  'nfft',
  'n_fft',
  'win',
  'window',
  'w',
  'win_length',
]);

function words(name: string): { whole: string; parts: string[] } {
  const path = name.split('/');
  // Octave's HDF5 files (save -hdf5) keep each variable as a group holding its data in 'value'.
  const last = (path.length > 1 && path[path.length - 1] === 'value' ? path[path.length - 2] : path[path.length - 1]) ?? name;
  const whole = last.toLowerCase();
  const parts = last
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  return { whole, parts };
}

/** 3: the whole name is a known word; 2: one of its words is; 1: a word starts with a known (3+ letter) word. */
function nameScore(name: string | null, list: ReadonlySet<string>): number {
  if (name === null) return 0;
  const { whole, parts } = words(name);
  if (list.has(whole)) return 3;
  if (parts.some((p) => list.has(p))) return 2;
  if (parts.some((p) => [...list].some((w) => w.length >= 3 && p.startsWith(w)))) return 1;
  return 0;
}

function nonSingleton(e: ArrayEntry): number {
  return e.shape.filter((d) => d > 1).length;
}

function label(e: ArrayEntry): string {
  return e.name === null ? `the array ${shapeText(e.shape)}` : `"${e.name}" ${shapeText(e.shape)}`;
}

/** Best by name score, then size; ties keep container order. */
function best(list: ArrayEntry[], names: ReadonlySet<string>, needName: boolean): ArrayEntry | undefined {
  let top: ArrayEntry | undefined;
  let topKey = [-1, -1];
  for (const e of list) {
    const key = [nameScore(e.name, names), shapeCount(e.shape)];
    if (needName && key[0] === 0) continue;
    if (key[0] > topKey[0] || (key[0] === topKey[0] && key[1] > topKey[1])) {
      top = e;
      topKey = key;
    }
  }
  return top;
}

/**
 * Which arrays of a container are the magnitude, the phase, or the complex STFT: by name, then by
 * dtype (a complex array holds the whole STFT and wins), then by shape. `reason` says which and why.
 */
export function pickArrays(info: ContainerInfo): PickResult {
  const all = info.arrays;
  if (all.length === 0) return { reason: 'no arrays in the container' };
  const notAxis = all.filter((e) => !(e.name !== null && AXIS_NAMES.has(words(e.name).whole)) && shapeCount(e.shape) > 1);
  const matrices = notAxis.filter((e) => nonSingleton(e) >= 2);
  const pool = matrices.length > 0 ? matrices : notAxis.length > 0 ? notAxis : all;
  const skipped = all.filter((e) => !pool.includes(e));
  const aside = skipped.length > 0 ? `; set aside ${skipped.map(label).join(', ')} (axis vectors or scalars)` : '';
  const largest = Math.max(...pool.map((e) => shapeCount(e.shape)));

  const reals = pool.filter((e) => !isComplexDtype(e.dtype));
  const namedMag = best(reals, MAGNITUDE_NAMES, true);
  const complexes = pool.filter((e) => isComplexDtype(e.dtype) && shapeCount(e.shape) === largest);
  // librosa.magphase returns S (real) and P (complex unit phasors): P is the phase, not the STFT.
  const phasors = namedMag && complexes.find((e) => shapeCount(e.shape) === shapeCount(namedMag.shape) && nameScore(e.name, PHASOR_NAMES) >= 2);
  if (namedMag && phasors) {
    return {
      magnitude: namedMag,
      phase: phasors,
      reason: `${label(namedMag)} as magnitude and ${label(phasors)} as phase, by name: a complex phase array holds unit phasors (librosa.magphase), use its angle${aside}`,
    };
  }
  if (complexes.length > 0) {
    const c = best(complexes, COMPLEX_NAMES, false) as ArrayEntry;
    const why = nameScore(c.name, COMPLEX_NAMES) > 0 ? 'complex dtype and an STFT-like name' : 'complex dtype (holds the whole STFT)';
    return { complex: c, reason: `${label(c)} as the complex STFT: ${why}${aside}` };
  }

  const namedPhase = best(
    reals.filter((e) => e !== namedMag),
    PHASE_NAMES,
    true,
  );
  if (namedMag && namedPhase) {
    const sizeNote = shapeCount(namedMag.shape) === shapeCount(namedPhase.shape) ? '' : ' (their sizes differ!)';
    return { magnitude: namedMag, phase: namedPhase, reason: `${label(namedMag)} as magnitude and ${label(namedPhase)} as phase, by name${sizeNote}${aside}` };
  }
  const sameSize =
    (e: ArrayEntry): ((x: ArrayEntry) => boolean) =>
    (x) =>
      x !== e && shapeCount(x.shape) === shapeCount(e.shape);
  if (namedPhase) {
    const mag = best(reals.filter(sameSize(namedPhase)), MAGNITUDE_NAMES, false);
    if (mag)
      return {
        magnitude: mag,
        phase: namedPhase,
        reason: `${label(namedPhase)} as phase by name, ${label(mag)} as magnitude: the other array of that size${aside}`,
      };
    return { phase: namedPhase, reason: `only ${label(namedPhase)} (phase by name) found${aside}` };
  }
  if (namedMag) {
    const twins = reals.filter(sameSize(namedMag));
    const twinNote = twins.length > 0 ? `; ${twins.map(label).join(', ')} has the same size but no phase-like name` : '';
    return { magnitude: namedMag, reason: `${label(namedMag)} as magnitude by name; no phase-named array${twinNote}${aside}` };
  }
  const biggest = reals.filter((e) => shapeCount(e.shape) === largest);
  if (biggest.length === 2) {
    return {
      magnitude: biggest[0],
      phase: biggest[1],
      reason: `no telling names: ${label(biggest[0])} as magnitude and ${label(biggest[1])} as phase, by their order in the file${aside}`,
      byOrder: true,
    };
  }
  const mag = biggest[0] ?? reals[0];
  if (!mag) return { reason: 'no numeric array to use' };
  const others = biggest.length > 2 ? `; ${biggest.length - 1} other arrays of that size ignored` : '';
  return { magnitude: mag, reason: `${label(mag)} as magnitude: the largest array${others}${aside}` };
}
