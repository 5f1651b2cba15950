import { type ComplexKernel, unitRoot } from './fft-kernel.js';
import { MixedRadixKernel } from './fft-mixed-radix.js';

/** Bluestein's chirp-z algorithm: any length, through a mixed-radix FFT of a smooth size >= 2n-1. */

/** Smallest 2^a 3^b 5^c >= 2n-1 with a >= 2: radix 4 dominates, factors 3 and 5 trim the padding. */
export function bluesteinSize(n: number): number {
  const target = 2 * n - 1;
  let best = Infinity;
  for (let p5 = 4; p5 < 2 * target; p5 *= 5) {
    for (let p35 = p5; p35 < 2 * target; p35 *= 3) {
      let v = p35;
      while (v < target) v *= 2;
      best = Math.min(best, v);
    }
  }
  return best;
}

/**
 * Bluestein: jk = (j^2 + k^2 - (k-j)^2)/2 turns the DFT into a circular convolution of
 * length m >= 2n-1 with the chirp e^{+i pi l^2 / n}, done with two mixed-radix FFTs of size m.
 */
export class BluesteinKernel implements ComplexKernel {
  readonly n: number;
  private readonly m: number;
  private readonly sub: MixedRadixKernel;
  /** Chirp c_j = e^{-i pi j^2 / n}, interleaved. */
  private readonly chirp: Float64Array;
  /** FFT of the conjugate chirp, pre-scaled by 1/m for the inverse transform. */
  private readonly filter: Float64Array;
  /** Chirped input; entries past 2n stay zero for the plan's lifetime. */
  private readonly a: Float64Array;
  private readonly f: Float64Array;
  private readonly g: Float64Array;

  constructor(n: number) {
    this.n = n;
    const m = bluesteinSize(n);
    this.m = m;
    this.sub = new MixedRadixKernel(m);
    this.chirp = new Float64Array(2 * n);
    const cs = new Float64Array(2);
    // j^2 mod 2n by exact integer steps ((j+1)^2 = j^2 + 2j + 1), so no rounding accumulates.
    let sq = 0;
    for (let j = 0; j < n; j++) {
      unitRoot(sq, 2 * n, cs);
      this.chirp[2 * j] = cs[0];
      this.chirp[2 * j + 1] = -cs[1];
      sq = (sq + 2 * j + 1) % (2 * n);
    }
    const b = new Float64Array(2 * m);
    for (let j = 0; j < n; j++) {
      const br = this.chirp[2 * j] / m,
        bi = -this.chirp[2 * j + 1] / m;
      b[2 * j] = br;
      b[2 * j + 1] = bi;
      if (j > 0) {
        b[2 * (m - j)] = br;
        b[2 * (m - j) + 1] = bi;
      }
    }
    this.filter = new Float64Array(2 * m);
    this.sub.run(b, this.filter);
    this.a = new Float64Array(2 * m);
    this.f = new Float64Array(2 * m);
    this.g = new Float64Array(2 * m);
  }

  run(src: Float64Array, dst: Float64Array): void {
    const { chirp, a, f, g, filter } = this;
    const n2 = 2 * this.n;
    for (let j = 0; j < n2; j += 2) {
      const xr = src[j],
        xi = src[j + 1],
        cr = chirp[j],
        ci = chirp[j + 1];
      a[j] = xr * cr - xi * ci;
      a[j + 1] = xr * ci + xi * cr;
    }
    this.sub.run(a, f);
    // Multiply by the filter and conjugate, so the next forward FFT acts as the inverse.
    const m2 = 2 * this.m;
    for (let k = 0; k < m2; k += 2) {
      const fr = f[k],
        fi = f[k + 1],
        br = filter[k],
        bi = filter[k + 1];
      f[k] = fr * br - fi * bi;
      f[k + 1] = -(fr * bi + fi * br);
    }
    this.sub.run(f, g);
    for (let k = 0; k < n2; k += 2) {
      const gr = g[k],
        gi = -g[k + 1],
        cr = chirp[k],
        ci = chirp[k + 1];
      dst[k] = gr * cr - gi * ci;
      dst[k + 1] = gr * ci + gi * cr;
    }
  }
}
