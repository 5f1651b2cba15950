import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';

/** Shared test utilities: a seeded PRNG, test signals and SNR. */

/** mulberry32: small, fast, seedable; tests must be reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Broadband test signal: a few chirps and tones plus a little noise; no silence anywhere. */
export function testSignal(length: number, seed = 1): Float64Array {
  const r = rng(seed);
  const x = new Float64Array(length);
  const f1 = 0.013 + 0.02 * r();
  const f2 = 0.11 + 0.1 * r();
  for (let i = 0; i < length; i++) {
    const t = i / length;
    x[i] =
      0.5 * Math.sin(2 * Math.PI * (f1 * i + 0.1 * t * i)) +
      0.3 * Math.sin(2 * Math.PI * f2 * i + 1) +
      0.2 * Math.sin(2 * Math.PI * 0.37 * i * (1 + 0.05 * t)) +
      0.05 * (r() - 0.5);
  }
  return x;
}

/** SNR in dB of `y` against reference `x` over [from, to), skipping listed gap samples. */
export function snrDb(x: ArrayLike<number>, y: ArrayLike<number>, skip?: (i: number) => boolean): number {
  let s = 0;
  let e = 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (skip?.(i)) continue;
    s += x[i] * x[i];
    const d = x[i] - y[i];
    e += d * d;
  }
  if (e === 0) return Infinity;
  return 10 * Math.log10(s / e);
}

/** Read a WAV with an independent library (wavefile), so our writer is checked by someone else's reader. */
export function readWav(path: string): { samples: Float64Array; sampleRate: number; bits: number } {
  const w = new wavefile.WaveFile(readFileSync(path));
  const fmt = w.fmt as { sampleRate: number; bitsPerSample: number };
  return { samples: w.getSamples(false, Float64Array) as unknown as Float64Array, sampleRate: fmt.sampleRate, bits: fmt.bitsPerSample };
}

/** Scale-invariant SNR in dB: the absolute gain of a file cannot always be recovered, the waveform can. */
export function siSnrDb(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let xy = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    yy += y[i] * y[i];
  }
  const a = yy > 0 ? xy / yy : 0;
  let s = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    e += (x[i] - a * y[i]) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}
