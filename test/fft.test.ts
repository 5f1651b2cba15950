import { describe, it, expect } from 'vitest';
import { getRealFft, getComplexFft } from '../src/dsp/fft.js';
import { bluesteinSize, isDirectSize, unitRoot } from '../src/dsp/fft-complex.js';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArray(n: number, next: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * next() - 1;
  return a;
}

/** cos/sin of 2 pi m / n for m = 0..n-1, from the argument m/n directly (index reduced mod n). */
function rootTable(n: number): { c: Float64Array; s: Float64Array } {
  const c = new Float64Array(n);
  const s = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    c[m] = Math.cos((2 * Math.PI * m) / n);
    s[m] = Math.sin((2 * Math.PI * m) / n);
  }
  return { c, s };
}

/** Direct O(n^2) DFT with sign -1 (forward) or +1 (unscaled inverse); j*k is reduced mod n. */
function directDft(
  re: Float64Array,
  im: Float64Array,
  sign: number,
  outLen: number,
  t: { c: Float64Array; s: Float64Array },
): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const oRe = new Float64Array(outLen);
  const oIm = new Float64Array(outLen);
  for (let k = 0; k < outLen; k++) {
    let sr = 0;
    let si = 0;
    let m = 0;
    for (let j = 0; j < n; j++) {
      const c = t.c[m],
        s = sign * t.s[m];
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
      m += k;
      if (m >= n) m -= n;
    }
    oRe[k] = sr;
    oIm[k] = si;
  }
  return { re: oRe, im: oIm };
}

/** Bitwise-equal contents (vitest's toEqual on typed arrays costs milliseconds per call). */
function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** max |a - b| / max |b| over both components. */
function relErr(aRe: Float64Array, aIm: Float64Array | null, bRe: Float64Array, bIm: Float64Array | null, len: number): number {
  let err = 0;
  let ref = 0;
  for (let i = 0; i < len; i++) {
    err = Math.max(err, Math.abs(aRe[i] - bRe[i]));
    ref = Math.max(ref, Math.abs(bRe[i]));
    if (aIm && bIm) {
      err = Math.max(err, Math.abs(aIm[i] - bIm[i]));
      ref = Math.max(ref, Math.abs(bIm[i]));
    }
  }
  return ref === 0 ? err : err / ref;
}

/** Checks real forward, real inverse, round trip and the complex plan of size n against direct DFTs. */
function checkSize(n: number, next: () => number): { fwd: number; inv: number; trip: number; cplx: number } {
  const t = rootTable(n);
  const plan = getRealFft(n);
  const bins = plan.bins;
  expect(bins).toBe(Math.floor(n / 2) + 1);

  const x = randomArray(n, next);
  const xCopy = x.slice();
  const ref = directDft(x, new Float64Array(n), -1, bins, t);
  const outRe = new Float64Array(bins);
  const outIm = new Float64Array(bins);
  plan.forward(x, outRe, outIm);
  expect(same(x, xCopy), 'forward modified its input').toBe(true);
  const fwd = relErr(outRe, outIm, ref.re, ref.im, bins);

  // Random half spectrum (imag of DC/Nyquist set to junk that must be ignored), expanded by
  // Hermitian symmetry for the direct inverse.
  const hRe = randomArray(bins, next);
  const hIm = randomArray(bins, next);
  const fullRe = new Float64Array(n);
  const fullIm = new Float64Array(n);
  for (let k = 0; k < bins; k++) {
    const dropIm = k === 0 || (n % 2 === 0 && k === n / 2);
    fullRe[k] = hRe[k];
    fullIm[k] = dropIm ? 0 : hIm[k];
    if (k > 0) {
      fullRe[n - k] = hRe[k];
      fullIm[n - k] = dropIm ? 0 : -hIm[k];
    }
  }
  const invRef = directDft(fullRe, fullIm, 1, n, t);
  for (let j = 0; j < n; j++) invRef.re[j] /= n;
  const hReCopy = hRe.slice();
  const hImCopy = hIm.slice();
  const y = new Float64Array(n);
  plan.inverse(hRe, hIm, y);
  expect(same(hRe, hReCopy) && same(hIm, hImCopy), 'inverse modified its input').toBe(true);
  const inv = relErr(y, null, invRef.re, null, n);

  const back = new Float64Array(n);
  plan.inverse(outRe, outIm, back);
  const trip = relErr(back, null, x, null, n);

  const cRe = randomArray(n, next);
  const cIm = randomArray(n, next);
  const cRef = directDft(cRe, cIm, -1, n, t);
  const cp = getComplexFft(n);
  const wRe = cRe.slice();
  const wIm = cIm.slice();
  cp.forward(wRe, wIm);
  let cplx = relErr(wRe, wIm, cRef.re, cRef.im, n);
  cp.inverse(wRe, wIm);
  cplx = Math.max(cplx, relErr(wRe, wIm, cRe, cIm, n));
  return { fwd, inv, trip, cplx };
}

// Observed worst relative error is ~5e-15 (n = 8192); the bound below is 1000x looser than
// that and 1000x tighter than the 1e-9 the project needs.
describe('fft: exact against a direct DFT', () => {
  it('every n in 1..1100: forward, inverse, round trip, complex', () => {
    const next = rng(12345);
    for (let n = 1; n <= 1100; n++) {
      const r = checkSize(n, next);
      expect(r.fwd, `forward n=${n}`).toBeLessThan(1e-12);
      expect(r.inv, `inverse n=${n}`).toBeLessThan(1e-12);
      expect(r.cplx, `complex n=${n}`).toBeLessThan(1e-12);
      expect(r.trip, `round trip n=${n}`).toBeLessThan(1e-13);
    }
  });

  it('large sizes: powers of two, primes, Bluestein', () => {
    const next = rng(777);
    for (const n of [2048, 2042, 3000, 3904, 4096, 4099, 8192]) {
      const r = checkSize(n, next);
      expect(r.fwd, `forward n=${n}`).toBeLessThan(1e-12);
      expect(r.inv, `inverse n=${n}`).toBeLessThan(1e-12);
      expect(r.cplx, `complex n=${n}`).toBeLessThan(1e-12);
      expect(r.trip, `round trip n=${n}`).toBeLessThan(1e-13);
    }
  });
});

describe('fft: conventions and edge cases', () => {
  it('n = 1 is the identity', () => {
    const p = getRealFft(1);
    expect(p.bins).toBe(1);
    const re = new Float64Array(1);
    const im = new Float64Array(1);
    p.forward(Float64Array.of(3.5), re, im);
    expect([re[0], im[0]]).toEqual([3.5, 0]);
    const out = new Float64Array(1);
    p.inverse(Float64Array.of(-2), Float64Array.of(9), out);
    expect(out[0]).toBe(-2);
    const c = getComplexFft(1);
    const a = Float64Array.of(1.25);
    const b = Float64Array.of(-4);
    c.forward(a, b);
    c.inverse(a, b);
    expect([a[0], b[0]]).toEqual([1.25, -4]);
  });

  it('rejects invalid sizes and short buffers with RangeError', () => {
    for (const n of [0, -4, 2.5, NaN, Infinity]) {
      expect(() => getRealFft(n)).toThrow(RangeError);
      expect(() => getComplexFft(n)).toThrow(RangeError);
    }
    const p = getRealFft(16);
    expect(() => p.forward(new Float64Array(15), new Float64Array(9), new Float64Array(9))).toThrow(RangeError);
    expect(() => p.inverse(new Float64Array(8), new Float64Array(9), new Float64Array(16))).toThrow(RangeError);
  });

  it('accepts buffers longer than needed and leaves the excess alone', () => {
    const n = 400;
    const p = getRealFft(n);
    const x = randomArray(n + 5, rng(5));
    const re = new Float64Array(p.bins + 3).fill(7);
    const im = new Float64Array(p.bins + 3).fill(7);
    p.forward(x, re, im);
    const exact = { re: new Float64Array(p.bins), im: new Float64Array(p.bins) };
    p.forward(x.subarray(0, n), exact.re, exact.im);
    expect(same(re.subarray(0, p.bins), exact.re)).toBe(true);
    expect(Array.from(re.subarray(p.bins))).toEqual([7, 7, 7]);
    const y = new Float64Array(n + 2).fill(7);
    p.inverse(re, im, y);
    expect(y[n]).toBe(7);
    expect(relErr(y, null, x, null, n)).toBeLessThan(1e-13);
  });

  it('plans are cached per n', () => {
    expect(getRealFft(1000)).toBe(getRealFft(1000));
    expect(getComplexFft(441)).toBe(getComplexFft(441));
  });

  it('inverse ignores the imaginary parts of DC and Nyquist', () => {
    for (const n of [16, 400, 441, 1021, 2042]) {
      const p = getRealFft(n);
      const next = rng(n);
      const re = randomArray(p.bins, next);
      const im = randomArray(p.bins, next);
      const a = new Float64Array(n);
      p.inverse(re, im, a);
      im[0] = 123;
      if (n % 2 === 0) im[n / 2] = -77;
      const b = new Float64Array(n);
      p.inverse(re, im, b);
      expect(same(b, a)).toBe(true);
    }
  });

  it('real-input DC and Nyquist bins come out with zero imaginary part', () => {
    for (const n of [8, 400, 441, 1021, 4099]) {
      const p = getRealFft(n);
      const re = new Float64Array(p.bins);
      const im = new Float64Array(p.bins);
      p.forward(randomArray(n, rng(n)), re, im);
      expect(im[0]).toBe(0);
      if (n % 2 === 0) expect(im[n / 2]).toBe(0);
    }
  });

  it('impulse and pure tone land where the convention says', () => {
    const n = 1000;
    const p = getRealFft(n);
    const x = new Float64Array(n);
    x[1] = 1; // X[k] = e^{-2 pi i k / n}
    const re = new Float64Array(p.bins);
    const im = new Float64Array(p.bins);
    p.forward(x, re, im);
    expect(re[250]).toBeCloseTo(0, 14);
    expect(im[250]).toBeCloseTo(-1, 14);
    for (let j = 0; j < n; j++) x[j] = Math.cos((2 * Math.PI * 37 * j) / n);
    p.forward(x, re, im);
    expect(re[37]).toBeCloseTo(n / 2, 10);
    let other = 0;
    for (let k = 0; k < p.bins; k++) if (k !== 37) other = Math.max(other, Math.hypot(re[k], im[k]));
    expect(other).toBeLessThan(1e-10);
  });

  it('linearity and Parseval', () => {
    for (const n of [512, 441, 1000, 1021]) {
      const p = getRealFft(n);
      const next = rng(n + 1);
      const x = randomArray(n, next);
      const y = randomArray(n, next);
      const a = 0.7;
      const b = -1.9;
      const z = x.map((v, i) => a * v + b * y[i]);
      const spec = (s: Float64Array) => {
        const re = new Float64Array(p.bins);
        const im = new Float64Array(p.bins);
        p.forward(s, re, im);
        return { re, im };
      };
      const X = spec(x),
        Y = spec(y),
        Z = spec(z);
      let err = 0;
      for (let k = 0; k < p.bins; k++) {
        err = Math.max(err, Math.abs(Z.re[k] - (a * X.re[k] + b * Y.re[k])), Math.abs(Z.im[k] - (a * X.im[k] + b * Y.im[k])));
      }
      expect(err).toBeLessThan(1e-11);
      // sum x^2 = (1/n) sum over the full spectrum |X|^2; interior bins count twice.
      let energy = 0;
      for (let j = 0; j < n; j++) energy += x[j] * x[j];
      let spectral = 0;
      for (let k = 0; k < p.bins; k++) {
        const w = k === 0 || (n % 2 === 0 && k === n / 2) ? 1 : 2;
        spectral += w * (X.re[k] * X.re[k] + X.im[k] * X.im[k]);
      }
      expect(Math.abs(spectral / n - energy) / energy).toBeLessThan(1e-13);
    }
  });

  it('twiddles are exact at the axes and symmetric', () => {
    const cs = new Float64Array(2);
    unitRoot(3, 12, cs); // pi/2
    expect([cs[0], cs[1]]).toEqual([0, 1]);
    unitRoot(6, 12, cs); // pi
    expect([cs[0], cs[1]]).toEqual([-1, 0]);
    unitRoot(1021 * 3 + 5, 1021, cs);
    const a = [cs[0], cs[1]];
    unitRoot(1021 - 5, 1021, cs);
    expect([cs[0], -cs[1]]).toEqual(a);
  });

  it('size classification and Bluestein length', () => {
    expect(isDirectSize(1)).toBe(true);
    expect(isDirectSize(441)).toBe(true);
    expect(isDirectSize(1021)).toBe(false);
    for (const n of [53, 1021, 4099]) {
      const m = bluesteinSize(n);
      expect(m).toBeGreaterThanOrEqual(2 * n - 1);
      expect(m % 4).toBe(0);
    }
  });
});

describe('fft: paired real transforms', () => {
  it('forwardPair / inversePair match two single calls (odd n: one packed complex FFT)', () => {
    const next = rng(11);
    for (const n of [1, 2, 3, 7, 15, 254, 256, 401, 511, 2049]) {
      const f = getRealFft(n);
      const b = f.bins;
      const x = randomArray(n, next);
      const y = randomArray(n, next);
      const [ar, ai, br, bi, cr, ci, dr, di] = Array.from({ length: 8 }, () => new Float64Array(b));
      f.forward(x, ar, ai);
      f.forward(y, br, bi);
      f.forwardPair(x, y, cr, ci, dr, di);
      const tol = 1e-13 * n;
      for (let k = 0; k < b; k++) {
        expect(Math.abs(cr[k] - ar[k]) + Math.abs(ci[k] - ai[k]) + Math.abs(dr[k] - br[k]) + Math.abs(di[k] - bi[k])).toBeLessThan(tol);
      }
      // Not Hermitian-consistent on purpose: DC's imaginary part must be ignored by both paths.
      ai[0] = 3;
      bi[0] = -2;
      const [x1, y1, x2, y2] = Array.from({ length: 4 }, () => new Float64Array(n));
      f.inverse(ar, ai, x1);
      f.inverse(br, bi, y1);
      f.inversePair(ar, ai, br, bi, x2, y2);
      for (let j = 0; j < n; j++) expect(Math.abs(x2[j] - x1[j]) + Math.abs(y2[j] - y1[j])).toBeLessThan(1e-14 * n);
    }
  });
});
