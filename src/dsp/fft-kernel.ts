/** Complex DFT kernels: the interface they share and the exact roots of unity they are built from. */

/** Out-of-place forward complex DFT of a fixed length on interleaved data. */
export interface ComplexKernel {
  readonly n: number;
  /** Reads src[0..2n), writes dst[0..2n). src is never modified and must not alias dst. */
  run(src: Float64Array, dst: Float64Array): void;
}

/**
 * Largest prime handled by the generic odd-radix butterfly (its cost grows like p per sample);
 * lengths with a larger prime factor go through Bluestein. Measured crossover: p ~ 50..70
 * (n = p, 8p, 16p).
 */
export const MAX_DIRECT_PRIME = 61;

/**
 * cos and sin of 2*pi*m/N into out[0], out[1]. The angle is reduced to the first octant with
 * integer arithmetic, so no rounding of 2*pi*m/N for large m leaks in, and the axes
 * (sin(pi), cos(pi/2), ...) come out as exact zeros.
 */
export function unitRoot(m: number, N: number, out: Float64Array): void {
  // angle = (pi/4) * q / N with q = 8m mod 8N: an exact integer while 8N < 2^53.
  let q = (8 * m) % (8 * N);
  let sinSign = 1;
  let cosSign = 1;
  if (q > 4 * N) {
    q = 8 * N - q; // theta -> 2 pi - theta
    sinSign = -1;
  }
  if (q > 2 * N) {
    q = 4 * N - q; // theta -> pi - theta
    cosSign = -1;
  }
  let swap = false;
  if (q > N) {
    q = 2 * N - q; // theta -> pi/2 - theta
    swap = true;
  }
  const theta = (Math.PI / 4) * (q / N);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  out[0] = cosSign * (swap ? s : c);
  out[1] = sinSign * (swap ? c : s);
}

/** Prime factors of n in ascending order, with multiplicity. */
export function primeFactors(n: number): number[] {
  const f: number[] = [];
  let r = n;
  for (let p = 2; p * p <= r; p += p === 2 ? 1 : 2) {
    while (r % p === 0) {
      f.push(p);
      r /= p;
    }
  }
  if (r > 1) f.push(r);
  return f;
}

/** True when the mixed-radix kernel handles n directly (no prime factor above MAX_DIRECT_PRIME). */
export function isDirectSize(n: number): boolean {
  const f = primeFactors(n);
  return f.length === 0 || f[f.length - 1] <= MAX_DIRECT_PRIME;
}
