import { trendOrder } from '../dsp/detrend.js';
import type { StftGeometry } from '../dsp/stft.js';

/**
 * How much two overlapping segments of one STFT disagree about the samples they share: frame p's
 * segment at n + shift and frame m's at n (m = p + lag, shift = lag·hop) both hold w·w'·x there once
 * each is weighted by the other's window, so the relative squared difference is round-off for a true
 * STFT. When the maker removed a trend from every segment (g.detrend), the two differ by w·w'·(a + b·n)
 * for some a, b: that part is projected out before measuring, so only what no trend explains counts.
 */
export class PairMismatch {
  private readonly order: number;
  /** Per shift: the trend directions v_j = w[n]·w[n+shift]·n^j over the overlap, and their Gram inverse. */
  private readonly cache = new Map<number, { v: Float64Array[]; inv: Float64Array }>();

  constructor(private readonly g: StftGeometry) {
    this.order = trendOrder(g.detrend ?? 'none');
  }

  /**
   * Relative squared mismatch of segments `prev` (earlier frame) and `cur` sharing nfft − shift samples;
   * NaN when what they share weighs no more than `floor` (both silent there: round-off against round-off).
   */
  ratio(prev: Float64Array, po: number, cur: Float64Array, co: number, shift: number, floor = 0): number {
    const { nfft, window: w } = this.g;
    const len = nfft - shift;
    const dirs = this.order > 0 ? this.directions(shift) : null;
    const r = [0, 0];
    let num = 0;
    let den = 0;
    for (let n = 0; n < len; n++) {
      const a = prev[po + n + shift] * w[n];
      const b = cur[co + n] * w[n + shift];
      const e = a - b;
      num += e * e;
      den += a * a + b * b;
      if (dirs) for (let j = 0; j < this.order; j++) r[j] += e * dirs.v[j][n];
    }
    if (!(den > floor)) return NaN;
    if (dirs) {
      // Least-squares trend part of the difference: rᵀ·G⁻¹·r.
      const q = this.order;
      let explained = 0;
      for (let j = 0; j < q; j++) for (let l = 0; l < q; l++) explained += r[j] * dirs.inv[j * q + l] * r[l];
      num = Math.max(0, num - explained);
    }
    return num / den;
  }

  private directions(shift: number): { v: Float64Array[]; inv: Float64Array } {
    let d = this.cache.get(shift);
    if (d) return d;
    const { nfft, window: w } = this.g;
    const len = nfft - shift;
    const v: Float64Array[] = [];
    for (let j = 0; j < this.order; j++) v.push(Float64Array.from({ length: len }, (_, n) => w[n] * w[n + shift] * (j === 0 ? 1 : (n - len / 2) / nfft)));
    const gram = v.flatMap((a) => v.map((b) => a.reduce((s, x, n) => s + x * b[n], 0)));
    const inv = new Float64Array(this.order * this.order);
    if (this.order === 1) inv[0] = gram[0] > 0 ? 1 / gram[0] : 0;
    else {
      const det = gram[0] * gram[3] - gram[1] * gram[2];
      if (det > 0) {
        inv[0] = gram[3] / det;
        inv[1] = -gram[1] / det;
        inv[2] = -gram[2] / det;
        inv[3] = gram[0] / det;
      }
    }
    d = { v, inv };
    this.cache.set(shift, d);
    return d;
  }
}
