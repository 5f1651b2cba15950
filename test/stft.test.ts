import { describe, expect, it } from 'vitest';
import type { PhaseReference, Sided, WindowName, WindowSymmetry } from '../src/config/types.js';
import { binsFor, describeGaps, frameCountFor, geometryFromConfig, istft, outputRange, stft } from '../src/dsp/stft.js';
import { makeWindow } from '../src/dsp/windows.js';
import { snrDb, testSignal } from './helpers.js';

const WINDOWS: WindowName[] = ['hann', 'hamming', 'blackman', 'rectangular', 'sqrt-hann', 'cosine', 'kaiser-8', 'gaussian-12', 'tukey-0.5'];
const OVERLAPS = [0.5, 0.75, 0.875];
const REFS: PhaseReference[] = ['frame-start', 'window-centre', 'absolute-time'];
const SIDEDS: Sided[] = ['one', 'two', 'one-no-nyquist'];

function geom(over: Partial<Parameters<typeof geometryFromConfig>[0]> & { nfft: number; hop: number }) {
  return geometryFromConfig({
    sided: 'one',
    winLength: over.nfft,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    firstFrameStart: 0,
    padMode: 'zeros',
    phaseReference: 'frame-start',
    phaseSign: '+',
    gain: 1,
    ...over,
  });
}

describe('windows', () => {
  it('match scipy.signal.windows values (spot checks)', () => {
    // Values from scipy 1.x: hann(8, sym=False), hamming(5), blackman(6), kaiser(5, 8), tukey(7, 0.5), gaussian(5, 1.5),
    // cosine(5) and cosine(4, sym=False)
    const cases: [WindowName, number, WindowSymmetry, number[]][] = [
      ['hann', 8, 'periodic', [0, 0.14644660940672624, 0.5, 0.8535533905932737, 1, 0.8535533905932737, 0.5, 0.14644660940672624]],
      ['hamming', 5, 'symmetric', [0.08, 0.54, 1, 0.54, 0.08]],
      ['blackman', 6, 'symmetric', [0, 0.2007701432625305, 0.8492298567374694, 0.8492298567374694, 0.2007701432625305, 0]],
      ['kaiser-8', 5, 'symmetric', [0.002338830512733327, 0.36897272261583314, 1, 0.36897272261583314, 0.002338830512733327]],
      ['tukey-0.5', 7, 'symmetric', [0, 0.75, 1, 1, 1, 0.75, 0]],
      ['gaussian-1.5', 5, 'symmetric', [0.41111229050718745, 0.8007374029168081, 1, 0.8007374029168081, 0.41111229050718745]],
      ['cosine', 5, 'symmetric', [0.30901699437494745, 0.8090169943749475, 1, 0.8090169943749476, 0.30901699437494756]],
      ['cosine', 4, 'periodic', [0.30901699437494745, 0.8090169943749475, 1, 0.8090169943749476]],
    ];
    for (const [name, n, sym, want] of cases) {
      const w = makeWindow(name, n, sym);
      for (let i = 0; i < n; i++) expect(w[i], `${name}[${i}]`).toBeCloseTo(want[i], 12);
    }
  });
});

describe('STFT/ISTFT round trip (float64)', () => {
  let cases = 0;
  let worst = Infinity;
  it('reaches >= 120 dB for every window × symmetry × overlap × centre × phase reference × sided', () => {
    const x = testSignal(1500, 7);
    for (const window of WINDOWS)
      for (const windowSymmetry of ['periodic', 'symmetric'] as WindowSymmetry[])
        for (const ov of OVERLAPS)
          for (const center of [false, true])
            for (const phaseReference of REFS)
              for (const sided of SIDEDS) {
                // Vary nfft across cases: powers of two, non-powers, odd (not for the no-Nyquist layout).
                const sizes = sided === 'one-no-nyquist' ? [64, 96] : [64, 96, 63];
                const nfft = sizes[cases % sizes.length];
                const hop = Math.max(1, Math.round(nfft * (1 - ov)));
                const g = geom({ nfft, hop, window, windowSymmetry, sided, phaseReference, firstFrameStart: center ? -Math.floor(nfft / 2) : 0 });
                const X = stft(x, g);
                expect(X.bins).toBe(binsFor(nfft, sided));
                const range = outputRange(g, X.frames, null);
                const r = istft(X, g, range);
                const gaps = new Set<number>();
                for (const gp of r.gaps) for (let i = gp.start; i < gp.end; i++) gaps.add(i);
                // A dropped Nyquist bin is restored by consistency, which a rectangular window cannot pin.
                if (sided === 'one-no-nyquist' && window === 'rectangular') continue;
                const snr = snrDb(x.subarray(range.start, range.end), r.signal, (i) => gaps.has(i + range.start));
                worst = Math.min(worst, snr);
                expect(snr, `${window}/${windowSymmetry} ov=${ov} center=${center} ${phaseReference} ${sided} nfft=${nfft}`).toBeGreaterThan(120);
                cases++;
              }
    console.log(`round trip: ${cases} cases, worst SNR ${worst.toFixed(1)} dB`);
  });

  it('uses the exact transform for non-power-of-two sizes (400, 441, 1000, 1023)', () => {
    const x = testSignal(12000, 3);
    for (const nfft of [400, 441, 1000, 1023]) {
      const g = geom({ nfft, hop: Math.floor(nfft / 4), firstFrameStart: -Math.floor(nfft / 2), padMode: 'reflect' });
      const X = stft(x, g);
      // The signal's length: the last covered sample lies under the window's zero end (a one-sample gap).
      const range = outputRange(g, X.frames, x.length);
      const r = istft(X, g, range);
      expect(r.gaps).toEqual([]);
      expect(snrDb(x.subarray(0, range.end), r.signal)).toBeGreaterThan(120);
    }
  });

  it('honours the phase reference conventions exactly', () => {
    const x = testSignal(512, 5);
    const base = stft(x, geom({ nfft: 64, hop: 16 }));
    const wc = stft(x, geom({ nfft: 64, hop: 16, phaseReference: 'window-centre' }));
    const abs = stft(x, geom({ nfft: 64, hop: 16, phaseReference: 'absolute-time' }));
    const conj = stft(x, geom({ nfft: 64, hop: 16, phaseSign: '-' }));
    for (let m = 0; m < base.frames; m += 5)
      for (let k = 0; k < base.bins; k += 3) {
        const i = m * base.bins + k;
        // window-centre with winLength = nfft (even) is a (-1)^k ramp.
        const s = k % 2 ? -1 : 1;
        expect(wc.re[i]).toBeCloseTo(s * base.re[i], 10);
        expect(wc.im[i]).toBeCloseTo(s * base.im[i], 10);
        // absolute-time: e^{-2πi k m hop / nfft}
        const a = (-2 * Math.PI * k * m * 16) / 64;
        expect(abs.re[i]).toBeCloseTo(base.re[i] * Math.cos(a) - base.im[i] * Math.sin(a), 10);
        expect(abs.im[i]).toBeCloseTo(base.re[i] * Math.sin(a) + base.im[i] * Math.cos(a), 10);
        expect(conj.im[i]).toBeCloseTo(-base.im[i], 12);
      }
  });

  it('matches numpy conventions: frame m, bin k = sum_n w[n] x[start+n] e^{-2πi k n/N}', () => {
    const x = testSignal(300, 9);
    const nfft = 50;
    const g = geom({ nfft, hop: 20, window: 'hamming', windowSymmetry: 'symmetric', winLength: 40, windowPlacement: 'centred', firstFrameStart: 0 });
    const X = stft(x, g);
    const w = makeWindow('hamming', 40, 'symmetric');
    for (const [m, k] of [
      [0, 0],
      [3, 7],
      [10, 25],
    ]) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < nfft; n++) {
        const wn = n >= 5 && n < 45 ? w[n - 5] : 0;
        const v = wn * x[m * 20 + n];
        re += v * Math.cos((-2 * Math.PI * k * n) / nfft);
        im += v * Math.sin((-2 * Math.PI * k * n) / nfft);
      }
      expect(X.re[m * X.bins + k]).toBeCloseTo(re, 10);
      expect(X.im[m * X.bins + k]).toBeCloseTo(im, 10);
    }
  });

  it('reports where NOLA fails instead of dividing by ~0', () => {
    // Hann with hop = nfft leaves the frame edges uncovered.
    const x = testSignal(1024, 2);
    const g = geom({ nfft: 64, hop: 64, windowSymmetry: 'symmetric' });
    const X = stft(x, g);
    const r = istft(X, g, outputRange(g, X.frames, null));
    expect(r.gaps.length).toBeGreaterThan(10);
    expect(r.gaps[0]).toEqual({ start: 0, end: 1 });
    expect(describeGaps(r.gaps)).toMatch(/not covered by the window envelope \(NOLA fails\) at 0, 63-64/);
    for (const gp of r.gaps) for (let i = gp.start; i < gp.end; i++) expect(r.signal[i]).toBe(0);
  });

  it('counts frames like librosa (centre) and like an uncentred maker', () => {
    expect(frameCountFor(22050, { nfft: 2048, hop: 512, firstFrameStart: -1024 })).toBe(1 + Math.floor(22050 / 512));
    expect(frameCountFor(1000, { nfft: 256, hop: 128, firstFrameStart: 0 })).toBe(1 + Math.floor((1000 - 256) / 128));
  });
});

describe('conjugated phase under every reference', () => {
  it('stft then istft round-trips with phaseSign "-" for frame-start, window-centre (off-centre window) and absolute-time', () => {
    const x = testSignal(1200, 4);
    for (const phaseReference of REFS) {
      const g = geom({ nfft: 64, hop: 16, phaseReference, phaseSign: '-', winLength: 50, windowPlacement: 'start' });
      const X = stft(x, g);
      const range = outputRange(g, X.frames, null);
      const r = istft(X, g, range);
      const gaps = new Set<number>();
      for (const gp of r.gaps) for (let i = gp.start; i < gp.end; i++) gaps.add(i);
      expect(
        snrDb(x.subarray(range.start, range.end), r.signal, (i) => gaps.has(i)),
        phaseReference,
      ).toBeGreaterThan(120);
      // Definition: stored = conj(referenced spectrum).
      const plus = stft(x, { ...g, phaseSign: '+' });
      for (let i = 0; i < X.re.length; i += 7) {
        expect(X.re[i]).toBeCloseTo(plus.re[i], 12);
        expect(X.im[i]).toBeCloseTo(-plus.im[i], 12);
      }
    }
  });
});
