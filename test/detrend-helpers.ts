import type { Detrend } from '../src/config/types.js';
import { trendOrder } from '../src/dsp/detrend.js';
import { FrameAnalyzer, type ComplexFrames, type StftGeometry } from '../src/dsp/stft.js';

/**
 * STFTs whose segments were detrended the way scipy does it (for the detrend tests): the
 * segment's mean (or least-squares line) over the window support is removed before windowing.
 */
export function detrendedStft(x: Float64Array, g: StftGeometry, winLength: number, detrend: Detrend): ComplexFrames {
  const frames = 1 + Math.floor((x.length - g.nfft) / g.hop);
  const ana = new FrameAnalyzer(g);
  const re = new Float64Array(frames * ana.bins);
  const im = new Float64Array(frames * ana.bins);
  const seg = new Float64Array(g.nfft);
  for (let m = 0; m < frames; m++) {
    const s = x.subarray(m * g.hop, m * g.hop + winLength);
    const n = s.length;
    const tm = (n - 1) / 2;
    let mean = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) mean += s[i] / n;
    if (detrend === 'linear') {
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        num += (i - tm) * s[i];
        den += (i - tm) ** 2;
      }
      slope = num / den;
    }
    seg.fill(0);
    for (let i = 0; i < n; i++) seg[i] = g.window[i] * (s[i] - (trendOrder(detrend) > 0 ? mean + slope * (i - tm) : 0));
    ana.analyze(m, seg, re, im, m * ana.bins);
  }
  return { frames, bins: ana.bins, re, im };
}

export function signal(n: number, offset: number): Float64Array {
  let s = 7;
  return Float64Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return offset + 0.3 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 0.71 + 1) + 0.05 * (s / 2147483648 - 0.5);
  });
}

/** SNR (dB) of y against x after removing from both their mean (and linear fit): what detrending leaves unobservable. */
export function snrUpToTrend(x: Float64Array, y: Float64Array, order: number): number {
  const strip = (v: Float64Array) => {
    const n = v.length;
    const tm = (n - 1) / 2;
    const mean = v.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += (i - tm) * v[i];
      den += (i - tm) ** 2;
    }
    const slope = order > 1 ? num / den : 0;
    return v.map((a, i) => a - mean - slope * (i - tm));
  };
  const a = strip(x);
  const b = strip(y);
  let s = 0;
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] ** 2;
    e += (a[i] - b[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}
