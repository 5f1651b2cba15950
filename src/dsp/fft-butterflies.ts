/**
 * The butterflies of the mixed-radix FFT (fft-mixed-radix.ts) on interleaved data: fused first passes
 * (radix 8, 4, 2 with the digit-reversal gather), then radix 8 and 4 passes; the odd radices are in
 * fft-butterflies-odd.ts.
 */

const SQRT1_2 = Math.SQRT1_2;

// The radix-8 butterfly is written out in both functions below: V8 does not inline a helper
// this large, and an out-of-line call would box its 16 double arguments.

/** Digit-reversal gather fused with the twiddle-free first radix-8 pass. */
export function first8(src: Float64Array, d: Float64Array, base: Int32Array, q: number): void {
  const q2 = 2 * q;
  for (let i = 0, o = 0; i < base.length; i++, o += 16) {
    let s = 2 * base[i];
    const a0r = src[s],
      a0i = src[s + 1];
    s += q2;
    const a1r = src[s],
      a1i = src[s + 1];
    s += q2;
    const a2r = src[s],
      a2i = src[s + 1];
    s += q2;
    const a3r = src[s],
      a3i = src[s + 1];
    s += q2;
    const a4r = src[s],
      a4i = src[s + 1];
    s += q2;
    const a5r = src[s],
      a5i = src[s + 1];
    s += q2;
    const a6r = src[s],
      a6i = src[s + 1];
    s += q2;
    const a7r = src[s],
      a7i = src[s + 1];
    // Even half E = DFT4(a0, a2, a4, a6), odd half O = DFT4(a1, a3, a5, a7).
    let t0r = a0r + a4r,
      t0i = a0i + a4i,
      t1r = a0r - a4r,
      t1i = a0i - a4i;
    let t2r = a2r + a6r,
      t2i = a2i + a6i,
      t3r = a2r - a6r,
      t3i = a2i - a6i;
    const e0r = t0r + t2r,
      e0i = t0i + t2i,
      e2r = t0r - t2r,
      e2i = t0i - t2i;
    const e1r = t1r + t3i,
      e1i = t1i - t3r,
      e3r = t1r - t3i,
      e3i = t1i + t3r;
    t0r = a1r + a5r;
    t0i = a1i + a5i;
    t1r = a1r - a5r;
    t1i = a1i - a5i;
    t2r = a3r + a7r;
    t2i = a3i + a7i;
    t3r = a3r - a7r;
    t3i = a3i - a7i;
    const o0r = t0r + t2r,
      o0i = t0i + t2i,
      o2r = t0r - t2r,
      o2i = t0i - t2i;
    const u1r = t1r + t3i,
      u1i = t1i - t3r,
      u3r = t1r - t3i,
      u3i = t1i + t3r;
    // X_q = E_q + w8^q O_q, X_{q+4} = E_q - w8^q O_q; w8 = (1 - i)/sqrt2, w8^2 = -i, w8^3 = -(1 + i)/sqrt2.
    const o1r = SQRT1_2 * (u1r + u1i),
      o1i = SQRT1_2 * (u1i - u1r);
    const o3r = SQRT1_2 * (u3i - u3r),
      o3i = -SQRT1_2 * (u3r + u3i);
    d[o] = e0r + o0r;
    d[o + 1] = e0i + o0i;
    d[o + 2] = e1r + o1r;
    d[o + 3] = e1i + o1i;
    d[o + 4] = e2r + o2i;
    d[o + 5] = e2i - o2r;
    d[o + 6] = e3r + o3r;
    d[o + 7] = e3i + o3i;
    d[o + 8] = e0r - o0r;
    d[o + 9] = e0i - o0i;
    d[o + 10] = e1r - o1r;
    d[o + 11] = e1i - o1i;
    d[o + 12] = e2r - o2i;
    d[o + 13] = e2i + o2r;
    d[o + 14] = e3r - o3r;
    d[o + 15] = e3i - o3i;
  }
}

export function radix8(d: Float64Array, n: number, L: number, tw: Float64Array): void {
  const L2 = 2 * L;
  for (let b = 0; b < 2 * n; b += 8 * L2) {
    for (let k = 0, t = 0; k < L; k++, t += 14) {
      const i0 = b + 2 * k,
        i1 = i0 + L2,
        i2 = i1 + L2,
        i3 = i2 + L2;
      const i4 = i3 + L2,
        i5 = i4 + L2,
        i6 = i5 + L2,
        i7 = i6 + L2;
      const a0r = d[i0],
        a0i = d[i0 + 1];
      let xr = d[i1],
        xi = d[i1 + 1],
        wr = tw[t],
        wi = tw[t + 1];
      const a1r = xr * wr - xi * wi,
        a1i = xr * wi + xi * wr;
      xr = d[i2];
      xi = d[i2 + 1];
      wr = tw[t + 2];
      wi = tw[t + 3];
      const a2r = xr * wr - xi * wi,
        a2i = xr * wi + xi * wr;
      xr = d[i3];
      xi = d[i3 + 1];
      wr = tw[t + 4];
      wi = tw[t + 5];
      const a3r = xr * wr - xi * wi,
        a3i = xr * wi + xi * wr;
      xr = d[i4];
      xi = d[i4 + 1];
      wr = tw[t + 6];
      wi = tw[t + 7];
      const a4r = xr * wr - xi * wi,
        a4i = xr * wi + xi * wr;
      xr = d[i5];
      xi = d[i5 + 1];
      wr = tw[t + 8];
      wi = tw[t + 9];
      const a5r = xr * wr - xi * wi,
        a5i = xr * wi + xi * wr;
      xr = d[i6];
      xi = d[i6 + 1];
      wr = tw[t + 10];
      wi = tw[t + 11];
      const a6r = xr * wr - xi * wi,
        a6i = xr * wi + xi * wr;
      xr = d[i7];
      xi = d[i7 + 1];
      wr = tw[t + 12];
      wi = tw[t + 13];
      const a7r = xr * wr - xi * wi,
        a7i = xr * wi + xi * wr;
      // Even half E = DFT4(a0, a2, a4, a6), odd half O = DFT4(a1, a3, a5, a7).
      let t0r = a0r + a4r,
        t0i = a0i + a4i,
        t1r = a0r - a4r,
        t1i = a0i - a4i;
      let t2r = a2r + a6r,
        t2i = a2i + a6i,
        t3r = a2r - a6r,
        t3i = a2i - a6i;
      const e0r = t0r + t2r,
        e0i = t0i + t2i,
        e2r = t0r - t2r,
        e2i = t0i - t2i;
      const e1r = t1r + t3i,
        e1i = t1i - t3r,
        e3r = t1r - t3i,
        e3i = t1i + t3r;
      t0r = a1r + a5r;
      t0i = a1i + a5i;
      t1r = a1r - a5r;
      t1i = a1i - a5i;
      t2r = a3r + a7r;
      t2i = a3i + a7i;
      t3r = a3r - a7r;
      t3i = a3i - a7i;
      const o0r = t0r + t2r,
        o0i = t0i + t2i,
        o2r = t0r - t2r,
        o2i = t0i - t2i;
      const u1r = t1r + t3i,
        u1i = t1i - t3r,
        u3r = t1r - t3i,
        u3i = t1i + t3r;
      // X_q = E_q + w8^q O_q, X_{q+4} = E_q - w8^q O_q; w8 = (1 - i)/sqrt2, w8^2 = -i, w8^3 = -(1 + i)/sqrt2.
      const o1r = SQRT1_2 * (u1r + u1i),
        o1i = SQRT1_2 * (u1i - u1r);
      const o3r = SQRT1_2 * (u3i - u3r),
        o3i = -SQRT1_2 * (u3r + u3i);
      d[i0] = e0r + o0r;
      d[i0 + 1] = e0i + o0i;
      d[i1] = e1r + o1r;
      d[i1 + 1] = e1i + o1i;
      d[i2] = e2r + o2i;
      d[i2 + 1] = e2i - o2r;
      d[i3] = e3r + o3r;
      d[i3 + 1] = e3i + o3i;
      d[i4] = e0r - o0r;
      d[i4 + 1] = e0i - o0i;
      d[i5] = e1r - o1r;
      d[i5 + 1] = e1i - o1i;
      d[i6] = e2r - o2i;
      d[i6 + 1] = e2i + o2r;
      d[i7] = e3r - o3r;
      d[i7 + 1] = e3i - o3i;
    }
  }
}

/** Digit-reversal gather fused with the twiddle-free first radix-4 pass. */
export function first4(src: Float64Array, d: Float64Array, base: Int32Array, q: number): void {
  const q2 = 2 * q;
  for (let i = 0, o = 0; i < base.length; i++, o += 8) {
    const s0 = 2 * base[i],
      s1 = s0 + q2,
      s2 = s1 + q2,
      s3 = s2 + q2;
    const a0r = src[s0],
      a0i = src[s0 + 1],
      a1r = src[s1],
      a1i = src[s1 + 1];
    const a2r = src[s2],
      a2i = src[s2 + 1],
      a3r = src[s3],
      a3i = src[s3 + 1];
    const t0r = a0r + a2r,
      t0i = a0i + a2i,
      t1r = a0r - a2r,
      t1i = a0i - a2i;
    const t2r = a1r + a3r,
      t2i = a1i + a3i,
      t3r = a1r - a3r,
      t3i = a1i - a3i;
    d[o] = t0r + t2r;
    d[o + 1] = t0i + t2i;
    d[o + 2] = t1r + t3i;
    d[o + 3] = t1i - t3r;
    d[o + 4] = t0r - t2r;
    d[o + 5] = t0i - t2i;
    d[o + 6] = t1r - t3i;
    d[o + 7] = t1i + t3r;
  }
}

/** Digit-reversal gather fused with the twiddle-free first radix-2 pass. */
export function first2(src: Float64Array, d: Float64Array, base: Int32Array, q: number): void {
  const q2 = 2 * q;
  for (let i = 0, o = 0; i < base.length; i++, o += 4) {
    const s0 = 2 * base[i],
      s1 = s0 + q2;
    const ar = src[s0],
      ai = src[s0 + 1],
      br = src[s1],
      bi = src[s1 + 1];
    d[o] = ar + br;
    d[o + 1] = ai + bi;
    d[o + 2] = ar - br;
    d[o + 3] = ai - bi;
  }
}

export function radix4(d: Float64Array, n: number, L: number, tw: Float64Array): void {
  const L2 = 2 * L;
  for (let b = 0; b < 2 * n; b += 4 * L2) {
    for (let k = 0, t = 0; k < L; k++, t += 6) {
      const i0 = b + 2 * k,
        i1 = i0 + L2,
        i2 = i1 + L2,
        i3 = i2 + L2;
      const a0r = d[i0],
        a0i = d[i0 + 1];
      let xr = d[i1],
        xi = d[i1 + 1],
        wr = tw[t],
        wi = tw[t + 1];
      const a1r = xr * wr - xi * wi,
        a1i = xr * wi + xi * wr;
      xr = d[i2];
      xi = d[i2 + 1];
      wr = tw[t + 2];
      wi = tw[t + 3];
      const a2r = xr * wr - xi * wi,
        a2i = xr * wi + xi * wr;
      xr = d[i3];
      xi = d[i3 + 1];
      wr = tw[t + 4];
      wi = tw[t + 5];
      const a3r = xr * wr - xi * wi,
        a3i = xr * wi + xi * wr;
      const t0r = a0r + a2r,
        t0i = a0i + a2i,
        t1r = a0r - a2r,
        t1i = a0i - a2i;
      const t2r = a1r + a3r,
        t2i = a1i + a3i,
        t3r = a1r - a3r,
        t3i = a1i - a3i;
      // X1 = t1 - i t3 and X3 = t1 + i t3: the forward quarter turn is -i.
      d[i0] = t0r + t2r;
      d[i0 + 1] = t0i + t2i;
      d[i1] = t1r + t3i;
      d[i1 + 1] = t1i - t3r;
      d[i2] = t0r - t2r;
      d[i2 + 1] = t0i - t2i;
      d[i3] = t1r - t3i;
      d[i3 + 1] = t1i + t3r;
    }
  }
}
