import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateWindow, windowImprint } from '../heuristics/window/index.js';
import { settleClassScales } from '../heuristics/window/class-scales.js';
import type { AnalyzerResult, Hypothesis } from '../heuristics/types.js';
import type { Evidence } from '../src/analysis/evidence.js';
import type {
  Dtype,
  Layout,
  MagnitudeScale,
  PartialStftConfig,
  PhaseReference,
  StftConfig,
  WindowName,
  WindowPlacement,
  WindowSymmetry,
} from '../src/config/types.js';
import { geometryFromConfig, istft, stft } from '../src/dsp/stft.js';
import { encodeValues } from '../src/io/dtype.js';
import { makeStftFiles } from '../src/synth/make.js';
import { demoSignal } from '../src/synth/signals.js';
import { gridCases } from './grid.js';
import { rng, testSignal } from './helpers.js';
import { bytesCase, fixedUpTo, synthCase, type SynthCase, testConfig, foreignWindowStft } from './synth-evidence.js';

/** The fields fixed before the transform stage: storage, shape, scale, floor, unit. */
const BEFORE: (keyof StftConfig)[] = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'];

function analyse(sc: SynthCase, extra: (keyof StftConfig)[] = []): AnalyzerResult {
  const fixed: PartialStftConfig = fixedUpTo(sc.config, [...BEFORE, ...extra]);
  expect(windowImprint.applies(sc.evidence, fixed)).toBe(true);
  return windowImprint.run(sc.evidence, fixed);
}

/** Run the analyzer on a case with the fields before the transform stage fixed (plus `extra`), then clean up. */
function runCase(over: Partial<StftConfig>, extra: (keyof StftConfig)[] = []): { r: AnalyzerResult; config: StftConfig } {
  const sc = synthCase(over);
  try {
    return { r: analyse(sc, extra), config: sc.config };
  } finally {
    sc.cleanup();
  }
}

/** The true values of the fields this analyzer decides. */
type Truth = Pick<StftConfig, 'nfft' | 'window' | 'winLength' | 'windowPlacement' | 'phaseReference' | 'windowSymmetry' | 'phaseSign'>;

/** A hypothesis agrees with the truth on window, length, placement, reference (and sign where it asserts one). */
const sameMain = (h: Hypothesis, t: Truth): boolean =>
  h.values.window === t.window &&
  // The sign is asserted only where the imprint's orientation decides it.
  (h.values.phaseSign === undefined || h.values.phaseSign === t.phaseSign) &&
  h.values.winLength === t.winLength &&
  h.values.phaseReference === t.phaseReference &&
  // A full-length window has no placement of its own (the analyzer reports 'centred'); a window-centre
  // roll hides the placement, which the analyzer then leaves open.
  (h.values.windowPlacement === t.windowPlacement ||
    t.winLength === t.nfft ||
    (h.values.windowPlacement === undefined && t.phaseReference === 'window-centre'));
const sameAll = (h: Hypothesis, t: Truth): boolean => sameMain(h, t) && h.values.windowSymmetry === t.windowSymmetry;

/**
 * Hypotheses tied for first: within 10 % of the top score (0.46 dB of prior cost in the search, nothing
 * against the tens of dB consistency puts between such readings). Readings the imprint cannot separate
 * (periodic vs symmetric gaussian, σ = L/6 vs the integer next to it) come out that close.
 */
function topTied(r: AnalyzerResult): Hypothesis[] {
  const top = r.hypotheses[0]?.score ?? 0;
  return r.hypotheses.filter((h) => h.score >= top * 0.9);
}

/**
 * The truth is among the hypotheses the search takes (the first 4, at least 2 % of the best score): the
 * symmetry bar, since consistency then separates periodic from symmetric by tens of dB.
 */
function offered(r: AnalyzerResult, t: Truth): boolean {
  const top = r.hypotheses[0]?.score ?? 0;
  return r.hypotheses.slice(0, 4).some((h) => h.score >= 0.02 * top && sameAll(h, t));
}

const describeTop = (r: AnalyzerResult): string =>
  r.hypotheses
    .slice(0, 3)
    .map(
      (h) =>
        `${h.values.windowSymmetry} ${h.values.window} ${h.values.winLength} ${h.values.windowPlacement ?? '(placement open)'} ${h.values.phaseReference}${h.values.phaseSign ?? ''} (${h.score.toFixed(3)})`,
    )
    .join(' | ') || `undecided: ${r.undecided}`;

const truthOf = (c: StftConfig): Truth => ({
  nfft: c.nfft,
  window: c.window,
  winLength: c.winLength,
  windowPlacement: c.windowPlacement,
  phaseReference: c.phaseReference,
  windowSymmetry: c.windowSymmetry,
  phaseSign: c.phaseSign,
});

function expectFirst(r: AnalyzerResult, c: StftConfig, label: string): void {
  expect(
    topTied(r).some((h) => sameAll(h, truthOf(c))),
    `${label}: ${describeTop(r)}`,
  ).toBe(true);
}

const WINDOWS = ['hann', 'hamming', 'blackman', 'rectangular', 'sqrt-hann', 'cosine', 'kaiser-8', 'gaussian', 'tukey-0.5'] as const;
const SYMMETRIES: WindowSymmetry[] = ['periodic', 'symmetric'];
const LENGTHS = ['full', 'short-centred', 'short-start'] as const;
const REFERENCES: PhaseReference[] = ['frame-start', 'window-centre'];
const NFFTS = [256, 400, 512, 1024];
/** Shorter windows makers use inside those frames (librosa win_length 400 in n_fft 512, 3/4 of the frame...). */
const SHORT: Record<number, number> = { 256: 200, 400: 300, 512: 400, 1024: 768 };
const HOP_DIVISORS = [2, 4, 8];
const DTYPES: Dtype[] = ['float32', 'float64'];
const LAYOUTS: Layout[] = ['frame-major', 'bin-major'];
const SCALES: [MagnitudeScale, number | null][] = [
  ['linear', null],
  ['db', null],
  // A librosa top_db-style floor 70-80 dB under the peak: those cells are unknown.
  ['db', -40],
];

describe('window-imprint analyzer: grid', () => {
  it('ranks the true window, length, placement and reference first on >= 95 % of the grid', () => {
    let n = 0;
    let mainHits = 0;
    let symHits = 0;
    let symOffered = 0;
    let strict = 0;
    let analysisMs = 0;
    const misses: string[] = [];
    const t0 = performance.now();
    for (const win of WINDOWS)
      for (const windowSymmetry of SYMMETRIES)
        for (const len of LENGTHS)
          for (const phaseReference of REFERENCES) {
            // Nuisance fields cycle with co-prime strides so they meet the decided ones in many combinations.
            const nfft = NFFTS[n % 4];
            const hop = nfft / HOP_DIVISORS[(n * 5 + 1) % 3];
            const center = n % 5 < 3;
            const [magnitudeScale, dbFloor] = SCALES[(n * 7) % 3];
            const dtype = DTYPES[Math.floor(n / 2) % 2];
            const winLength = len === 'full' ? nfft : SHORT[nfft];
            const windowPlacement: WindowPlacement = len === 'short-start' ? 'start' : 'centred';
            const window = (win === 'gaussian' ? `gaussian-${winLength / 6}` : win) as WindowName;
            const sc = synthCase({
              nfft,
              hop,
              winLength,
              windowPlacement,
              window,
              windowSymmetry,
              phaseReference,
              center,
              padMode: center ? 'zeros' : 'none',
              firstFrameStart: center ? -nfft / 2 : 0,
              layout: LAYOUTS[(n * 3) % 2 === 0 ? 0 : 1],
              // Conjugated phase on every seventh case, its sign left open: the imprint's orientation decides it.
              phaseSign: n % 7 === 3 ? '-' : '+',
              magnitudeScale,
              dbFloor,
              magnitudeFile: { format: 'raw', dtype, endian: 'little', headerBytes: 0, variable: null },
              phaseFile: { format: 'raw', dtype, endian: 'little', headerBytes: 0, variable: null },
            });
            const ta = performance.now();
            const r = analyse(sc);
            analysisMs += performance.now() - ta;
            const truth = truthOf(sc.config);
            sc.cleanup();
            n++;
            const tied = topTied(r);
            const main = tied.some((h) => sameMain(h, truth));
            const sym = tied.some((h) => sameAll(h, truth));
            if (main) mainHits++;
            if (sym) symHits++;
            if (offered(r, truth)) symOffered++;
            if (r.hypotheses.length > 0 && sameAll(r.hypotheses[0], truth)) strict++;
            if (!main || !sym)
              misses.push(
                `${windowSymmetry} ${window} ${winLength}/${nfft} ${windowPlacement} ${phaseReference} hop ${hop} ${magnitudeScale}${dbFloor ?? ''} -> ${describeTop(r)}`,
              );
          }
    const ms = performance.now() - t0;
    console.log(
      `window grid: ${n} cases, (window, winLength, placement, reference) ${((100 * mainHits) / n).toFixed(1)} %, ` +
        `symmetry first ${((100 * symHits) / n).toFixed(1)} %, offered to the search ${((100 * symOffered) / n).toFixed(1)} %, ` +
        `all fields strictly first ${((100 * strict) / n).toFixed(1)} %, ` +
        `${(ms / n).toFixed(0)} ms/case of which the analyzer ${(analysisMs / n).toFixed(0)} ms\n  ${misses.join('\n  ')}`,
    );
    expect(mainHits / n).toBeGreaterThanOrEqual(0.95);
    // Symmetry: see 'consistency decides the symmetry' below for why top-2 is the bar.
    expect(symHits / n).toBeGreaterThanOrEqual(0.85);
    expect(symOffered / n).toBeGreaterThanOrEqual(0.95);
  });
});

/** No confident answer: undecided, or every hypothesis at most 0.5. */
function expectNotConfident(r: AnalyzerResult, label: string): void {
  const top = r.hypotheses[0]?.score ?? 0;
  expect(top, `${label}: ${describeTop(r)}`).toBeLessThanOrEqual(0.5);
}

describe('window-imprint analyzer: wrong values do not outrank the truth', () => {
  it('other window families stay under 10 % of the true window, at every length offered', () => {
    const rows: string[] = [];
    for (const window of ['hann', 'hamming', 'blackman', 'sqrt-hann', 'kaiser-8', 'gaussian-64', 'tukey-0.5'] as WindowName[]) {
      const { r } = runCase({ nfft: 512, hop: 128, window });
      const family = (w: unknown): string => String(w).split('-')[0];
      const truth = Math.max(...r.hypotheses.filter((h) => h.values.window === window).map((h) => h.score));
      const other = Math.max(
        0,
        ...r.hypotheses.filter((h) => family(h.values.window) !== family(window) && h.values.window !== 'estimated').map((h) => h.score),
      );
      rows.push(`${window}: true ${truth.toFixed(3)}, best other family ${other.toFixed(4)}`);
      expect(other, `${window}: ${describeTop(r)}`).toBeLessThan(0.1 * truth);
    }
    console.log(`families:\n  ${rows.join('\n  ')}`);
  });
});

describe('window-imprint analyzer: the end-to-end grid', () => {
  /**
   * The shared e2e grid (test/grid.ts) crosses every field, including what this analyzer's grid leaves
   * out: odd nfft, hops that do not divide it, absolute-time references, conjugated phase, uint8 dB and
   * int16 phase storage, float16, headers, scipy's ÷Σw. Run with the convention open and with it fixed
   * (as after the hop/convention analyzer).
   */
  it('offers the truth to the search and is never confidently wrong', () => {
    let runs = 0;
    let first = 0;
    let offeredRuns = 0;
    const wrong: string[] = [];
    for (const g of gridCases(48)) {
      const sc = synthCase(g.config);
      try {
        for (const extra of [[], ['phaseSign', 'phaseReference', 'hop']] as (keyof StftConfig)[][]) {
          const r = windowImprint.run(sc.evidence, fixedUpTo(sc.config, [...BEFORE, ...extra]));
          const t = truthOf(sc.config);
          runs++;
          if (topTied(r).some((h) => sameAll(h, t))) first++;
          if (offered(r, t)) offeredRuns++;
          else if ((r.hypotheses[0]?.score ?? 0) > 0.5) wrong.push(`${g.name} fixed[${extra.join(',')}] -> ${describeTop(r)}`);
        }
      } finally {
        sc.cleanup();
      }
    }
    console.log(
      `e2e grid: ${runs} runs, first ${((100 * first) / runs).toFixed(1)} %, offered ${((100 * offeredRuns) / runs).toFixed(1)} %, confident wrong ${wrong.length}\n  ${wrong.join('\n  ')}`,
    );
    expect(offeredRuns / runs).toBeGreaterThanOrEqual(0.9);
    expect(wrong).toEqual([]);
  });
});

describe('window-imprint analyzer: other programs and conventions', () => {
  it('scipy ShortTimeFFT (window-centre reference, hann 512, first slice at −hop−nfft/2)', () => {
    const { r, config } = runCase({ nfft: 512, hop: 128, phaseReference: 'window-centre', firstFrameStart: -128 - 256, layout: 'bin-major' });
    expectFirst(r, config, 'ShortTimeFFT');
  });

  it('scipy stft (÷Σw, 256/128, bin-major, first frame at −nfft/2)', () => {
    const w = 128; // Σ of periodic hann 256
    const { r, config } = runCase({ nfft: 256, hop: 128, gain: 1 / w, layout: 'bin-major' });
    expectFirst(r, config, 'scipy stft');
  });

  it('librosa (win_length 400 centred in n_fft 512, bin-major, top_db floor)', () => {
    const { r, config } = runCase({ nfft: 512, hop: 128, winLength: 400, layout: 'bin-major', magnitudeScale: 'db', dbFloor: -30 });
    expectFirst(r, config, 'librosa');
  });

  it('MATLAB spectrogram (symmetric hamming, 50 % overlap, column-major float64, no padding)', () => {
    const f64 = { format: 'raw' as const, dtype: 'float64' as const, endian: 'little' as const, headerBytes: 0, variable: null };
    const { r, config } = runCase({
      nfft: 512,
      hop: 256,
      window: 'hamming',
      windowSymmetry: 'symmetric',
      center: false,
      padMode: 'none',
      firstFrameStart: 0,
      magnitudeFile: f64,
      phaseFile: f64,
    });
    expectFirst(r, config, 'MATLAB');
  });

  it('Octave specgram (256, symmetric hann, Nyquist bin dropped)', () => {
    const { r, config } = runCase({
      nfft: 256,
      hop: 128,
      windowSymmetry: 'symmetric',
      sided: 'one-no-nyquist',
      center: false,
      padMode: 'none',
      firstFrameStart: 0,
    });
    expectFirst(r, config, 'Octave');
  });

  it('torch.stft (400/160, reflect padding, two-sided)', () => {
    const { r, config } = runCase({ nfft: 400, hop: 160, padMode: 'reflect', sided: 'two', sampleRate: 16000 });
    expectFirst(r, config, 'torch');
  });

  it('absolute-time reference (LTFAT freqinv): un-drifted by the measured advance, or by a known hop', () => {
    for (const extra of [[], ['hop', 'phaseReference']] as (keyof StftConfig)[][]) {
      const { r, config } = runCase({ nfft: 512, hop: 128, window: 'blackman', phaseReference: 'absolute-time' }, extra);
      expectFirst(r, config, `absolute-time, fixed ${extra.join(',') || 'nothing'}`);
    }
  });

  it('conjugated phase once phaseSign is known', () => {
    const { r, config } = runCase({ nfft: 512, hop: 128, winLength: 400, windowPlacement: 'start', window: 'hamming', phaseSign: '-' }, ['phaseSign']);
    expectFirst(r, config, 'phaseSign -');
  });

  it('one complex64 file (numpy complex STFT written with tofile)', () => {
    const config = { ...testConfig({ nfft: 512, hop: 128, window: 'kaiser-8' }), frames: 0 };
    const x = demoSignal(22050, 2, 11);
    const X = stft(x, geometryFromConfig(config));
    const inter = new Float64Array(2 * X.re.length);
    for (let i = 0; i < X.re.length; i++) {
      inter[2 * i] = X.re[i];
      inter[2 * i + 1] = X.im[i];
    }
    const c = bytesCase(encodeValues(inter, 'complex64', 'little'), null);
    try {
      const fixed: PartialStftConfig = {
        ...fixedUpTo({ ...config, frames: X.frames } as StftConfig, BEFORE),
        magnitudeFile: { format: 'raw', dtype: 'complex64', endian: 'little', headerBytes: 0, variable: null },
        phaseFile: null,
      };
      expect(windowImprint.applies(c.evidence, fixed)).toBe(true);
      expectFirst(windowImprint.run(c.evidence, fixed), { ...config, frames: X.frames } as StftConfig, 'complex64');
    } finally {
      c.cleanup();
    }
  });

  it('does not apply without phase', () => {
    const sc = synthCase({ nfft: 256, hop: 64, phaseFile: null });
    try {
      expect(windowImprint.applies(sc.evidence, fixedUpTo(sc.config, BEFORE))).toBe(false);
    } finally {
      sc.cleanup();
    }
  });
});

describe('window-imprint analyzer: windows outside the vocabulary', () => {
  it("offers 'estimated' for a triangular window and estimateWindow measures it", () => {
    const { config, window: tri, made } = foreignWindowStft('triangular');
    const L = config.nfft;
    const c = bytesCase(made.magnitude, made.phase);
    try {
      const fixed = fixedUpTo(config, BEFORE);
      const r = windowImprint.run(c.evidence, fixed);
      const offeredEstimate = r.hypotheses.slice(0, 4).find((h) => h.values.window === 'estimated');
      console.log(`triangular: ${describeTop(r)}; estimated ${offeredEstimate ? offeredEstimate.score.toFixed(3) : 'not offered'}`);
      expect(offeredEstimate, describeTop(r)).toBeDefined();
      const w = estimateWindow(c.evidence, { ...fixed, ...offeredEstimate!.values });
      expect(w.length).toBe(L);
      let worst = 0;
      for (let i = 0; i < L; i++) worst = Math.max(worst, Math.abs(w[i] - tri[i]));
      console.log(`triangular: estimated window max error ${worst.toFixed(4)}`);
      expect(worst).toBeLessThan(0.05);
    } finally {
      c.cleanup();
    }
  });
});

/** A magnitude/phase pair of `frames` × `bins` float32 values from generators. */
function pairCase(frames: number, bins: number, mag: (i: number) => number, phase: (i: number) => number): { evidence: Evidence; cleanup(): void } {
  const n = frames * bins;
  const m = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = mag(i);
    p[i] = phase(i);
  }
  return bytesCase(encodeValues(m, 'float32', 'little'), encodeValues(p, 'float32', 'little'));
}

describe('window-imprint analyzer: inputs with no window in them', () => {
  const nfft = 512;
  const bins = nfft / 2 + 1;
  const frames = 200;
  const fixed: PartialStftConfig = fixedUpTo({ ...testConfig({ nfft, hop: 128 }), frames } as StftConfig, BEFORE);

  it('random phase with real magnitudes: low scores', () => {
    const sc = synthCase({ nfft, hop: 128 });
    const r0 = rng(5);
    const n = sc.config.frames * sc.config.bins;
    const phase = new Float64Array(n);
    for (let i = 0; i < n; i++) phase[i] = (r0() * 2 - 1) * Math.PI;
    const c = bytesCase(new Uint8Array(readFileSync(sc.magPath)), encodeValues(phase, 'float32', 'little'));
    try {
      const r = windowImprint.run(c.evidence, fixedUpTo(sc.config, BEFORE));
      console.log(`random phase: ${describeTop(r)}`);
      expectNotConfident(r, 'random phase');
    } finally {
      c.cleanup();
      sc.cleanup();
    }
  });

  it('noise magnitudes and noise phase: low scores', () => {
    const r0 = rng(9);
    const c = pairCase(
      frames,
      bins,
      () => r0(),
      () => (r0() * 2 - 1) * Math.PI,
    );
    try {
      const r = windowImprint.run(c.evidence, fixed);
      console.log(`noise: ${describeTop(r)}`);
      expectNotConfident(r, 'noise');
    } finally {
      c.cleanup();
    }
  });

  it('silence: undecided', () => {
    const c = pairCase(
      frames,
      bins,
      () => 0,
      () => 0,
    );
    try {
      const r = windowImprint.run(c.evidence, fixed);
      expect(r.hypotheses).toEqual([]);
      expect(r.undecided).toMatch(/usable frames/);
    } finally {
      c.cleanup();
    }
  });

  it('constant magnitude and phase: low scores', () => {
    const c = pairCase(
      frames,
      bins,
      () => 1,
      () => 0.3,
    );
    try {
      const r = windowImprint.run(c.evidence, fixed);
      console.log(`constant: ${describeTop(r)}`);
      expectNotConfident(r, 'constant');
    } finally {
      c.cleanup();
    }
  });

  it('tiny file (4 frames): undecided', () => {
    const t = fixedUpTo({ ...testConfig({ nfft, hop: 128 }), frames: 4 } as StftConfig, BEFORE);
    const x = testSignal(4 * 128 + 512, 3);
    const c0 = { ...testConfig({ nfft, hop: 128, center: false, padMode: 'none', firstFrameStart: 0 }), frames: 4 } as StftConfig;
    const made = makeStftFiles(x, c0);
    const c = bytesCase(made.magnitude, made.phase);
    try {
      const r = windowImprint.run(c.evidence, t);
      expect(r.hypotheses).toEqual([]);
      expect(r.undecided).toMatch(/only 4 usable frames/);
    } finally {
      c.cleanup();
    }
  });
});

describe('consistency decides the symmetry where the imprint cannot', () => {
  /**
   * Periodic and symmetric windows of one family differ by a half-sample shift and a 1/L stretch. For a
   * gaussian the shift is exactly a linear power trend across the frame (d/dn log w² is linear), which
   * the fit must absorb for real signals whose power drifts within a frame: the imprint then scores
   * both symmetries alike and offers both. The consistency ranking separates them: measured here.
   */
  it('symmetric instead of periodic is worse by > 20 dB of consistency', () => {
    const x = testSignal(16384, 4);
    const rows: string[] = [];
    for (const window of ['hann', 'hamming', 'blackman', 'kaiser-8', 'gaussian-170.66666666666666', 'tukey-0.5', 'sqrt-hann'] as WindowName[])
      for (const nfft of [1024, 512]) {
        const win = (window.startsWith('gaussian') ? `gaussian-${nfft / 6}` : window) as WindowName;
        const base = { ...testConfig({ nfft, hop: nfft / 4, window: win, center: false, padMode: 'none', firstFrameStart: 0 }) };
        const truth = geometryFromConfig(base);
        const X = stft(x, truth);
        const db = (symmetry: WindowSymmetry): number => {
          const g = geometryFromConfig({ ...base, windowSymmetry: symmetry });
          const range = { start: 0, end: (X.frames - 1) * g.hop + nfft };
          const Y = stft(istft(X, g, range).signal, g, X.frames);
          let err = 0;
          let energy = 0;
          for (let i = 0; i < X.re.length; i++) {
            err += (Y.re[i] - X.re[i]) ** 2 + (Y.im[i] - X.im[i]) ** 2;
            energy += X.re[i] ** 2 + X.im[i] ** 2;
          }
          return 10 * Math.log10(Math.max(err, 1e-300) / energy);
        };
        const right = db('periodic');
        const wrong = db('symmetric');
        rows.push(`${win} ${nfft}: periodic ${right.toFixed(1)} dB, symmetric ${wrong.toFixed(1)} dB`);
        expect(wrong - right, `${win} ${nfft}`).toBeGreaterThan(20);
      }
    console.log(`consistency, periodic truth:\n  ${rows.join('\n  ')}`);
  });
});

describe('the ratios overlapping frames fix pick the parameter the imprint cannot', () => {
  it('scipy.signal.stft(window=("kaiser", 8.6), nperseg=400, nfft=512) on speech: kaiser-8.6 of 400 at the frame start', () => {
    // The imprint of 40 frames of speech put Hann, Blackman and Kaiser 8.5 and 9 of 400 within a noise unit,
    // Blackman first (consistency -31 dB); the ratios w[i + 160] / w[i] meet Kaiser 8.6 to 2e-6 and
    // Blackman to 2e-3.
    const x = Float64Array.from(new Float32Array(readFileSync('test/fixtures/real/signals/cut16.f32').buffer)).subarray(0, 6400);
    const sc = synthCase(
      {
        nfft: 512,
        hop: 160,
        winLength: 400,
        windowPlacement: 'start',
        window: 'kaiser-8.6',
        windowSymmetry: 'periodic',
        firstFrameStart: -200,
        layout: 'bin-major',
        sampleRate: 16000,
      },
      x,
    );
    try {
      const r = analyse(sc, ['hop', 'phaseReference', 'phaseSign']);
      expect(r.hypotheses[0]?.values, describeTop(r)).toMatchObject({ window: 'kaiser-8.6', winLength: 400, windowPlacement: 'start' });
    } finally {
      sc.cleanup();
    }
  });
});

describe('lengths typed as durations', () => {
  // Periodic Hanns a sample or two apart fit one imprint within a few noise units; the length makers type
  // must reach the search, where consistency tells them apart by 80 dB: 40 ms at 44.1 kHz (1764), and
  // 25 ms as int(0.025 · 44100) (1102, which a rounding list would miss).
  for (const L of [1764, 1102]) {
    it(`torch win_length ${L} in n_fft 2048, hop 441 (44.1 kHz): offered among the near-tied lengths`, () => {
      const x = Float64Array.from(new Float32Array(readFileSync('test/fixtures/real/signals/speech16.f32').buffer));
      const sc = synthCase({ nfft: 2048, hop: 441, winLength: L, window: 'hann', windowSymmetry: 'periodic', sampleRate: 44100 }, x);
      try {
        const r = analyse(sc, ['hop']);
        const offered = r.hypotheses.slice(0, windowImprint.branches).map((h) => `${h.values.window} ${h.values.windowSymmetry} ${h.values.winLength}`);
        expect(offered, describeTop(r)).toContain(`hann periodic ${L}`);
      } finally {
        sc.cleanup();
      }
    });
  }
});

describe('near-zero tails', () => {
  it("torch.kaiser_window's β 12 over the full frame: kaiser-12 of 512 is offered, not a shorter Kaiser that hides its tails", () => {
    // Its tails (5e-5) sit under float32's noise in the imprint: a 500-sample Kaiser β 11 fits the coarse
    // grid better, and the full frame was not refined (export 37 dB under the measured window, 131 named).
    const { r } = runCase({ nfft: 512, hop: 128, window: 'kaiser-12', windowSymmetry: 'periodic', sampleRate: 16000 });
    expect(
      r.hypotheses.some((h) => h.values.window === 'kaiser-12' && h.values.winLength === 512 && h.values.windowSymmetry === 'periodic'),
      describeTop(r),
    ).toBe(true);
  });
});

/**
 * A measured window is exact within each residue class i mod hop and free by one scale per class;
 * settleClassScales takes the smoothness candidate of the window's own kind, and leaves the scales where
 * none fits. Exact chains (512/128) under scales off by up to 3 %, halves agreeing to 0.2 %.
 */
describe('class scales of a measured window', () => {
  const L = 512;
  const H = 128;
  function settle(f: (i: number) => number): { what: string | null; error: number; moved: boolean } {
    const r = rng(3);
    const truth = Float64Array.from({ length: L }, (_, i) => f(i));
    const scale = Float64Array.from({ length: H }, () => 1 + 0.03 * (2 * r() - 1));
    const w = truth.map((v, i) => v * scale[i % H]);
    const given = Float64Array.from(w);
    const halves = [0, 1].map(() => w.map((v) => v * (1 + 0.002 * (2 * r() - 1))));
    const what = settleClassScales(w, truth, given, halves, H);
    // Scales are relative: the error after the best common factor, where the window is not zero.
    const q = Array.from(w, (v, i) => v / truth[i]).filter((_, i) => truth[i] > 1e-6);
    const m = q.reduce((a, b) => a + b, 0) / q.length;
    return { what, error: Math.sqrt(q.reduce((a, b) => a + (b / m - 1) ** 2, 0) / q.length), moved: w.some((v, i) => v !== given[i]) };
  }

  it('straight between kinks (a triangle): the sparsest second differences, exact', () => {
    const r = settle((i) => 1 - Math.abs((2 * i - (L - 1)) / L));
    expect(r.what).toBe('least absolute 2nd differences');
    expect(r.error).toBeLessThan(1e-6);
  });

  it('smooth (Hann): fourth differences, 3 % scale errors brought under 0.1 %', () => {
    const r = settle((i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / L));
    expect(r.what).toMatch(/4th differences/);
    expect(r.error).toBeLessThan(1e-3);
  });

  it('a kink and curvature (exponential): no candidate fits, the scales stay', () => {
    for (const tau of [32, 64]) {
      const r = settle((i) => Math.exp(-Math.abs(i - L / 2) / tau));
      expect(r.what, `tau ${tau}`).toBeNull();
      expect(r.moved).toBe(false);
    }
  });
});
