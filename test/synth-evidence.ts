import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Evidence } from '../src/analysis/evidence.js';
import type { FileStorage, RealDtype, StftConfig } from '../src/config/types.js';
import { decodeComponents, encodeValues } from '../src/io/dtype.js';
import { frameCountFor, geometryFromConfig } from '../src/dsp/stft.js';
import { makeStftFiles } from '../src/synth/make.js';
import { demoSignal } from '../src/synth/signals.js';

/**
 * Shared by every analyzer test: a full config with sensible defaults that a test overrides field by
 * field, the files it would produce (written to a temp dir), and an Evidence over them.
 */
export const rawStorage = (over: Partial<FileStorage> = {}): FileStorage => ({
  format: 'raw',
  dtype: 'float32',
  endian: 'little',
  headerBytes: 0,
  variable: null,
  ...over,
});

/** A config: librosa-like defaults (1024/256 periodic Hann, centred, frame-major float32, linear, radians). */
export function testConfig(over: Partial<StftConfig> = {}): Omit<StftConfig, 'frames'> & { frames?: number } {
  const nfft = over.nfft ?? 1024;
  const sided = over.sided ?? 'one';
  const center = over.center ?? true;
  return {
    magnitudeFile: rawStorage(),
    phaseFile: rawStorage(),
    layout: 'frame-major',
    nfft,
    sided,
    bins: sided === 'two' ? nfft : sided === 'one-no-nyquist' ? nfft / 2 : Math.floor(nfft / 2) + 1,
    hop: Math.floor(nfft / 4),
    winLength: over.winLength ?? nfft,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    center,
    padMode: center ? 'zeros' : 'none',
    firstFrameStart: center ? -Math.floor(nfft / 2) : 0,
    phaseReference: 'frame-start',
    phaseSign: '+',
    magnitudeScale: 'linear',
    dbFloor: null,
    gain: 1,
    phaseUnit: 'radians',
    sampleRate: 22050,
    originalLength: null,
    ...over,
  };
}

export interface SynthCase {
  config: StftConfig;
  evidence: Evidence;
  dir: string;
  magPath: string;
  phasePath: string | null;
  signal: Float64Array;
  cleanup(): void;
}

/**
 * Write the files a maker with `config` would write for `signal` (default: 2 s of the demo signal at
 * the config's sample rate) and open an Evidence over them. frames is computed when not given.
 */
export function synthCase(over: Partial<StftConfig> = {}, signal?: Float64Array): SynthCase {
  const c0 = testConfig(over);
  const x = signal ?? demoSignal(c0.sampleRate ?? 22050, 2, 11);
  const frames = c0.frames ?? frameCountFor(x.length, geometryFromConfig(c0));
  const config: StftConfig = { ...c0, frames };
  const made = makeStftFiles(x, config);
  const dir = mkdtempSync(join(tmpdir(), 'sd-case-'));
  const magPath = join(dir, 'x.mag');
  writeFileSync(magPath, made.magnitude);
  let phasePath: string | null = null;
  if (made.phase) {
    phasePath = join(dir, 'x.phase');
    writeFileSync(phasePath, made.phase);
  }
  const evidence = new Evidence(magPath, phasePath);
  return {
    config,
    evidence,
    dir,
    magPath,
    phasePath,
    signal: x,
    cleanup: () => {
      evidence.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Write arbitrary bytes as a magnitude (and phase) pair and open Evidence: for noise/silence/tiny cases. */
export function bytesCase(mag: Uint8Array, phase: Uint8Array | null): { evidence: Evidence; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sd-bytes-'));
  writeFileSync(join(dir, 'm'), mag);
  if (phase) writeFileSync(join(dir, 'p'), phase);
  const evidence = new Evidence(join(dir, 'm'), phase ? join(dir, 'p') : null);
  return {
    evidence,
    cleanup: () => {
      evidence.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The fields of `c` an analyzer of a later stage may take as already fixed. */
export function fixedUpTo(c: StftConfig, fields: (keyof StftConfig)[]): Partial<StftConfig> {
  const out: Partial<StftConfig> = {};
  for (const f of fields) (out as Record<string, unknown>)[f] = c[f];
  return out;
}

/** Rewrite a phase file in place: values → f(values) (for [0, P) ranges and unwrapped phase). */
export function rewritePhase(c: SynthCase, f: (v: Float64Array, cfg: StftConfig) => void): Evidence {
  const cfg = c.config;
  const storage = cfg.phaseFile;
  if (!storage || !c.phasePath) throw new Error('no phase file');
  const bytes = new Uint8Array(readFileSync(c.phasePath));
  const n = cfg.frames * cfg.bins;
  const v = new Float64Array(n);
  decodeComponents(bytes, storage.dtype as RealDtype, storage.endian, n, v);
  f(v, cfg);
  writeFileSync(c.phasePath, encodeValues(v, storage.dtype, storage.endian));
  return new Evidence(c.magPath, c.phasePath);
}

/** np.unwrap along time (per bin) of a stored phase matrix in the config's layout and unit. */
export function unwrapTime(v: Float64Array, cfg: StftConfig, period: number): void {
  const { frames, bins } = cfg;
  const at = (m: number, k: number): number => (cfg.layout === 'frame-major' ? m * bins + k : k * frames + m);
  for (let k = 0; k < bins; k++) {
    let offset = 0;
    for (let m = 1; m < frames; m++) {
      const d = v[at(m, k)] + offset - v[at(m - 1, k)];
      // Principal value of the step, as np.unwrap: shift by whole periods while it exceeds P/2.
      offset -= period * Math.round(d / period);
      v[at(m, k)] += offset;
    }
  }
}

/**
 * STFT files (512/128, periodic placement, frame-start) under a window no name of the vocabulary is, so
 * `window: 'estimated'` stands for it: a triangle (scipy 'triang' of even length), the 4-term
 * Blackman-Harris (scipy 'blackmanharris', periodic), which a Kaiser fits within the imprint's noise,
 * the Bartlett-Hann (scipy 'barthann', periodic), smooth but for a kink at its centre, or the flat top
 * (scipy 'flattop', periodic), whose ends are negative (to −0.07 of its peak).
 */
export function foreignWindowStft(
  kind: 'triangular' | 'blackman-harris' | 'bartlett-hann' | 'flattop',
  signal?: Float64Array,
): {
  config: StftConfig;
  x: Float64Array;
  window: Float64Array;
  made: ReturnType<typeof makeStftFiles>;
} {
  const L = 512;
  const window = new Float64Array(L);
  // Cosine-sum coefficients: scipy's blackmanharris and flattop.
  const a = kind === 'flattop' ? [0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368] : [0.35875, 0.48829, 0.14128, 0.01168, 0];
  for (let i = 0; i < L; i++) {
    const t = (2 * Math.PI * i) / L;
    const f = i / L - 0.5;
    if (kind === 'triangular') window[i] = 1 - Math.abs((2 * i - (L - 1)) / L);
    else if (kind === 'bartlett-hann') window[i] = 0.62 - 0.48 * Math.abs(f) + 0.38 * Math.cos(2 * Math.PI * f);
    else window[i] = a[0] - a[1] * Math.cos(t) + a[2] * Math.cos(2 * t) - a[3] * Math.cos(3 * t) + a[4] * Math.cos(4 * t);
  }
  const config: StftConfig = { ...testConfig({ nfft: L, hop: 128, window: 'estimated' }), frames: 0 };
  const x = signal ?? demoSignal(22050, 2, 11);
  config.frames = frameCountFor(x.length, geometryFromConfig(config, window));
  return { config, x, window, made: makeStftFiles(x, config, window) };
}
