/** The odd-radix butterflies of the mixed-radix FFT (fft-mixed-radix.ts): radix 3, 5, 7 and a generic odd radix. */

const SIN_2PI_3 = Math.sqrt(3) / 2;

export function radix3(d: Float64Array, n: number, L: number, tw: Float64Array): void {
  const L2 = 2 * L;
  for (let b = 0; b < 2 * n; b += 3 * L2) {
    for (let k = 0, t = 0; k < L; k++, t += 4) {
      const i0 = b + 2 * k,
        i1 = i0 + L2,
        i2 = i1 + L2;
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
      const sr = a1r + a2r,
        si = a1i + a2i;
      const dr = SIN_2PI_3 * (a1r - a2r),
        di = SIN_2PI_3 * (a1i - a2i);
      const mr = a0r - 0.5 * sr,
        mi = a0i - 0.5 * si;
      d[i0] = a0r + sr;
      d[i0 + 1] = a0i + si;
      d[i1] = mr + di;
      d[i1 + 1] = mi - dr;
      d[i2] = mr - di;
      d[i2 + 1] = mi + dr;
    }
  }
}

const C1_5 = Math.cos((2 * Math.PI) / 5);
const C2_5 = Math.cos((4 * Math.PI) / 5);
const S1_5 = Math.sin((2 * Math.PI) / 5);
const S2_5 = Math.sin((4 * Math.PI) / 5);

export function radix5(d: Float64Array, n: number, L: number, tw: Float64Array): void {
  const L2 = 2 * L;
  for (let b = 0; b < 2 * n; b += 5 * L2) {
    for (let k = 0, t = 0; k < L; k++, t += 8) {
      const i0 = b + 2 * k,
        i1 = i0 + L2,
        i2 = i1 + L2,
        i3 = i2 + L2,
        i4 = i3 + L2;
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
      // Pairing j with 5-j: X_q = A_q - i B_q and X_{5-q} = A_q + i B_q.
      const s1r = a1r + a4r,
        s1i = a1i + a4i,
        d1r = a1r - a4r,
        d1i = a1i - a4i;
      const s2r = a2r + a3r,
        s2i = a2i + a3i,
        d2r = a2r - a3r,
        d2i = a2i - a3i;
      const A1r = a0r + C1_5 * s1r + C2_5 * s2r,
        A1i = a0i + C1_5 * s1i + C2_5 * s2i;
      const B1r = S1_5 * d1r + S2_5 * d2r,
        B1i = S1_5 * d1i + S2_5 * d2i;
      const A2r = a0r + C2_5 * s1r + C1_5 * s2r,
        A2i = a0i + C2_5 * s1i + C1_5 * s2i;
      const B2r = S2_5 * d1r - S1_5 * d2r,
        B2i = S2_5 * d1i - S1_5 * d2i;
      d[i0] = a0r + s1r + s2r;
      d[i0 + 1] = a0i + s1i + s2i;
      d[i1] = A1r + B1i;
      d[i1 + 1] = A1i - B1r;
      d[i4] = A1r - B1i;
      d[i4 + 1] = A1i + B1r;
      d[i2] = A2r + B2i;
      d[i2 + 1] = A2i - B2r;
      d[i3] = A2r - B2i;
      d[i3 + 1] = A2i + B2r;
    }
  }
}

const C1_7 = Math.cos((2 * Math.PI) / 7);
const C2_7 = Math.cos((4 * Math.PI) / 7);
const C3_7 = Math.cos((6 * Math.PI) / 7);
const S1_7 = Math.sin((2 * Math.PI) / 7);
const S2_7 = Math.sin((4 * Math.PI) / 7);
const S3_7 = Math.sin((6 * Math.PI) / 7);

/** Radix 7, unrolled: 44.1 kHz-derived sizes (441, 882, 1764) carry 7^2. Same pairing as radix 5. */
export function radix7(d: Float64Array, n: number, L: number, tw: Float64Array): void {
  const L2 = 2 * L;
  for (let b = 0; b < 2 * n; b += 7 * L2) {
    for (let k = 0, t = 0; k < L; k++, t += 12) {
      const i0 = b + 2 * k,
        i1 = i0 + L2,
        i2 = i1 + L2,
        i3 = i2 + L2,
        i4 = i3 + L2,
        i5 = i4 + L2,
        i6 = i5 + L2;
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
      const s1r = a1r + a6r,
        s1i = a1i + a6i,
        d1r = a1r - a6r,
        d1i = a1i - a6i;
      const s2r = a2r + a5r,
        s2i = a2i + a5i,
        d2r = a2r - a5r,
        d2i = a2i - a5i;
      const s3r = a3r + a4r,
        s3i = a3i + a4i,
        d3r = a3r - a4r,
        d3i = a3i - a4i;
      const A1r = a0r + C1_7 * s1r + C2_7 * s2r + C3_7 * s3r,
        A1i = a0i + C1_7 * s1i + C2_7 * s2i + C3_7 * s3i;
      const B1r = S1_7 * d1r + S2_7 * d2r + S3_7 * d3r,
        B1i = S1_7 * d1i + S2_7 * d2i + S3_7 * d3i;
      // q = 2: angles 4, 8 = -6, 12 = -2 (units of pi/7).
      const A2r = a0r + C2_7 * s1r + C3_7 * s2r + C1_7 * s3r,
        A2i = a0i + C2_7 * s1i + C3_7 * s2i + C1_7 * s3i;
      const B2r = S2_7 * d1r - S3_7 * d2r - S1_7 * d3r,
        B2i = S2_7 * d1i - S3_7 * d2i - S1_7 * d3i;
      // q = 3: angles 6, 12 = -2, 18 = 4 (units of pi/7).
      const A3r = a0r + C3_7 * s1r + C1_7 * s2r + C2_7 * s3r,
        A3i = a0i + C3_7 * s1i + C1_7 * s2i + C2_7 * s3i;
      const B3r = S3_7 * d1r - S1_7 * d2r + S2_7 * d3r,
        B3i = S3_7 * d1i - S1_7 * d2i + S2_7 * d3i;
      d[i0] = a0r + s1r + s2r + s3r;
      d[i0 + 1] = a0i + s1i + s2i + s3i;
      d[i1] = A1r + B1i;
      d[i1 + 1] = A1i - B1r;
      d[i6] = A1r - B1i;
      d[i6 + 1] = A1i + B1r;
      d[i2] = A2r + B2i;
      d[i2 + 1] = A2i - B2r;
      d[i5] = A2r - B2i;
      d[i5 + 1] = A2i + B2r;
      d[i3] = A3r + B3i;
      d[i3 + 1] = A3i - B3r;
      d[i4] = A3r - B3i;
      d[i4 + 1] = A3i + B3r;
    }
  }
}

/**
 * Odd prime radix p as a direct DFT over the pairs (j, p-j), which halves the multiplies.
 * g holds the twiddled pair sums at slot j and differences at slot p-j.
 */
export function radixGeneric(d: Float64Array, n: number, p: number, L: number, tw: Float64Array, roots: Float64Array, g: Float64Array): void {
  const L2 = 2 * L;
  const half = (p - 1) >> 1;
  for (let b = 0; b < 2 * n; b += p * L2) {
    for (let k = 0; k < L; k++) {
      const i0 = b + 2 * k;
      const t = 2 * k * (p - 1);
      const a0r = d[i0],
        a0i = d[i0 + 1];
      let x0r = a0r,
        x0i = a0i;
      for (let j = 1; j <= half; j++) {
        const ia = i0 + j * L2,
          ib = i0 + (p - j) * L2;
        const ta = t + 2 * (j - 1),
          tb = t + 2 * (p - j - 1);
        let xr = d[ia],
          xi = d[ia + 1],
          wr = tw[ta],
          wi = tw[ta + 1];
        const ar = xr * wr - xi * wi,
          ai = xr * wi + xi * wr;
        xr = d[ib];
        xi = d[ib + 1];
        wr = tw[tb];
        wi = tw[tb + 1];
        const br = xr * wr - xi * wi,
          bi = xr * wi + xi * wr;
        g[2 * j] = ar + br;
        g[2 * j + 1] = ai + bi;
        g[2 * (p - j)] = ar - br;
        g[2 * (p - j) + 1] = ai - bi;
        x0r += ar + br;
        x0i += ai + bi;
      }
      for (let q = 1; q <= half; q++) {
        let Ar = a0r,
          Ai = a0i,
          Br = 0,
          Bi = 0;
        let m = 0;
        for (let j = 1; j <= half; j++) {
          m += q;
          if (m >= p) m -= p;
          const c = roots[2 * m],
            s = roots[2 * m + 1];
          Ar += c * g[2 * j];
          Ai += c * g[2 * j + 1];
          Br += s * g[2 * (p - j)];
          Bi += s * g[2 * (p - j) + 1];
        }
        const iq = i0 + q * L2,
          ip = i0 + (p - q) * L2;
        d[iq] = Ar + Bi;
        d[iq + 1] = Ai - Br;
        d[ip] = Ar - Bi;
        d[ip + 1] = Ai + Br;
      }
      d[i0] = x0r;
      d[i0 + 1] = x0i;
    }
  }
}
