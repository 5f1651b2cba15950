import type { Detrend } from '../config/types.js';
import type { StftGeometry } from './geometry.js';
import { OverlapAdd } from './overlap-add.js';

/**
 * The inverse of an STFT whose segments had a trend removed before windowing (scipy `detrend=
 * 'constant'` / `'linear'`): frame m's segment is y_m = w·(x_m − B·θ_m), B = [1] or [1, ramp], θ_m
 * unknown. Joint least squares in x and every θ_m: for fixed θ, x is the plain weighted overlap-add of
 * the restored segments y_m + w·B·θ_m; eliminating x leaves a banded system in θ (a frame couples only
 * with the frames it overlaps), solved by banded Cholesky. Frame segments arrive in order and only
 * O(frames) numbers are kept, so a long export streams: one pass to solve θ, one to synthesise.
 *
 * x + c (linear: x + c + d·i) fits the data exactly as well as x: the segment means (slopes) took that
 * away. The answer returned is the minimum-norm one: zero mean (and no slope) over the covered samples.
 */

/** Trend unknowns per frame. */
export function trendOrder(detrend: Detrend): number {
  return detrend === 'linear' ? 2 : detrend === 'constant' ? 1 : 0;
}

/**
 * The trend shapes as they appear in a windowed segment: w·1 and w·(n − centre)/nfft (any straight
 * line spans the same plane; centring and scaling keep the normal equations well conditioned).
 */
export function trendShapes(g: Pick<StftGeometry, 'nfft' | 'window' | 'windowCentre'>, detrend: Detrend): Float64Array[] {
  const shapes: Float64Array[] = [];
  for (let j = 0; j < trendOrder(detrend); j++) {
    shapes.push(g.window.map((w, n) => w * (j === 0 ? 1 : (n - g.windowCentre) / g.nfft)));
  }
  return shapes;
}

/** Σ w² below this fraction of its maximum is no coverage (as in OverlapAdd). */
const NOLA_RELATIVE_FLOOR = 1e-8;
/** A Cholesky pivot below this fraction of its diagonal is a direction the data does not see. */
const PIVOT_FLOOR = 1e-10;

export class TrendSolver {
  /** Unknowns per frame (1 constant, 2 linear). */
  readonly order: number;
  /** w·b_j: the trend shapes as they appear in a segment (b_0 = 1, b_1 = (n − centre)/nfft). */
  readonly shapes: Float64Array[];
  private readonly w2b: Float64Array[];
  private readonly rhs: Float64Array;
  private readonly ola: OverlapAdd;
  private readonly span: { start: number; end: number };
  private readonly envFloor: number;
  private readonly reach: number;
  /** Moments of the plain overlap-add over covered samples: Σ x, Σ t·x (t centred in the span). */
  private sx = 0;
  private stx = 0;

  constructor(
    private readonly g: StftGeometry,
    detrend: Detrend,
    private readonly frames: number,
  ) {
    const { nfft, window: w } = g;
    this.order = trendOrder(detrend);
    this.shapes = trendShapes(g, detrend);
    this.w2b = this.shapes.map((s) => s.map((v, n) => v * w[n]));
    this.rhs = new Float64Array(frames * this.order);
    this.reach = Math.max(0, Math.ceil(nfft / g.hop) - 1);
    this.span = { start: g.firstFrameStart, end: g.firstFrameStart + Math.max(0, frames - 1) * g.hop + nfft };
    // The interior envelope is periodic in hop; its peak sets the floor for "no coverage".
    let maxEnv = 0;
    for (let p = 0; p < g.hop; p++) {
      let e = 0;
      for (let n = p; n < nfft; n += g.hop) e += w[n] * w[n];
      maxEnv = Math.max(maxEnv, e);
    }
    this.envFloor = maxEnv * NOLA_RELATIVE_FLOOR;
    this.ola = new OverlapAdd(g, this.span.start, this.span.end, (s, chunk) => this.collect(s, chunk));
  }

  /** Pass 1: frame m's segment (as IFFT gives it), frames in order. */
  add(m: number, y: Float64Array): void {
    const o = m * this.order;
    for (let j = 0; j < this.order; j++) {
      const s = this.shapes[j];
      let a = 0;
      for (let n = 0; n < y.length; n++) a += s[n] * y[n];
      this.rhs[o + j] -= a;
    }
    this.ola.add(m, y);
  }

  /** After every frame was added: θ (frame-major, `order` per frame), the minimum-norm solution. */
  solve(): Float64Array {
    this.ola.end();
    const theta = solveBanded(this.normalMatrix(), this.rhs, this.frames * this.order, (this.reach + 1) * this.order - 1, this.order);
    this.centre(theta);
    return theta;
  }

  /** Pass 2: restore frame m's segment in place, y += w·B·θ_m (then overlap-add it as usual). */
  restore(m: number, y: Float64Array, theta: Float64Array): void {
    for (let j = 0; j < this.order; j++) {
      const t = theta[m * this.order + j];
      const s = this.shapes[j];
      for (let n = 0; n < y.length; n++) y[n] += t * s[n];
    }
  }

  /** Σ w² at original index i over the frames present. */
  private envelope(i: number): number {
    const { nfft, hop, window: w } = this.g;
    const d = i - this.g.firstFrameStart;
    const lo = Math.max(0, Math.floor((d - nfft) / hop) + 1);
    const hi = Math.min(this.frames - 1, Math.floor(d / hop));
    let e = 0;
    for (let m = lo; m <= hi; m++) e += w[d - m * hop] ** 2;
    return e;
  }

  /** Finished overlap-add samples: their share of each covering frame's right-hand side and the moments. */
  private collect(start: number, chunk: Float64Array): void {
    const { nfft, hop, firstFrameStart: f0 } = this.g;
    const mid = (this.span.start + this.span.end - 1) / 2;
    for (let c = 0; c < chunk.length; c++) {
      const i = start + c;
      const x = chunk[c];
      if (x === 0) continue;
      const d = i - f0;
      const lo = Math.max(0, Math.floor((d - nfft) / hop) + 1);
      const hi = Math.min(this.frames - 1, Math.floor(d / hop));
      for (let m = lo; m <= hi; m++) for (let j = 0; j < this.order; j++) this.rhs[m * this.order + j] += this.w2b[j][d - m * hop] * x;
      this.sx += x;
      this.stx += (i - mid) * x;
    }
  }

  /** Lower band of the reduced normal matrix S = G − Σ_i (w²b)(w²b)ᵀ / D[i] (frame pairs up to `reach` apart). */
  private normalMatrix(): Float64Array {
    const { nfft, hop } = this.g;
    const p = this.order;
    const bw = (this.reach + 1) * p - 1;
    const band = new Float64Array(this.frames * p * (bw + 1));
    const interior = new Map<number, Float64Array>();
    for (let m = 0; m < this.frames; m++) {
      for (let d = 0; d <= this.reach && m + d < this.frames; d++) {
        // Away from both ends the envelope is periodic: the block depends on d only.
        const inside = m >= this.reach && m + d + this.reach < this.frames;
        let block = inside ? interior.get(d) : undefined;
        if (!block) {
          block = new Float64Array(p * p);
          const s0 = this.g.firstFrameStart + m * hop;
          for (let n = d * hop; n < nfft; n++) {
            const env = this.envelope(s0 + n);
            if (!(env > this.envFloor)) continue;
            for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) block[j * p + l] -= (this.w2b[j][n] * this.w2b[l][n - d * hop]) / env;
          }
          if (d === 0) {
            for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) for (let n = 0; n < nfft; n++) block[j * p + l] += this.shapes[j][n] * this.shapes[l][n];
          }
          if (inside) interior.set(d, block);
        }
        // Entry (row u = (m+d)p + l, column v = mp + j), kept where u ≥ v.
        for (let j = 0; j < p; j++) {
          for (let l = 0; l < p; l++) {
            const u = (m + d) * p + l;
            const v = m * p + j;
            if (u >= v) band[u * (bw + 1) + (u - v)] = block[j * p + l];
          }
        }
      }
    }
    return band;
  }

  /** Move θ along the unobservable directions so that x has zero mean (and no slope) over the covered samples. */
  private centre(theta: Float64Array): void {
    const { nfft, hop, firstFrameStart: f0 } = this.g;
    const mid = (this.span.start + this.span.end - 1) / 2;
    let n0 = 0;
    let st = 0;
    let stt = 0;
    let sx = this.sx;
    let stx = this.stx;
    for (let i = this.span.start; i < this.span.end; i++) {
      const env = this.envelope(i);
      if (!(env > this.envFloor)) continue;
      const d = i - f0;
      const lo = Math.max(0, Math.floor((d - nfft) / hop) + 1);
      const hi = Math.min(this.frames - 1, Math.floor(d / hop));
      let corr = 0;
      for (let m = lo; m <= hi; m++) for (let j = 0; j < this.order; j++) corr += theta[m * this.order + j] * this.w2b[j][d - m * hop];
      corr /= env;
      const t = i - mid;
      n0++;
      st += t;
      stt += t * t;
      sx += corr;
      stx += t * corr;
    }
    if (n0 === 0) return;
    // Solve [n0 st; st stt]·[a; b] = −[Σx; Σt·x] (constant: b = 0), then x += a + b·t through θ.
    let a: number;
    let b = 0;
    const det = n0 * stt - st * st;
    if (this.order === 2 && det > 0) {
      a = (-sx * stt + stx * st) / det;
      b = (-stx * n0 + sx * st) / det;
    } else a = -sx / n0;
    for (let m = 0; m < this.frames; m++) {
      const o = m * this.order;
      theta[o] += a + b * (f0 + m * hop + this.g.windowCentre - mid);
      if (this.order === 2) theta[o + 1] += b * nfft;
    }
  }
}

/**
 * Solve S·θ = r for a symmetric positive semi-definite banded S (lower band, `bw` below the diagonal),
 * with the first `pinned` unknowns fixed at 0 (they carry the directions no data sees) and any other
 * direction without support (a pivot at round-off) set to 0 as well.
 */
function solveBanded(band: Float64Array, r: Float64Array, n: number, bw: number, pinned: number): Float64Array {
  const W = bw + 1;
  const L = new Float64Array(n * W);
  const live = new Uint8Array(n);
  for (let i = pinned; i < n; i++) {
    for (let j = Math.max(pinned, i - bw); j <= i; j++) {
      let s = band[i * W + (i - j)];
      for (let k = Math.max(pinned, i - bw); k < j; k++) s -= L[i * W + (i - k)] * L[j * W + (j - k)];
      if (j === i) {
        const ok = s > PIVOT_FLOOR * Math.abs(band[i * W]);
        live[i] = ok ? 1 : 0;
        L[i * W] = ok ? Math.sqrt(s) : 0;
      } else L[i * W + (i - j)] = live[j] ? s / L[j * W] : 0;
    }
  }
  const z = new Float64Array(n);
  for (let i = pinned; i < n; i++) {
    if (!live[i]) continue;
    let s = r[i];
    for (let k = Math.max(pinned, i - bw); k < i; k++) s -= L[i * W + (i - k)] * z[k];
    z[i] = s / L[i * W];
  }
  for (let i = n - 1; i >= pinned; i--) {
    if (!live[i]) continue;
    let s = z[i];
    for (let k = i + 1; k <= Math.min(n - 1, i + bw); k++) s -= L[k * W + (k - i)] * z[k];
    z[i] = s / L[i * W];
  }
  return z;
}
