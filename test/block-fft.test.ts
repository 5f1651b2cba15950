import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Evidence } from '../src/analysis/evidence.js';
import { reconstruct } from '../src/export/reconstruct.js';
import { analyze, analyzeEvidence } from '../src/analyze/index.js';
import { framesOverlap, frameTrust } from '../src/analysis/frame-trust.js';
import { assessPhase } from '../src/analysis/phase-quality.js';
import { seamContinuity } from '../src/analysis/block-seams.js';
import { taperAgreement } from '../src/analysis/block-taper.js';
import { centring } from '../heuristics/centring/index.js';
import type { StftConfig } from '../src/config/types.js';
import { geometryFromConfig, stft } from '../src/dsp/stft.js';
import { demoSignal } from '../src/synth/signals.js';
import { rawStorage, rewritePhase, type SynthCase, synthCase } from './synth-evidence.js';

/**
 * Frames that do not overlap (DESIGN.md 4.12): a plain block FFT (hop ≥ nfft) must be read as one,
 * its phase kept (only the DC witness applies), and an overlapping STFT must never be read as one.
 */

const block = (over: Partial<StftConfig>): Partial<StftConfig> => ({ center: false, padMode: 'none', firstFrameStart: 0, sampleRate: 16000, ...over });

const WIN: { name: string; over: Partial<StftConfig> }[] = [
  { name: 'rectangular 256/256 frame-major', over: block({ nfft: 256, bins: 129, hop: 256, window: 'rectangular' }) },
  { name: 'rectangular 256/256 bin-major', over: block({ nfft: 256, bins: 129, hop: 256, window: 'rectangular', layout: 'bin-major' }) },
  { name: 'periodic hann 512/512 bin-major', over: block({ nfft: 512, bins: 257, hop: 512, window: 'hann', layout: 'bin-major' }) },
  {
    name: 'symmetric hann 512/512 float64',
    over: block({
      nfft: 512,
      bins: 257,
      hop: 512,
      window: 'hann',
      windowSymmetry: 'symmetric',
      magnitudeFile: rawStorage({ dtype: 'float64' }),
      phaseFile: rawStorage({ dtype: 'float64' }),
    }),
  },
  { name: 'symmetric hamming 256/256', over: block({ nfft: 256, bins: 129, hop: 256, window: 'hamming', windowSymmetry: 'symmetric' }) },
  { name: 'periodic hamming 256/384 (gaps)', over: block({ nfft: 256, bins: 129, hop: 384, window: 'hamming' }) },
];

const cases: SynthCase[] = [];
afterAll(() => {
  for (const c of cases) c.cleanup();
});

function make(over: Partial<StftConfig>): SynthCase {
  const c = synthCase(over, demoSignal(16000, 2, 5));
  cases.push(c);
  return c;
}

describe('block FFT: should win', () => {
  for (const { name, over } of WIN) {
    it(name, () => {
      const c = make(over);
      const verdict = assessPhase(c.evidence, c.config);
      expect(verdict.kind, verdict.reason).toBe('ok');
      expect(verdict.reason).toMatch(/frames do not overlap/);
      const r = analyzeEvidence(c.evidence);
      const got = r.candidates[0].config;
      const t = c.config;
      const fields = ['window', 'magnitudeScale', 'phaseReference', 'phaseSign', 'layout', 'nfft'] as const;
      expect(Object.fromEntries(fields.map((f) => [f, got[f]])), name).toEqual(Object.fromEntries(fields.map((f) => [f, t[f]])));
      // A gap between blocks leaves nothing to measure it by (no overlap, and the phase advance is
      // aliased for hop ≥ nfft): nfft, the least hop that fits, is what comes out, and the frames are
      // read as not overlapping either way.
      expect(got.hop, name).toBe(t.nfft);
    });
  }
});

describe('block FFT: should not', () => {
  it('an overlapping STFT (hann 512/128) is never read as a block FFT', () => {
    const c = make({ nfft: 512, bins: 257, hop: 128, sampleRate: 16000 });
    const r = analyzeEvidence(c.evidence);
    expect(r.candidates[0].config.hop).toBe(128);
    expect(seamContinuity(c.evidence, c.config)).toBeNull();
  });
  it('an overlapping rectangular STFT (256/128) keeps its overlap test and hop', () => {
    const c = make(block({ nfft: 256, bins: 129, hop: 128, window: 'rectangular' }));
    const v = assessPhase(c.evidence, c.config);
    expect(v.kind).toBe('ok');
    expect(v.reason).toMatch(/agree with an overlapping neighbour/);
    expect(analyzeEvidence(c.evidence).candidates[0].config.hop).toBe(128);
  });
  it('a flat window with gaps (256/320) leaves nothing to confirm the reading: the phase is not vouched for', () => {
    // No overlap, no taper, and blocks 65 samples apart are unrelated: a mis-shaped reading of a real
    // phase would pass the DC test just as well (test/hostile.test.ts, a phase file cut by one value).
    const c = make(block({ nfft: 256, bins: 129, hop: 320, window: 'rectangular', layout: 'bin-major' }));
    const v = assessPhase(c.evidence, c.config);
    expect(v.usable).toBe(false);
    expect(v.reason).toMatch(/nothing confirms this reading/);
  });
  it('random phase in a block FFT is still condemned by the DC witness', () => {
    const c = make(block({ nfft: 256, bins: 129, hop: 256, window: 'rectangular' }));
    let s = 7;
    const e = rewritePhase(c, (v) => {
      for (let i = 0; i < v.length; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        v[i] = (s / 2147483648) * 2 * Math.PI - Math.PI;
      }
    });
    try {
      expect(assessPhase(e, c.config).usable).toBe(false);
    } finally {
      e.close();
    }
  });
  it('the seams reject |X|² read as |X| and a window-centre roll of a rectangular block FFT', () => {
    const c = make(block({ nfft: 256, bins: 129, hop: 256, window: 'rectangular' }));
    const truth = seamContinuity(c.evidence, c.config);
    expect(truth).not.toBeNull();
    for (const wrong of [{ magnitudeScale: 'power' as const }, { phaseReference: 'window-centre' as const }, { phaseSign: '-' as const }]) {
      const w = seamContinuity(c.evidence, { ...c.config, ...wrong });
      expect(w!.penaltyDb, JSON.stringify(wrong)).toBeGreaterThan(truth!.penaltyDb + 10);
    }
  });
});

describe('block FFT seams under every reference and sign', () => {
  // One inverse FFT per frame serves every reading (rolled or reversed): each must still join its own file.
  for (const made of [
    { phaseSign: '-' as const },
    { phaseReference: 'window-centre' as const },
    { phaseReference: 'window-centre' as const, phaseSign: '-' as const },
  ]) {
    it(`made with ${JSON.stringify(made)}: its own reading joins, the plain one does not`, () => {
      // A 200-sample window at the frame start: a window-centre roll of 100 is not its own mirror image.
      const c = make(block({ nfft: 256, bins: 129, hop: 256, window: 'hamming', winLength: 200, windowPlacement: 'start', ...made }));
      const truth = seamContinuity(c.evidence, c.config);
      expect(truth!.ratio).toBeGreaterThan(0.5);
      expect(truth!.ratio).toBeLessThan(2);
      const plain = seamContinuity(c.evidence, { ...c.config, phaseSign: '+', phaseReference: 'frame-start' });
      expect(plain!.penaltyDb).toBeGreaterThan(truth!.penaltyDb + 10);
    });
  }
});

describe('frame trust without overlap, and silence', () => {
  it('abstains for hop >= the support: every finite frame trusted, none paired', () => {
    const cfg = { ...(synthCaseConfig(256, 256) as StftConfig) };
    const g = geometryFromConfig(cfg);
    expect(framesOverlap(g)).toBe(false);
    const X = stft(demoSignal(16000, 1, 3), g, 40);
    const t = frameTrust(X, g);
    expect([...t.trusted].every((v) => v === 1)).toBe(true);
    expect([...t.paired].every((v) => v === 0)).toBe(true);
  });
  it('a near-silent frame in a quiet block is silent against the file, not the block', () => {
    const g = geometryFromConfig(synthCaseConfig(256, 64) as StftConfig);
    const x = demoSignal(16000, 1, 3);
    for (let i = 4000; i < 6000; i++) x[i] *= 1e-7;
    const X = stft(x, g, 100);
    const quiet = frameTrust({ ...X, frames: 20, re: X.re.subarray(66 * X.bins), im: X.im.subarray(66 * X.bins) }, g, undefined, 1e6);
    expect(quiet.silent.some((v) => v === 1)).toBe(true);
  });
  it('a pair that shares only silence is no evidence: an onset past the overlap, a block cut right after it', () => {
    // Digital silence, then the espeak clip from mid-word: frame 20 (of 512 at hop 128) holds the onset
    // only past its overlap with frame 19, so every pair it has within frames 0..20 shares zeros alone.
    const speech = new Float32Array(readFileSync(join(import.meta.dirname, 'fixtures/real/signals/cut16.f32')).buffer);
    const x = new Float64Array(3000 + 4000);
    x.set(speech.subarray(0, 4000), 3000);
    const g = geometryFromConfig({ ...synthCaseConfig(512, 128), window: 'hann' } as StftConfig);
    const X = stft(x, g, 40);
    const cut = frameTrust({ ...X, frames: 21 }, g);
    expect(cut.energy[20]).toBeGreaterThan(0);
    expect(cut.trusted[20], `pair error ${cut.pairErrorDb[20]} dB`).toBe(1);
    expect(cut.paired[20]).toBe(0);
    // With the frames after it, it has partners, and a wrong phase there is still found.
    const whole = frameTrust(X, g);
    expect(whole.paired[20]).toBe(1);
    expect(whole.trusted[20]).toBe(1);
    for (let k = 0; k < X.bins; k++) {
      const i = 30 * X.bins + k;
      const r = Math.hypot(X.re[i], X.im[i]);
      X.re[i] = r * Math.cos(k * 2.1);
      X.im[i] = r * Math.sin(k * 2.1);
    }
    expect(frameTrust(X, g).trusted[30]).toBe(0);
  });
});

function synthCaseConfig(nfft: number, hop: number): Partial<StftConfig> {
  return {
    nfft,
    hop,
    sided: 'one',
    winLength: nfft,
    window: 'rectangular',
    windowSymmetry: 'periodic',
    windowPlacement: 'centred',
    firstFrameStart: 0,
    padMode: 'none',
    phaseReference: 'frame-start',
    phaseSign: '+',
    gain: 1,
  };
}

describe('real block FFTs and silence (test/fixtures/real)', () => {
  const REAL = 'test/fixtures/real';
  const truthOf = (dir: string): StftConfig => JSON.parse(readFileSync(join(REAL, dir, 'truth.json'), 'utf8')) as StftConfig;
  it('numpy-block-rect-256: the phase is kept (DC witness), not declared inconsistent', () => {
    const e = new Evidence(join(REAL, 'numpy-block-rect-256/mag.f32'), join(REAL, 'numpy-block-rect-256/phase.f32'));
    try {
      const v = assessPhase(e, truthOf('numpy-block-rect-256'));
      expect(v.kind, v.reason).toBe('ok');
    } finally {
      e.close();
    }
  });
  const withEvidence = <T>(dir: string, f: (e: Evidence, truth: StftConfig) => T): T => {
    const e = new Evidence(join(REAL, dir, 'mag.bin'), join(REAL, dir, 'phase.bin'));
    try {
      return f(e, truthOf(dir));
    } finally {
      e.close();
    }
  };
  it('torch hop = n_fft: the frame-by-frame inverse follows the true taper, not a wrong scale or window', () => {
    withEvidence('torch-256-256-blocks-reflect-f32', (e, truth) => {
      const penalty = (over: Partial<StftConfig>): number | undefined => taperAgreement(e, { ...truth, ...over })?.penaltyDb;
      // Round-off aside, the truth's zones sit within the spread a speech clip gives (19 blocks).
      expect(penalty({})).toBeLessThan(3);
      // |X| read as log1p or as power smears every frame: x̂ explodes where the Hann is small.
      expect(penalty({ magnitudeScale: 'log1p' })).toBeGreaterThan(40);
      expect(penalty({ magnitudeScale: 'power' })).toBeGreaterThan(40);
      // A window-centre reference rolls the taper to the middle of the frame.
      expect(penalty({ phaseReference: 'window-centre' })).toBe(60);
      // A flat window has no taper to test (the seams test it).
      expect(penalty({ window: 'rectangular' })).toBeUndefined();
    });
  });
  it('numpy-block-rect-256: a taper read over flat blocks breaks the taper agreement', () => {
    const e = new Evidence(join(REAL, 'numpy-block-rect-256/mag.f32'), join(REAL, 'numpy-block-rect-256/phase.f32'));
    try {
      expect(taperAgreement(e, { ...truthOf('numpy-block-rect-256'), window: 'hann' })?.penaltyDb).toBe(60);
    } finally {
      e.close();
    }
  });
  it('torch hop = n_fft, sign open: centring reads the reflect pad under the usual kernel', () => {
    withEvidence('torch-256-256-blocks-reflect-f32', (e, truth) => {
      const { center: _c, padMode: _p, firstFrameStart: _f, originalLength: _o, phaseSign: _s, ...fixed } = truth;
      const best = centring.run(e, fixed).hypotheses[0];
      expect(best?.values).toMatchObject({ center: true, padMode: 'reflect', firstFrameStart: -128, phaseSign: '+' });
      // Overlapping frames leave the sign to the phase-convention analyzer.
      expect(centring.run(e, { ...fixed, hop: 128 }).hypotheses).toEqual([]);
      // The beam caches a run by the fields an analyzer needs or reads: the sign, no longer needed, must
      // still key it (a conjugated phase reverses every rebuilt frame), or a '+' state's edges would
      // serve a '−' state.
      expect([...centring.needs, ...(centring.reads as string[])]).toContain('phaseSign');
    });
  });
  it('octave-specgram-hamming256: digital silence is no evidence, the phase is ok (not partial)', () => {
    const dir = 'octave-specgram-hamming256';
    const e = new Evidence(join(REAL, dir, 'mag.f32'), join(REAL, dir, 'phase.f32'));
    try {
      const v = assessPhase(e, truthOf(dir));
      expect(v.kind, v.reason).toBe('ok');
    } finally {
      e.close();
    }
  });
  it('export of a magnitude-only block FFT is refused with one line, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-block-'));
    const out = join(dir, 'x.wav');
    try {
      const config = { ...truthOf('numpy-block-rect-256'), phaseFile: null };
      expect(() => reconstruct(config, join(REAL, 'numpy-block-rect-256/mag.f32'), null, { output: out, force: true, parallel: false })).toThrow(
        /frames do not overlap .* phase retrieval cannot work/,
      );
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Short block FFTs of a real recording (the espeak clip cut mid-word, 9600 samples at 16 kHz): 18 blocks
 * of 512, the way np.fft.rfft over x[:18*512].reshape(18, 512) writes them (our FFT is numpy's to
 * rounding). Over so few blocks the seams of the truth once averaged to 0.36 file-wide (a few loud seams
 * decide a mean of 17), and an overlapping reading whose phase fitted no better than random phase tied the
 * blocks, which nothing contradicts, so its unmeasured fallbacks won and the phase was thrown away.
 */
describe('short block FFTs of a real recording (18 blocks)', () => {
  const speech = Float64Array.from(new Float32Array(readFileSync(join(import.meta.dirname, 'fixtures/real/signals/cut16.f32')).buffer)).subarray(0, 18 * 512);
  const SHORT: { name: string; over: Partial<StftConfig> }[] = [
    { name: 'rectangular 512 (np.fft.rfft of the blocks)', over: block({ nfft: 512, bins: 257, hop: 512, window: 'rectangular', frames: 18 }) },
    { name: 'np.hanning(512) blocks', over: block({ nfft: 512, bins: 257, hop: 512, window: 'hann', windowSymmetry: 'symmetric', frames: 18 }) },
  ];
  for (const { name, over } of SHORT) {
    it(`${name}: the phase is kept and every transform field read`, () => {
      const c = synthCase(over, speech);
      cases.push(c);
      const r = analyze(c.magPath, c.phasePath);
      expect(r.phase?.usable, r.notes.join(' | ')).toBe(true);
      const got = r.candidates[0].config;
      const fields = ['hop', 'winLength', 'window', 'magnitudeScale', 'phaseReference', 'layout', 'nfft'] as const;
      expect(Object.fromEntries(fields.map((f) => [f, got[f]])), name).toEqual(Object.fromEntries(fields.map((f) => [f, c.config[f]])));
    });
  }
  it("the truth's seams join as its blocks do inside, seam by seam", () => {
    const c = synthCase(SHORT[0].over, speech);
    cases.push(c);
    const s = seamContinuity(c.evidence, { ...c.config, phaseFile: c.config.phaseFile! });
    expect(s).not.toBeNull();
    expect(s!.ratio).toBeGreaterThan(0.5);
    expect(s!.ratio).toBeLessThan(2);
    expect(s!.penaltyDb).toBeLessThan(3);
  });
});
