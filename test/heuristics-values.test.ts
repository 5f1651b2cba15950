import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { magnitudeScale } from '../heuristics/magnitude-scale/index.js';
import { localMinimumTail } from '../heuristics/magnitude-scale/local-minima.js';
import { phaseUnit } from '../heuristics/phase-unit/index.js';
import type { AnalyzerResult } from '../heuristics/types.js';
import { Evidence } from '../src/analysis/evidence.js';
import type { MagnitudeScale, PhaseUnit, RealDtype, StftConfig, WindowName } from '../src/config/types.js';
import { frameCountFor, geometryFromConfig, stft } from '../src/dsp/stft.js';
import { phaseUnitFactor } from '../src/decode/scales.js';
import { makeWindow } from '../src/dsp/windows.js';
import { decodeComponents, encodeValues } from '../src/io/dtype.js';
import { demoSignal } from '../src/synth/signals.js';
import { rng, testSignal } from './helpers.js';
import { bytesCase, fixedUpTo, rawStorage, rewritePhase, type SynthCase, synthCase, testConfig, unwrapTime } from './synth-evidence.js';

/**
 * The 'values' stage: magnitude-scale and phase-unit on generated grids crossed with nuisance fields
 * (window, hop, nfft, layout, sided, dtype, gain, signal), other programs' conventions, and inputs that
 * must not produce a confident answer.
 */

const MAG_NEEDS: (keyof StftConfig)[] = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided'];
const PHASE_NEEDS: (keyof StftConfig)[] = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout'];

const SR = 22050;
const signals = {
  demo: demoSignal(SR, 2, 11),
  chirps: testSignal(2 * SR, 3),
};
type SignalName = keyof typeof signals;

/** Peak |X| of the STFT synthCase would make (to place a dB floor at max − 80 or an offset). */
function peakMagnitude(over: Partial<StftConfig>, x: Float64Array): number {
  const c = testConfig(over);
  const g = geometryFromConfig(c);
  const X = stft(x, g, frameCountFor(x.length, g));
  let peak = 0;
  for (let i = 0; i < X.re.length; i++) peak = Math.max(peak, Math.hypot(X.re[i], X.im[i]));
  return peak;
}

function sumWindow(name: WindowName, n: number): number {
  return makeWindow(name, n, 'periodic').reduce((a, b) => a + b, 0);
}

/** Deterministic pick from a list. */
function picker(seed: number): <T>(xs: readonly T[]) => T {
  const r = rng(seed);
  return (xs) => xs[Math.floor(r() * xs.length)];
}

function describeCase(c: Partial<StftConfig>, signal: string): string {
  return [
    c.magnitudeScale,
    c.phaseUnit,
    c.dbFloor !== null && c.dbFloor !== undefined ? `floor ${c.dbFloor.toFixed(1)}` : '',
    c.magnitudeFile?.dtype,
    c.phaseFile?.dtype,
    c.window,
    `${c.nfft}/${c.hop}`,
    c.layout,
    c.sided,
    c.gain !== 1 ? `gain ${typeof c.gain === 'number' ? c.gain.toPrecision(3) : c.gain}` : '',
    signal,
  ]
    .filter((x) => x)
    .join(' ');
}

/**
 * Whether a reported dbFloor (stored units: integer storage rounds it) matches the truth. A floor
 * below every value clips nothing and cannot be seen (nor does it matter): there null is right too,
 * and where it clips only a handful of cells (< 0.1 %) sampling may miss it, so either answer passes.
 */
function floorMatches(got: number | null | undefined, c: SynthCase): boolean {
  const want = c.config.dbFloor;
  const dtype = c.config.magnitudeFile.dtype as RealDtype;
  const same =
    got !== null && got !== undefined && want !== null && Math.abs(got - want) <= (dtype.includes('int') ? 0.51 : 1e-4 * Math.max(1, Math.abs(want)));
  if (want === null) return got === null;
  const share = clippedShare(c, want);
  if (share === 0) return got === null;
  return same || (share < 0.001 && got === null);
}

/** Share of the stored magnitudes on or below the floor (as the file stores it). */
function clippedShare(c: SynthCase, floor: number): number {
  const { dtype, endian } = c.config.magnitudeFile;
  const n = c.config.frames * c.config.bins;
  const v = new Float64Array(n);
  decodeComponents(new Uint8Array(readFileSync(c.magPath)), dtype as RealDtype, endian, n, v);
  const stored = dtype.includes('int') ? Math.round(floor) : dtype === 'float32' ? Math.fround(floor) : floor;
  return v.filter((x) => x <= stored).length / n;
}

interface MagCase {
  over: Partial<StftConfig>;
  signal: SignalName;
}

/** The magnitude grid: every scale (db with and without a floor), crossed with sampled nuisance fields. */
function magnitudeGrid(): MagCase[] {
  const pick = picker(7);
  const scales: { scale: MagnitudeScale; floor?: boolean; dtype?: RealDtype; offset?: boolean }[] = [
    { scale: 'linear' },
    { scale: 'power' },
    { scale: 'db' },
    { scale: 'db', floor: true },
    { scale: 'db', dtype: 'int16' },
    { scale: 'db', dtype: 'int16', floor: true },
    // uint8 dB: dB + offset (a gain) so the values fit 0..255, with and without a top_db floor.
    { scale: 'db', dtype: 'uint8', offset: true },
    { scale: 'db', dtype: 'uint8', offset: true, floor: true },
    { scale: 'db10' },
    { scale: 'db10', dtype: 'int16' },
    { scale: 'ln' },
    { scale: 'log10' },
    { scale: 'power-law-0.3' },
    { scale: 'power-law-0.5' },
  ];
  const cases: MagCase[] = [];
  for (const s of scales) {
    for (const nfft of [256, 400, 1024]) {
      for (const layout of ['frame-major', 'bin-major'] as const) {
        const window = pick<WindowName>(['hann', 'hamming', 'blackman', 'sqrt-hann', 'kaiser-8']);
        const hop = Math.round(nfft * pick([0.25, 0.5, 0.125]));
        const sided = pick(['one', 'one', 'two', 'one-no-nyquist'] as const);
        const dtype = s.dtype ?? pick<RealDtype>(['float32', 'float64']);
        const scipyGain = pick([false, false, true]);
        const signal = pick<SignalName>(['demo', 'chirps']);
        const over: Partial<StftConfig> = {
          nfft,
          hop,
          window,
          layout,
          sided,
          bins: sided === 'two' ? nfft : sided === 'one-no-nyquist' ? nfft / 2 : nfft / 2 + 1,
          magnitudeScale: s.scale,
          magnitudeFile: rawStorage({ dtype }),
          gain: scipyGain ? 1 / sumWindow(window, nfft) : 1,
        };
        if (s.offset || s.floor) {
          // The peak of the stored STFT, gain included.
          const peakDb = 20 * Math.log10(peakMagnitude(over, signals[signal]));
          if (s.offset) {
            // Peak at 250 in uint8 units.
            over.gain = (over.gain as number) * 10 ** ((250 - peakDb) / 20);
            over.dbFloor = s.floor ? 250 - 80 : null;
          } else {
            over.dbFloor = peakDb - 80;
          }
        }
        cases.push({ over, signal });
      }
    }
  }
  return cases;
}

function topScale(r: AnalyzerResult): string {
  return r.hypotheses
    .slice(0, 3)
    .map(
      (h) =>
        `${h.values.magnitudeScale}${h.values.dbFloor !== null && h.values.dbFloor !== undefined ? `@${h.values.dbFloor.toFixed(1)}` : ''}:${h.score.toFixed(2)}`,
    )
    .join(' ');
}

const timings: Record<string, number[]> = { 'magnitude-scale': [], 'phase-unit': [] };
function timed(name: string, f: () => AnalyzerResult): AnalyzerResult {
  const t0 = performance.now();
  const r = f();
  timings[name].push(performance.now() - t0);
  return r;
}

afterAll(() => {
  for (const [name, t] of Object.entries(timings)) {
    if (t.length) console.log(`${name}: ${t.length} runs, median ${t.sort((a, b) => a - b)[t.length >> 1].toFixed(1)} ms, max ${Math.max(...t).toFixed(1)} ms`);
  }
});

describe('magnitude-scale', () => {
  it('ranks the true scale and floor first on the grid', () => {
    const grid = magnitudeGrid();
    let hits = 0;
    const misses: string[] = [];
    const weakest = new Map<string, number>();
    for (const g of grid) {
      const c = synthCase(g.over, signals[g.signal]);
      try {
        const r = timed('magnitude-scale', () => magnitudeScale.run(c.evidence, fixedUpTo(c.config, MAG_NEEDS)));
        const top = r.hypotheses[0];
        const ok = top !== undefined && top.values.magnitudeScale === c.config.magnitudeScale && floorMatches(top.values.dbFloor, c);
        if (ok) {
          hits++;
          const key = `${c.config.magnitudeScale}${c.config.dbFloor !== null ? '+floor' : ''} ${c.config.magnitudeFile.dtype}`;
          weakest.set(key, Math.min(weakest.get(key) ?? 1, top.score));
        } else misses.push(`${describeCase(c.config, g.signal)} -> ${topScale(r)} ${r.undecided ?? ''}`);
      } finally {
        c.cleanup();
      }
    }
    const rate = hits / grid.length;
    console.log(`magnitude-scale grid: ${grid.length} cases, truth first in ${hits} (${(100 * rate).toFixed(1)} %)`);
    console.log(`  lowest winning score per scale: ${[...weakest].map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  /**
   * log1p = ln(1+|X|) and linear are NOT separable from the value distribution: log1p(a) ≈ a below
   * |X| ≈ 1, so both have the same universal low tail (rate 2 in ln v), and above 1 log1p only
   * compresses the signal's own level distribution, which has no universal shape to compare with.
   * They are excluded from the grid above; here log1p must be offered as linear's runner-up (and vice
   * versa in rank), with a score the consistency ranking can overturn (they differ by > 10 dB there).
   */
  it('offers log1p as the runner-up of linear (indistinguishable from values alone), unless the peak rules it out', () => {
    const quiet = demoSignal(22050, 2, 11).map((v) => v * 0.05);
    const cases = [
      ['log1p', 256, undefined, true],
      ['log1p', 1024, undefined, true],
      ['linear', 400, quiet, true],
      // A linear file peaking near 100 read as log1p would span e^100: no audio STFT does.
      ['linear', 400, undefined, false],
    ] as const;
    for (const [scale, nfft, signal, offered] of cases) {
      const c = synthCase({ nfft, hop: nfft / 4, magnitudeScale: scale }, signal);
      try {
        const r = magnitudeScale.run(c.evidence, fixedUpTo(c.config, MAG_NEEDS));
        const log1p = r.hypotheses.find((h) => h.values.magnitudeScale === 'log1p');
        const what = `${scale} ${nfft}${signal ? ' quiet' : ''}: ${r.hypotheses.map((h) => `${h.values.magnitudeScale} ${h.score.toFixed(2)}`).join(', ')}`;
        if (offered) {
          expect(
            r.hypotheses
              .slice(0, 2)
              .map((h) => h.values.magnitudeScale)
              .sort(),
            what,
          ).toEqual(['linear', 'log1p']);
          expect(log1p?.score, what).toBeGreaterThan(0.15);
        } else {
          expect(log1p, what).toBeUndefined();
          expect(r.hypotheses[0].values.magnitudeScale, what).toBe('linear');
        }
      } finally {
        c.cleanup();
      }
    }
  });

  it('never lets the wrong exponent outrank the true one (power vs linear, db vs db10, 0.3 vs 0.5)', () => {
    const pairs: [MagnitudeScale, MagnitudeScale][] = [
      ['power', 'linear'],
      ['linear', 'power'],
      ['db', 'db10'],
      ['db10', 'db'],
      ['power-law-0.3', 'power-law-0.5'],
      ['ln', 'log10'],
    ];
    for (const [truth, wrong] of pairs) {
      const c = synthCase({ nfft: 512, hop: 128, magnitudeScale: truth, window: 'hamming' });
      try {
        const r = magnitudeScale.run(c.evidence, fixedUpTo(c.config, MAG_NEEDS));
        const score = (s: MagnitudeScale): number => r.hypotheses.find((h) => h.values.magnitudeScale === s)?.score ?? 0;
        expect(score(truth), truth).toBeGreaterThan(0.5);
        expect(score(wrong), `${wrong} vs ${truth}`).toBeLessThan(score(truth) / 5);
      } finally {
        c.cleanup();
      }
    }
  });

  it('sets digital silence apart from the tail (exact zeros, log of 1e-300, deep amin)', () => {
    const x = signals.demo.slice();
    x.fill(0, Math.round(0.7 * SR), Math.round(1.2 * SR));
    const cases: Partial<StftConfig>[] = [
      { magnitudeScale: 'linear' },
      { magnitudeScale: 'power' },
      { magnitudeScale: 'power-law-0.5' },
      // 20·log10 of exact zeros: the maker's log of 1e-300 (−6000), far below everything.
      { magnitudeScale: 'db' },
      // An amin clip at −100 dB (librosa amplitude_to_db amin=1e-5): only silent cells reach it.
      { magnitudeScale: 'db', dbFloor: -100 },
      { magnitudeScale: 'ln', magnitudeFile: rawStorage({ dtype: 'float64' }) },
    ];
    for (const over of cases) {
      const c = synthCase({ nfft: 512, hop: 128, ...over }, x);
      try {
        const r = magnitudeScale.run(c.evidence, fixedUpTo(c.config, MAG_NEEDS));
        expect(r.hypotheses[0]?.values.magnitudeScale, `${over.magnitudeScale}: ${topScale(r)} ${r.hypotheses[0]?.reason}`).toBe(over.magnitudeScale);
        // A quarter of the cells exactly 0 could also be a log scale clipped at 0 (uint8 dB): first, not sure.
        expect(r.hypotheses[0].score, `${over.magnitudeScale}: ${topScale(r)} ${r.hypotheses[0]?.reason}`).toBeGreaterThan(0.3);
      } finally {
        c.cleanup();
      }
    }
  });

  it('reads the exponent from local minima on short recordings that start and end in silence (magnitudes only)', () => {
    // espeak-ng speech with its silences, 0.75 s: the file-wide tail of such clips read linear as power
    // or power-law-3 (ln-rates 0.45–0.95); the local minima's rate is 2/p whatever the level around them.
    const raw = readFileSync(new URL('./fixtures/real/signals/speech16.f32', import.meta.url));
    const speech = Float64Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).subarray(0, 12000));
    const cases: [Partial<StftConfig>, MagnitudeScale, [number, number]][] = [
      [{ nfft: 400, hop: 160 }, 'linear', [1.4, 3]],
      [{ nfft: 400, hop: 160 }, 'power', [0.6, 1.35]],
      [{ nfft: 512, hop: 448, window: 'tukey-0.25' }, 'linear', [1.4, 3]],
      [{ nfft: 256, hop: 64 }, 'power', [0.6, 1.35]],
    ];
    for (const [over, scale, [lo, hi]] of cases) {
      const c = synthCase({ ...over, magnitudeScale: scale, phaseFile: null, sampleRate: 16000 }, speech);
      try {
        const fixed = fixedUpTo(c.config, MAG_NEEDS);
        const shape = { frames: c.config.frames, bins: c.config.bins, layout: c.config.layout };
        const kHi = c.config.bins - 1;
        const local = localMinimumTail(c.evidence, c.config.magnitudeFile, shape, 1, kHi, null);
        const what = `${scale} ${JSON.stringify(over)}`;
        expect(local, what).not.toBeNull();
        expect(local!.rate, what).toBeGreaterThan(lo);
        expect(local!.rate, what).toBeLessThan(hi);
        const r = magnitudeScale.run(c.evidence, fixed);
        expect(r.hypotheses[0]?.values.magnitudeScale, `${what}: ${topScale(r)} ${r.hypotheses[0]?.reason}`).toBe(scale);
      } finally {
        c.cleanup();
      }
    }
  });

  it('matches other programs conventions', () => {
    const x = signals.demo;
    const cases: { name: string; over: Partial<StftConfig> }[] = [
      // scipy.signal.stft: 256/128, ÷Σw, first frame at −nfft/2; |Zxx| linear.
      { name: 'scipy stft', over: { nfft: 256, hop: 128, gain: 1 / sumWindow('hann', 256), firstFrameStart: -128 } },
      // torchaudio Spectrogram(power=2): 400/200 reflect padded.
      { name: 'torch power', over: { nfft: 400, hop: 200, padMode: 'reflect', magnitudeScale: 'power' } },
      // MATLAB spectrogram: symmetric Hamming, 50 % overlap, column-major float64 (frame-major stream).
      {
        name: 'matlab',
        over: {
          nfft: 512,
          hop: 256,
          window: 'hamming',
          windowSymmetry: 'symmetric',
          center: false,
          padMode: 'none',
          firstFrameStart: 0,
          magnitudeFile: rawStorage({ dtype: 'float64' }),
        },
      },
      // Octave specgram: 256, symmetric Hann, Nyquist dropped, 20·log10.
      { name: 'octave', over: { nfft: 256, hop: 128, windowSymmetry: 'symmetric', sided: 'one-no-nyquist', bins: 128, magnitudeScale: 'db' } },
    ];
    // librosa amplitude_to_db(|S|, ref=np.max, top_db=80): dB re the peak (gain 1/peak), floor at −80, (bins, frames).
    const lib: Partial<StftConfig> = { nfft: 2048, hop: 512, layout: 'bin-major', magnitudeScale: 'db' };
    const peak = peakMagnitude(lib, x);
    cases.push({ name: 'librosa top_db', over: { ...lib, gain: 1 / peak, dbFloor: -80 } });
    // The common mistake: librosa.power_to_db on magnitudes → 10·log10|X| (db10) with its floor (which
    // here clips nothing: 80 db10 units are 160 dB of |X|).
    cases.push({ name: 'power_to_db(|S|)', over: { ...lib, magnitudeScale: 'db10', gain: 1 / peak, dbFloor: -80 } });
    for (const { name, over } of cases) {
      const c = synthCase(over, x);
      try {
        const r = magnitudeScale.run(c.evidence, fixedUpTo(c.config, MAG_NEEDS));
        const top = r.hypotheses[0];
        expect(top?.values.magnitudeScale, `${name}: ${topScale(r)}`).toBe(c.config.magnitudeScale);
        expect(floorMatches(top?.values.dbFloor, c), `${name} floor: ${topScale(r)}`).toBe(true);
      } finally {
        c.cleanup();
      }
    }
  });
});

interface PhaseCase {
  unit: PhaseUnit;
  dtype: RealDtype;
  shift: boolean;
  unwrap: boolean;
}

describe('phase-unit', () => {
  it('finds the unit on the grid', () => {
    const pick = picker(11);
    const units: PhaseCase[] = [
      { unit: 'radians', dtype: 'float32', shift: false, unwrap: false },
      { unit: 'radians', dtype: 'float64', shift: true, unwrap: false },
      { unit: 'radians', dtype: 'float32', shift: true, unwrap: false },
      { unit: 'degrees', dtype: 'float32', shift: false, unwrap: false },
      { unit: 'degrees', dtype: 'float64', shift: true, unwrap: false },
      { unit: 'cycles', dtype: 'float32', shift: false, unwrap: false },
      { unit: 'cycles', dtype: 'float64', shift: true, unwrap: false },
      { unit: 'scaled-65536', dtype: 'int16', shift: false, unwrap: false },
      { unit: 'scaled-65536', dtype: 'uint16', shift: false, unwrap: false },
      { unit: 'scaled-256', dtype: 'int8', shift: false, unwrap: false },
      { unit: 'scaled-256', dtype: 'uint8', shift: false, unwrap: false },
      { unit: 'radians', dtype: 'float64', shift: false, unwrap: true },
      { unit: 'degrees', dtype: 'float32', shift: false, unwrap: true },
    ];
    let total = 0;
    let hits = 0;
    const misses: string[] = [];
    for (const u of units) {
      for (const nfft of [256, 400, 1024]) {
        for (const layout of ['frame-major', 'bin-major'] as const) {
          const sided = pick(['one', 'one', 'two', 'one-no-nyquist'] as const);
          const over: Partial<StftConfig> = {
            nfft,
            hop: Math.round(nfft * pick([0.25, 0.5])),
            window: pick<WindowName>(['hann', 'hamming', 'blackman', 'rectangular']),
            layout,
            sided,
            bins: sided === 'two' ? nfft : sided === 'one-no-nyquist' ? nfft / 2 : nfft / 2 + 1,
            magnitudeScale: pick<MagnitudeScale>(['linear', 'db', 'power']),
            phaseUnit: u.unit,
            phaseFile: rawStorage({ dtype: u.dtype }),
            phaseReference: pick(['frame-start', 'window-centre'] as const),
          };
          const signal = pick<SignalName>(['demo', 'chirps']);
          const c = synthCase(over, signals[signal]);
          let rewritten: Evidence | null = null;
          try {
            const period = (2 * Math.PI) / phaseUnitFactor(u.unit);
            if (u.shift) rewritten = rewritePhase(c, (v) => v.forEach((x, i) => (v[i] = x < 0 ? x + period : x)));
            if (u.unwrap) rewritten = rewritePhase(c, (v, cfg) => unwrapTime(v, cfg, period));
            const evidence = rewritten ?? c.evidence;
            const r = timed('phase-unit', () => phaseUnit.run(evidence, fixedUpTo(c.config, PHASE_NEEDS)));
            total++;
            const top = r.hypotheses[0];
            // The truth first and confident, every other unit far below (a wrong unit costs > 1 dB).
            const rivals = r.hypotheses.filter((h) => h.values.phaseUnit !== u.unit);
            if (top?.values.phaseUnit === u.unit && top.score > 0.9 && rivals.every((h) => h.score < 0.5)) hits++;
            else {
              const tag = `${describeCase(c.config, signal)}${u.shift ? ' [0,P)' : ''}${u.unwrap ? ' unwrapped' : ''}`;
              misses.push(`${tag} -> ${r.hypotheses.map((h) => `${h.values.phaseUnit}:${h.score.toFixed(2)}`).join(' ')} ${r.undecided ?? ''}`);
            }
          } finally {
            rewritten?.close();
            c.cleanup();
          }
        }
      }
    }
    const rate = hits / total;
    console.log(`phase-unit grid: ${total} cases, truth first with score > 0.9 (rivals < 0.5) in ${hits} (${(100 * rate).toFixed(1)} %)`);
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  it('does not apply without a phase file', () => {
    const c = synthCase({ nfft: 256, hop: 64, phaseFile: null });
    try {
      expect(phaseUnit.applies(c.evidence, fixedUpTo(c.config, PHASE_NEEDS))).toBe(false);
    } finally {
      c.cleanup();
    }
  });
});

describe('bad inputs: undecided or low scores, never a confident wrong answer', () => {
  const r = rng(99);
  const frames = 200;
  const bins = 129;
  const n = frames * bins;
  const shapeFixed = (dtype: RealDtype, phase: boolean): Partial<StftConfig> => ({
    magnitudeFile: rawStorage({ dtype }),
    phaseFile: phase ? rawStorage({ dtype }) : null,
    frames,
    bins,
    layout: 'frame-major',
    nfft: 256,
    sided: 'one',
  });
  const f32 = (f: (i: number) => number, count = n): Uint8Array =>
    encodeValues(
      Float64Array.from({ length: count }, (_, i) => f(i)),
      'float32',
      'little',
    );
  const randomBytes = (count: number): Uint8Array => Uint8Array.from({ length: count }, () => Math.floor(r() * 256));
  const inputs: { name: string; mag: Uint8Array; phase: Uint8Array; dtype: RealDtype; frames?: number }[] = [
    { name: 'random bytes', mag: randomBytes(4 * n), phase: randomBytes(4 * n), dtype: 'float32' },
    { name: 'uniform noise', mag: f32(() => r()), phase: f32(() => r()), dtype: 'float32' },
    { name: 'gaussian noise', mag: f32(() => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())), phase: f32(() => 100 * r()), dtype: 'float32' },
    { name: 'silence', mag: f32(() => 0), phase: f32(() => 0), dtype: 'float32' },
    { name: 'constant', mag: f32(() => 1), phase: f32(() => 0.5), dtype: 'float32' },
    { name: 'random int16', mag: randomBytes(2 * n), phase: randomBytes(2 * n), dtype: 'int16' },
    { name: 'tiny', mag: f32(() => r(), 2 * bins), phase: f32(() => r() * 6 - 3, 2 * bins), dtype: 'float32', frames: 2 },
  ];
  for (const input of inputs) {
    it(input.name, () => {
      const b = bytesCase(input.mag, input.phase);
      try {
        const fixed = { ...shapeFixed(input.dtype, true), frames: input.frames ?? frames };
        for (const a of [magnitudeScale, phaseUnit]) {
          const res = a.run(b.evidence, fixed);
          const best = res.hypotheses[0];
          if (best) {
            const tag = `${input.name} ${a.name}: ${best.score.toFixed(2)} ${best.reason}`;
            expect(best.score, tag).toBeLessThanOrEqual(0.5);
          } else {
            expect(res.undecided, `${input.name} ${a.name}`).toBeTruthy();
          }
        }
      } finally {
        b.cleanup();
      }
    });
  }
});
