/**
 * The project's exact FFT engine: float64, any length n >= 1, never zero-padded.
 *
 * Real transforms of even n run one complex FFT of length n/2 on the packed signal
 * z[j] = x[2j] + i x[2j+1] and split the result; odd n run a complex FFT of length n.
 * Plans are cached per n and own all their scratch, so calls allocate nothing.
 */
import { createKernel, unitRoot, type ComplexKernel } from './fft-complex.js';

export interface RealFft {
  readonly n: number;
  /** number of non-redundant bins: floor(n/2)+1 */
  readonly bins: number;
  /** x (length n) -> X[k] = sum_j x[j] e^{-2 pi i j k / n}, k = 0..bins-1, split re/im outputs (length >= bins). */
  forward(x: Float64Array, outRe: Float64Array, outIm: Float64Array): void;
  /**
   * half spectrum (length bins) -> x (length n) = (1/n) sum over the full Hermitian spectrum
   * (numpy irfft convention). The imaginary parts of bin 0 (and bin n/2 for even n) are
   * ignored. Inputs are not modified.
   */
  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void;
  /**
   * Two forward transforms at once (x into a, y into b). Odd n runs one complex FFT of x + i·y
   * instead of two with a zero imaginary half (half the cost: odd lengths with a large prime factor
   * go through Bluestein, ~10× an even length); even n, already packed, runs forward twice.
   */
  forwardPair(x: Float64Array, y: Float64Array, aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array): void;
  /** Two inverse transforms at once (a into x, b into y); the odd-n packing of forwardPair. */
  inversePair(aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array, x: Float64Array, y: Float64Array): void;
}

export interface ComplexFft {
  readonly n: number;
  /** In place: X[k] = sum_j x[j] e^{-2 pi i j k / n}. */
  forward(re: Float64Array, im: Float64Array): void;
  /** In place: x[j] = (1/n) sum_k X[k] e^{+2 pi i j k / n}. */
  inverse(re: Float64Array, im: Float64Array): void;
}

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT size must be an integer >= 1, got ${n}`);
}

function checkLength(name: string, a: Float64Array, min: number): void {
  if (a.length < min) throw new RangeError(`${name} has length ${a.length}, needs at least ${min}`);
}

/**
 * Plans hold O(n) tables; a search that tries many sizes must not keep them all alive,
 * so the caches keep the most recently used entries only.
 */
const CACHE_LIMIT = 64;

function cached<T>(cache: Map<number, T>, n: number, make: (n: number) => T): T {
  const hit = cache.get(n);
  if (hit !== undefined) {
    // Re-insert to mark as most recently used (Map iterates in insertion order).
    cache.delete(n);
    cache.set(n, hit);
    return hit;
  }
  checkSize(n);
  const made = make(n);
  cache.set(n, made);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as number);
  return made;
}

const kernels = new Map<number, ComplexKernel>();
const getKernel = (n: number): ComplexKernel => cached(kernels, n, createKernel);

class ComplexPlan implements ComplexFft {
  readonly n: number;
  private readonly kernel: ComplexKernel;
  private readonly y: Float64Array;
  private readonly z: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.kernel = getKernel(n);
    this.y = new Float64Array(2 * n);
    this.z = new Float64Array(2 * n);
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1, 1);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    // ifft(X) = conj(fft(conj(X))) / n
    this.transform(re, im, -1, 1 / this.n);
  }

  /** re + i im <- scale * conjugate^(s)(FFT(conjugate^(s)(re + i im))), s = (sign < 0). */
  private transform(re: Float64Array, im: Float64Array, sign: number, scale: number): void {
    const { n, y, z } = this;
    checkLength('re', re, n);
    checkLength('im', im, n);
    for (let j = 0; j < n; j++) {
      y[2 * j] = re[j];
      y[2 * j + 1] = sign * im[j];
    }
    this.kernel.run(y, z);
    const imScale = sign * scale;
    for (let j = 0; j < n; j++) {
      re[j] = z[2 * j] * scale;
      im[j] = z[2 * j + 1] * imScale;
    }
  }
}

/**
 * Even n = 2h: the signal read as h interleaved complex samples z[j] = x[2j] + i x[2j+1]
 * goes through one complex FFT of length h, and Z = E + i O (E, O: spectra of the even and
 * odd samples) is split into X_k = E_k + w^k O_k.
 */
class EvenRealPlan implements RealFft {
  readonly n: number;
  readonly bins: number;
  private readonly h: number;
  private readonly kernel: ComplexKernel;
  /** w^k = e^{-2 pi i k / n} for k = 0..floor(h/2), interleaved. */
  private readonly w: Float64Array;
  /** Spectrum Z (forward) or index-reversed Z/h (inverse), interleaved. */
  private readonly z: Float64Array;

  constructor(n: number) {
    this.n = n;
    const h = n >> 1;
    this.h = h;
    this.bins = h + 1;
    this.kernel = getKernel(h);
    const half = h >> 1;
    this.w = new Float64Array(2 * (half + 1));
    const cs = new Float64Array(2);
    for (let k = 0; k <= half; k++) {
      unitRoot(k, n, cs);
      this.w[2 * k] = cs[0];
      this.w[2 * k + 1] = -cs[1];
    }
    this.z = new Float64Array(n);
  }

  forward(x: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const { h, z, w } = this;
    checkLength('x', x, this.n);
    checkLength('outRe', outRe, this.bins);
    checkLength('outIm', outIm, this.bins);
    this.kernel.run(x, z);
    outRe[0] = z[0] + z[1];
    outIm[0] = 0;
    outRe[h] = z[0] - z[1];
    outIm[h] = 0;
    // X_{h-k} = conj(E_k - w^k O_k), so each k in 1..h/2 yields two bins.
    const half = h >> 1;
    for (let k = 1; k <= half; k++) {
      const a = 2 * k,
        b = 2 * (h - k);
      const ar = z[a],
        ai = z[a + 1],
        br = z[b],
        bi = z[b + 1];
      const er = 0.5 * (ar + br),
        ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi),
        oi = -0.5 * (ar - br);
      const wr = w[a],
        wi = w[a + 1];
      const tr = or * wr - oi * wi,
        ti = or * wi + oi * wr;
      outRe[k] = er + tr;
      outIm[k] = ei + ti;
      outRe[h - k] = er - tr;
      outIm[h - k] = ti - ei;
    }
  }

  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void {
    const { h, z, w } = this;
    checkLength('re', re, this.bins);
    checkLength('im', im, this.bins);
    checkLength('out', out, this.n);
    // Rebuild Z/h from the half spectrum and store it index-reversed (slot k holds Z_{-k}):
    // sum_k Z_{-k} e^{-2 pi i jk/h} = sum_k Z_k e^{+2 pi i jk/h}, so the forward kernel
    // writes x[2j] + i x[2j+1] straight into out. Imag parts of DC and Nyquist never enter.
    const c = 0.5 / h;
    const x0 = re[0],
      xh = re[h];
    z[0] = c * (x0 + xh);
    z[1] = c * (x0 - xh);
    const half = h >> 1;
    for (let k = 1; k <= half; k++) {
      const a = 2 * k,
        b = 2 * (h - k);
      const ar = re[k],
        ai = im[k],
        br = re[h - k],
        bi = im[h - k];
      const er = c * (ar + br),
        ei = c * (ai - bi);
      // O_k = (X_k - conj X_{h-k}) conj(w^k) / 2
      const dr = c * (ar - br),
        di = c * (ai + bi);
      const wr = w[a],
        wi = -w[a + 1];
      const or = dr * wr - di * wi,
        oi = dr * wi + di * wr;
      // Z_k = E_k + i O_k goes to slot h-k; Z_{h-k} = conj(E_k) + i conj(O_k) to slot k.
      z[b] = er - oi;
      z[b + 1] = ei + or;
      z[a] = er + oi;
      z[a + 1] = or - ei;
    }
    this.kernel.run(z, out);
  }

  forwardPair(x: Float64Array, y: Float64Array, aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array): void {
    this.forward(x, aRe, aIm);
    this.forward(y, bRe, bIm);
  }

  inversePair(aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array, x: Float64Array, y: Float64Array): void {
    this.inverse(aRe, aIm, x);
    this.inverse(bRe, bIm, y);
  }
}

/** Odd n: a complex FFT of length n with zero imaginary input. */
class OddRealPlan implements RealFft {
  readonly n: number;
  readonly bins: number;
  private readonly kernel: ComplexKernel;
  /** Complex input of the kernel, interleaved. */
  private readonly y: Float64Array;
  private readonly z: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.bins = (n >> 1) + 1;
    this.kernel = getKernel(n);
    this.y = new Float64Array(2 * n);
    this.z = new Float64Array(2 * n);
  }

  forward(x: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const { n, bins, y, z } = this;
    checkLength('x', x, n);
    checkLength('outRe', outRe, bins);
    checkLength('outIm', outIm, bins);
    // y is shared with inverse(), so its imaginary slots are cleared on every call.
    for (let j = 0; j < n; j++) {
      y[2 * j] = x[j];
      y[2 * j + 1] = 0;
    }
    this.kernel.run(y, z);
    for (let k = 0; k < bins; k++) {
      outRe[k] = z[2 * k];
      outIm[k] = z[2 * k + 1];
    }
    // Exactly real for real input; Bluestein would leave round-off here.
    outIm[0] = 0;
  }

  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void {
    const { n, bins, y, z } = this;
    checkLength('re', re, bins);
    checkLength('im', im, bins);
    checkLength('out', out, n);
    // Full conjugated Hermitian spectrum: conj(X_k) at k, X_k at n-k; DC imaginary dropped.
    y[0] = re[0];
    y[1] = 0;
    for (let k = 1; k < bins; k++) {
      const r = re[k],
        i = im[k];
      y[2 * k] = r;
      y[2 * k + 1] = -i;
      y[2 * (n - k)] = r;
      y[2 * (n - k) + 1] = i;
    }
    this.kernel.run(y, z);
    const scale = 1 / n;
    for (let j = 0; j < n; j++) out[j] = z[2 * j] * scale;
  }

  forwardPair(x: Float64Array, y: Float64Array, aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array): void {
    const { n, bins, y: u, z } = this;
    checkLength('x', x, n);
    checkLength('y', y, n);
    for (let j = 0; j < n; j++) {
      u[2 * j] = x[j];
      u[2 * j + 1] = y[j];
    }
    this.kernel.run(u, z);
    // Z = X + iY with X, Y Hermitian: X_k = (Z_k + conj Z_{n-k})/2, Y_k = (Z_k - conj Z_{n-k})/2i.
    aRe[0] = z[0];
    aIm[0] = 0;
    bRe[0] = z[1];
    bIm[0] = 0;
    for (let k = 1; k < bins; k++) {
      const pr = z[2 * k],
        pi = z[2 * k + 1],
        qr = z[2 * (n - k)],
        qi = z[2 * (n - k) + 1];
      aRe[k] = 0.5 * (pr + qr);
      aIm[k] = 0.5 * (pi - qi);
      bRe[k] = 0.5 * (pi + qi);
      bIm[k] = 0.5 * (qr - pr);
    }
  }

  inversePair(aRe: Float64Array, aIm: Float64Array, bRe: Float64Array, bIm: Float64Array, x: Float64Array, y: Float64Array): void {
    const { n, bins, y: u, z } = this;
    checkLength('x', x, n);
    checkLength('y', y, n);
    // conj(U), U = X + iY over the full Hermitian spectra: x = Re(FFT(conj U))/n, y = -Im(FFT(conj U))/n.
    u[0] = aRe[0];
    u[1] = -bRe[0];
    for (let k = 1; k < bins; k++) {
      const xr = aRe[k],
        xi = aIm[k],
        yr = bRe[k],
        yi = bIm[k];
      u[2 * k] = xr - yi;
      u[2 * k + 1] = -(xi + yr);
      u[2 * (n - k)] = xr + yi;
      u[2 * (n - k) + 1] = xi - yr;
    }
    this.kernel.run(u, z);
    const scale = 1 / n;
    for (let j = 0; j < n; j++) {
      x[j] = z[2 * j] * scale;
      y[j] = -z[2 * j + 1] * scale;
    }
  }
}

const realPlans = new Map<number, RealFft>();
const complexPlans = new Map<number, ComplexFft>();

/** Real FFT plan for length n (any integer n >= 1), cached. */
export function getRealFft(n: number): RealFft {
  return cached(realPlans, n, (m) => (m % 2 === 0 ? new EvenRealPlan(m) : new OddRealPlan(m)));
}

/** Complex FFT plan for length n (any integer n >= 1), cached. */
export function getComplexFft(n: number): ComplexFft {
  return cached(complexPlans, n, (m) => new ComplexPlan(m));
}
