import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeConfig } from '../src/config/parse.js';
import { reconstruct } from '../src/export/index.js';
import { readWav } from './helpers.js';
import { trendOrder } from '../src/dsp/detrend.js';
import { geometryFromConfig, istft } from '../src/dsp/stft.js';
import { detrendedStft, signal, snrUpToTrend } from './detrend-helpers.js';

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

/** The detrended inverse (src/dsp/detrend.ts) against segments detrended the way scipy does it. */
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

describe('export of a detrended STFT', () => {
  it('streams both passes over blocks of frames and writes the signal up to its mean (> 100 dB)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-detrend-export-'));
    try {
      const fields = { ...base, windowPlacement: 'centred', nfft: 128, hop: 32, winLength: 128, window: 'tukey-0.25', detrend: 'constant' } as const;
      const x = signal(128 + 399 * 32, 0.3);
      const X = detrendedStft(x, geometryFromConfig(fields), 128, 'constant');
      const n = X.frames * X.bins;
      const mag = new Float64Array(n);
      const ph = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        mag[i] = Math.hypot(X.re[i], X.im[i]);
        ph[i] = Math.atan2(X.im[i], X.re[i]);
      }
      writeFileSync(join(dir, 'm.f64'), mag);
      writeFileSync(join(dir, 'p.f64'), ph);
      const raw = { format: 'raw', dtype: 'float64', endian: 'little', headerBytes: 0, variable: null } as const;
      const config = completeConfig(
        {
          ...fields,
          magnitudeFile: raw,
          phaseFile: raw,
          layout: 'frame-major',
          frames: X.frames,
          bins: X.bins,
          center: false,
          magnitudeScale: 'linear',
          phaseUnit: 'radians',
          dbFloor: null,
        },
        true,
        'test',
      );
      const out = join(dir, 'out.wav');
      const r = reconstruct(config, join(dir, 'm.f64'), join(dir, 'p.f64'), { output: out, bits: 32, normalize: 'none', force: true, parallel: true });
      expect(r.phaseUse).toBe('file');
      const y = readWav(out).samples;
      const inner = (v: Float64Array) => v.subarray(128, x.length - 128);
      expect(snrUpToTrend(inner(x), inner(y), 1)).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
