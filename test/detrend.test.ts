import { describe, expect, it } from 'vitest';
import type { Detrend } from '../src/config/types.js';
import { trendOrder } from '../src/dsp/detrend.js';
import { FrameAnalyzer, geometryFromConfig, istft, type ComplexFrames, type StftGeometry } from '../src/dsp/stft.js';

/**
 * The detrended inverse (src/dsp/detrend.ts) against segments detrended the way scipy does it: the
 * segment's mean (or least-squares line) over the window support is removed before windowing.
 */
function detrendedStft(x: Float64Array, g: StftGeometry, winLength: number, detrend: Detrend): ComplexFrames {
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

function signal(n: number, offset: number): Float64Array {
  let s = 7;
  return Float64Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return offset + 0.3 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 0.71 + 1) + 0.05 * (s / 2147483648 - 0.5);
  });
}

/** SNR (dB) of y against x after removing from both their mean (and linear fit): what detrending leaves unobservable. */
function snrUpToTrend(x: Float64Array, y: Float64Array, order: number): number {
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

const base = {
  sided: 'one',
  windowPlacement: 'start',
  windowSymmetry: 'periodic',
  firstFrameStart: 0,
  padMode: 'none',
  phaseReference: 'frame-start',
  phaseSign: '+',
  gain: 1,
} as const;

describe('detrended ISTFT', () => {
  const cases = [
    { name: 'scipy.signal.spectrogram defaults (tukey 256/224, constant)', nfft: 256, winLength: 256, hop: 224, window: 'tukey-0.25', detrend: 'constant' },
    { name: 'tukey 128/32, constant', nfft: 128, winLength: 128, hop: 32, window: 'tukey-0.25', detrend: 'constant' },
    { name: 'hamming 200 in 256, hop 50, linear', nfft: 256, winLength: 200, hop: 50, window: 'hamming', detrend: 'linear' },
    { name: 'hann 512/128, linear', nfft: 512, winLength: 512, hop: 128, window: 'hann', detrend: 'linear' },
  ] as const;
  for (const c of cases) {
    it(`recovers the signal up to the unobservable trend: ${c.name}`, () => {
      const g = geometryFromConfig({ ...base, nfft: c.nfft, hop: c.hop, winLength: c.winLength, window: c.window, detrend: c.detrend });
      const x = signal(c.nfft + 40 * c.hop, 0.25);
      const X = detrendedStft(x, g, c.winLength, c.detrend);
      const span = { start: 0, end: (X.frames - 1) * c.hop + c.nfft };
      const plain = istft(X, { ...g, detrend: 'none' }, span).signal;
      const fixed = istft(X, g, span);
      // Compared where the window covers (a zero window end leaves a sample no frame sees).
      const inner = (v: Float64Array) => v.subarray(c.nfft, span.end - c.nfft);
      const order = trendOrder(c.detrend);
      expect(snrUpToTrend(inner(x), inner(plain), order)).toBeLessThan(45);
      expect(snrUpToTrend(inner(x), inner(fixed.signal), order)).toBeGreaterThan(100);
      // The minimum-norm answer: zero mean over the covered samples.
      expect(Math.abs(fixed.signal.reduce((a, b) => a + b, 0) / fixed.signal.length)).toBeLessThan(1e-12);
    });
  }
});
