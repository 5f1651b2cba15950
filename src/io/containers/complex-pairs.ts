import type { Dtype } from '../../config/types.js';
import { InputError } from '../../errors.js';
import type { ValueSource } from '../source.js';

/**
 * Complex values kept as a last axis of two reals, (re, im): `torch.stft(..., return_complex=False)`,
 * `torch.view_as_real`, and the arrays saved from them. In C order those bytes are exactly complex64 (or
 * complex128) values of the other axes, so such an array is read as complex (DESIGN.md §1: one file
 * holding the complex STFT). Only float arrays of three or more axes: a 2-D (n, 2) array is a table.
 */
export function pairedComplex(dtype: Dtype, shape: readonly number[], order: 'C' | 'F'): { dtype: Dtype; shape: number[] } | null {
  if (order !== 'C' || shape.length < 3 || shape[shape.length - 1] !== 2) return null;
  const complex: Partial<Record<Dtype, Dtype>> = { float32: 'complex64', float64: 'complex128' };
  const to = complex[dtype];
  return to ? { dtype: to, shape: shape.slice(0, -1) } : null;
}

/** The note a container gives an array read as (re, im) pairs. */
export function pairedNote(what: string, shape: readonly number[]): string {
  return `${what}: a last axis of 2 in shape (${shape.join(', ')}) read as (re, im) pairs (torch.view_as_real, return_complex=False)`;
}

/** Pairs sampled to tell (re, im) from (magnitude, phase). */
const SAMPLED_PAIRS = 4096;

/**
 * The source of paired values, after refusing pairs that are (magnitude, phase), not (re, im): an STFT's
 * real parts take both signs, while a stacked magnitude is never negative and a stacked phase stays
 * within ±π (or ±180). Read as (re, im), such a file would decode to a wrong STFT without a word. A
 * refused source is closed.
 */
export function checkedPairs(source: ValueSource): ValueSource {
  const n = Math.min(source.length, SAMPLED_PAIRS);
  if (n === 0) return source;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  source.read(0, n, re, im);
  let minRe = Infinity;
  let maxIm = 0;
  for (let i = 0; i < n; i++) {
    minRe = Math.min(minRe, re[i]);
    maxIm = Math.max(maxIm, Math.abs(im[i]));
  }
  if (minRe >= 0 && (maxIm <= Math.PI + 1e-4 || maxIm <= 180) && n >= 64) {
    source.close();
    throw new InputError(
      source.file,
      `its last axis of 2 holds a value never negative and one within ±${maxIm <= Math.PI + 1e-4 ? 'π' : '180'}: (magnitude, phase) pairs, not (re, im); save magnitude and phase as two arrays`,
    );
  }
  return source;
}
