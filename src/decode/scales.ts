import type { MagnitudeScale, PhaseUnit } from '../config/types.js';

/** Exponent p of a `power-law-<p>` scale, or null. */
export function powerLawExponent(scale: MagnitudeScale): number | null {
  const m = /^power-law-(.+)$/.exec(scale);
  return m ? Number(m[1]) : null;
}

/**
 * Decode stored magnitude values v to |X| in place (DESIGN.md §1): linear v, power √v, db 10^(v/20),
 * db10 10^(v/10), ln e^v, log10 10^v, log1p e^v−1, power-law-p v^(1/p). Negative values where the
 * scale cannot produce them (linear, power, power-law) are clamped to 0: they are noise, not magnitude.
 */
export function decodeMagnitudes(v: Float64Array, scale: MagnitudeScale, count = v.length): void {
  switch (scale) {
    case 'linear':
      for (let i = 0; i < count; i++) if (!(v[i] > 0)) v[i] = 0;
      return;
    case 'power':
      for (let i = 0; i < count; i++) v[i] = v[i] > 0 ? Math.sqrt(v[i]) : 0;
      return;
    case 'db': {
      const k = Math.LN10 / 20;
      for (let i = 0; i < count; i++) v[i] = finiteOr0(Math.exp(v[i] * k));
      return;
    }
    case 'db10': {
      const k = Math.LN10 / 10;
      for (let i = 0; i < count; i++) v[i] = finiteOr0(Math.exp(v[i] * k));
      return;
    }
    case 'ln':
      for (let i = 0; i < count; i++) v[i] = finiteOr0(Math.exp(v[i]));
      return;
    case 'log10':
      for (let i = 0; i < count; i++) v[i] = finiteOr0(Math.exp(v[i] * Math.LN10));
      return;
    case 'log1p':
      for (let i = 0; i < count; i++) v[i] = Math.max(0, finiteOr0(Math.expm1(v[i])));
      return;
  }
  const p = powerLawExponent(scale);
  if (p === null) throw new RangeError(`unknown magnitude scale ${scale}`);
  const inv = 1 / p;
  for (let i = 0; i < count; i++) v[i] = v[i] > 0 ? v[i] ** inv : 0;
}

/** Encode |X| into a scale (the inverse of decodeMagnitudes; used to make test files and samples). */
export function encodeMagnitudes(v: Float64Array, scale: MagnitudeScale): Float64Array {
  const out = new Float64Array(v.length);
  const tiny = 1e-300;
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    switch (scale) {
      case 'linear':
        out[i] = a;
        break;
      case 'power':
        out[i] = a * a;
        break;
      case 'db':
        out[i] = 20 * Math.log10(Math.max(a, tiny));
        break;
      case 'db10':
        out[i] = 10 * Math.log10(Math.max(a, tiny));
        break;
      case 'ln':
        out[i] = Math.log(Math.max(a, tiny));
        break;
      case 'log10':
        out[i] = Math.log10(Math.max(a, tiny));
        break;
      case 'log1p':
        out[i] = Math.log1p(a);
        break;
      default: {
        const p = powerLawExponent(scale);
        if (p === null) throw new RangeError(`unknown magnitude scale ${scale}`);
        out[i] = a ** p;
      }
    }
  }
  return out;
}

function finiteOr0(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** Multiplier turning stored phase values into radians. */
export function phaseUnitFactor(unit: PhaseUnit): number {
  switch (unit) {
    case 'radians':
      return 1;
    case 'degrees':
      return Math.PI / 180;
    case 'cycles':
      return 2 * Math.PI;
  }
  const m = /^scaled-(.+)$/.exec(unit);
  const period = m ? Number(m[1]) : NaN;
  if (!(period > 0)) throw new RangeError(`unknown phase unit ${unit}`);
  // `scaled-P`: P stored units make one full cycle (degrees are scaled-360, cycles scaled-1).
  return (2 * Math.PI) / period;
}

/** Mark cells sitting on a clipped floor (stored units): those magnitudes are unknown, not silent. */
export function floorMask(stored: Float64Array, dbFloor: number | null, count = stored.length, mask?: Uint8Array): Uint8Array | null {
  if (dbFloor === null) return null;
  const m = mask ?? new Uint8Array(count);
  // Quantised files (uint8/int16 dB) land near, not exactly on, the floor value.
  const tol = Math.max(1e-6, Math.abs(dbFloor) * 1e-6);
  for (let i = 0; i < count; i++) m[i] = stored[i] <= dbFloor + tol ? 1 : 0;
  return m;
}
