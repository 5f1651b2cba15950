import { type ComplexKernel, primeFactors, unitRoot } from './fft-kernel.js';
import { first2, first4, first8, radix4, radix8 } from './fft-butterflies.js';
import { radix3, radix5, radix7, radixGeneric } from './fft-butterflies-odd.js';

/** The mixed-radix decimation-in-time FFT for lengths whose prime factors are all <= MAX_DIRECT_PRIME. */

/**
 * Radices in pass order (the first pass has L = 1 and no twiddles). The first pass takes the
 * largest power of two it can (8, else 4 or 2) because it is fused with the digit-reversal
 * gather; the remaining twos go in radix-4 passes, with one radix-8 pass for an odd count
 * (measured faster than all-radix-8 or all-radix-4 at 128..4096).
 */
function stageRadices(n: number): number[] {
  const f = primeFactors(n);
  const twos = f.filter((p) => p === 2).length;
  const odd = f.filter((p) => p !== 2).reverse();
  const pow2: number[] = [];
  if (twos === 4) pow2.push(4, 4);
  else if (twos < 3) {
    if (twos > 0) pow2.push(1 << twos);
  } else {
    pow2.push(8);
    let rest = twos - 3;
    if (rest % 2 === 1) {
      pow2.push(8);
      rest -= 3;
    }
    for (let i = 0; i < rest / 2; i++) pow2.push(4);
  }
  return [...pow2.slice(0, 1), ...odd, ...pow2.slice(1)];
}

/**
 * Mixed-radix digit reversal for DIT: the last pass (radix r_s) splits x into r_s decimated
 * sequences x[j + r_s m], stored as contiguous blocks; recurse into each block.
 */
function digitReversal(n: number, radices: number[]): Int32Array {
  const perm = new Int32Array(n);
  const fill = (offset: number, start: number, stride: number, level: number, len: number): void => {
    if (level < 0) {
      perm[offset] = start;
      return;
    }
    const r = radices[level];
    const sub = len / r;
    for (let j = 0; j < r; j++) fill(offset + j * sub, start + j * stride, stride * r, level - 1, sub);
  };
  fill(0, 0, 1, radices.length - 1, n);
  return perm;
}

/** One butterfly pass: radix r joining sub-transforms of length L. */
interface Stage {
  readonly radix: number;
  readonly L: number;
  /** Twiddle w_{rL}^{jk} (forward sign) at 2*(k*(r-1) + j-1), interleaved. */
  readonly tw: Float64Array;
  /** Generic radix only: cos/sin of 2 pi m / r at 2m, 2m+1. */
  readonly roots: Float64Array;
}

export class MixedRadixKernel implements ComplexKernel {
  readonly n: number;
  private readonly first: number;
  /**
   * Fused first pass (radix 2, 4 or 8): source index of each first-pass butterfly's input 0;
   * its other inputs follow at strides of n/first. Otherwise the full permutation.
   */
  private readonly gather: Int32Array;
  private readonly stages: Stage[];
  /** Scratch of the generic-radix butterfly. */
  private readonly g: Float64Array;

  constructor(n: number) {
    this.n = n;
    const radices = stageRadices(n);
    this.first = radices.length > 0 ? radices[0] : 1;
    const perm = digitReversal(n, radices);
    const fused = this.first === 2 || this.first === 4 || this.first === 8;
    this.gather = fused ? perm.filter((_, p) => p % this.first === 0) : perm;
    const cs = new Float64Array(2);
    this.stages = [];
    let L = 1;
    let maxGeneric = 0;
    for (const r of radices) {
      const N = L * r;
      const tw = new Float64Array(2 * L * (r - 1));
      for (let k = 0; k < L; k++) {
        for (let j = 1; j < r; j++) {
          unitRoot(j * k, N, cs);
          tw[2 * (k * (r - 1) + j - 1)] = cs[0];
          tw[2 * (k * (r - 1) + j - 1) + 1] = -cs[1];
        }
      }
      const generic = r > 8;
      const roots = new Float64Array(generic ? 2 * r : 0);
      if (generic) {
        maxGeneric = Math.max(maxGeneric, r);
        for (let m = 0; m < r; m++) {
          unitRoot(m, r, cs);
          roots[2 * m] = cs[0];
          roots[2 * m + 1] = cs[1];
        }
      }
      this.stages.push({ radix: r, L, tw, roots });
      L = N;
    }
    this.g = new Float64Array(2 * maxGeneric);
    if (fused) this.stages.shift();
  }

  run(src: Float64Array, dst: Float64Array): void {
    const n = this.n;
    const gather = this.gather;
    if (this.first === 8) first8(src, dst, gather, n >> 3);
    else if (this.first === 4) first4(src, dst, gather, n >> 2);
    else if (this.first === 2) first2(src, dst, gather, n >> 1);
    else {
      for (let p = 0; p < n; p++) {
        const s = 2 * gather[p];
        dst[2 * p] = src[s];
        dst[2 * p + 1] = src[s + 1];
      }
    }
    for (const st of this.stages) {
      switch (st.radix) {
        case 8:
          radix8(dst, n, st.L, st.tw);
          break;
        case 4:
          radix4(dst, n, st.L, st.tw);
          break;
        case 3:
          radix3(dst, n, st.L, st.tw);
          break;
        case 5:
          radix5(dst, n, st.L, st.tw);
          break;
        case 7:
          radix7(dst, n, st.L, st.tw);
          break;
        default:
          radixGeneric(dst, n, st.radix, st.L, st.tw, st.roots, this.g);
      }
    }
  }
}
