import type { FileStorage, StftConfig } from '../config/types.js';
import { ascendingPositions } from '../decode/bin-order.js';
import { encodeMagnitudes, phaseUnitFactor } from '../decode/scales.js';
import { type ComplexFrames, geometryFromConfig, stft } from '../dsp/stft.js';
import { encodeValues } from '../io/dtype.js';

/**
 * Writes STFT files the way some other program would, from a signal and a config: the project's own
 * exact STFT, then storage conventions (scale, dB floor, unit, layout, dtype, endian, header). Used by
 * the samples script, the tests and the benchmark, so every analyzer is checked against the same maker.
 */
export interface MadeFiles {
  magnitude: Uint8Array;
  phase: Uint8Array | null;
  /** The complex STFT before storage (frame-major). */
  X: ComplexFrames;
}

/** Reorder each frame's ascending bins into the config's bin order (flipped for display, fftshifted…). */
function toBinOrder(v: Float64Array, frames: number, bins: number, order: StftConfig['binOrder'] | undefined): Float64Array {
  const dest = ascendingPositions(order, bins);
  if (!dest) return v;
  const out = new Float64Array(v.length);
  for (let m = 0; m < frames; m++) for (let j = 0; j < bins; j++) out[m * bins + j] = v[m * bins + dest[j]];
  return out;
}

/** Reorder a frame-major matrix into the config's layout. */
function toLayout(v: Float64Array, frames: number, bins: number, layout: StftConfig['layout']): Float64Array {
  if (layout === 'frame-major') return v;
  const out = new Float64Array(v.length);
  for (let m = 0; m < frames; m++) for (let k = 0; k < bins; k++) out[k * frames + m] = v[m * bins + k];
  return out;
}

/** A header of `bytes` bytes holding the dims as little-endian uint32 (what ad-hoc writers often do). */
function headerBytes(n: number, frames: number, bins: number): Uint8Array {
  const h = new Uint8Array(n);
  const dv = new DataView(h.buffer);
  if (n >= 8) {
    dv.setUint32(0, frames, true);
    dv.setUint32(4, bins, true);
  }
  return h;
}

function store(values: Float64Array, s: FileStorage, frames: number, bins: number): Uint8Array {
  if (s.format !== 'raw') throw new RangeError(`makeStftFiles writes raw files only (got ${s.format})`);
  const body = encodeValues(values, s.dtype, s.endian);
  if (s.headerBytes === 0) return body;
  const out = new Uint8Array(s.headerBytes + body.byteLength);
  out.set(headerBytes(s.headerBytes, frames, bins));
  out.set(body, s.headerBytes);
  return out;
}

/** Signal -> stored magnitude (and phase) file bytes under `config` (its frames/bins must match the signal). */
export function makeStftFiles(x: Float64Array, config: StftConfig, estimatedWindow?: Float64Array): MadeFiles {
  const g = geometryFromConfig(config, estimatedWindow);
  const X = stft(x, g, config.frames);
  const n = X.frames * X.bins;
  const mag = new Float64Array(n);
  const ph = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mag[i] = Math.hypot(X.re[i], X.im[i]);
    ph[i] = Math.atan2(X.im[i], X.re[i]);
  }
  const stored = encodeMagnitudes(mag, config.magnitudeScale);
  if (config.dbFloor !== null) for (let i = 0; i < n; i++) if (stored[i] < config.dbFloor) stored[i] = config.dbFloor;
  const f = phaseUnitFactor(config.phaseUnit);
  const unsignedPhase = config.phaseFile !== null && config.phaseFile.dtype.startsWith('u');
  for (let i = 0; i < n; i++) {
    // Unsigned storage cannot hold negative angles: store [0, 2π) as such writers do.
    const p = unsignedPhase && ph[i] < 0 ? ph[i] + 2 * Math.PI : ph[i];
    ph[i] = p / f;
  }
  const arrange = (v: Float64Array) => toLayout(toBinOrder(v, X.frames, X.bins, config.binOrder), X.frames, X.bins, config.layout);
  const magnitude = store(arrange(stored), config.magnitudeFile, X.frames, X.bins);
  const phase = config.phaseFile ? store(arrange(ph), config.phaseFile, X.frames, X.bins) : null;
  return { magnitude, phase, X };
}
