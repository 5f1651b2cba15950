/**
 * Complex DFT kernels in float64 for any length: a mixed-radix decimation-in-time FFT
 * (radix 8, 4, 2, 3, 5, 7 and a generic odd radix for other small primes) and Bluestein's chirp-z
 * algorithm for lengths with a large prime factor.
 *
 * Data is interleaved (re, im, re, im, ...): a butterfly's real and imaginary parts share a
 * cache line, and a real signal of even length is already the packed complex input that the
 * real FFT needs. Kernels compute the forward transform only
 * (X[k] = sum_j x[j] e^{-2 pi i j k / n}); callers get the inverse as conj(FFT(conj(X))).
 */
import { BluesteinKernel } from './fft-bluestein.js';
import { type ComplexKernel, isDirectSize } from './fft-kernel.js';
import { MixedRadixKernel } from './fft-mixed-radix.js';

export { bluesteinSize } from './fft-bluestein.js';
export { type ComplexKernel, isDirectSize, MAX_DIRECT_PRIME, primeFactors, unitRoot } from './fft-kernel.js';

/** A forward kernel for any n >= 1. */
export function createKernel(n: number): ComplexKernel {
  return isDirectSize(n) ? new MixedRadixKernel(n) : new BluesteinKernel(n);
}
