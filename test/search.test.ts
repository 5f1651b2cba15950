import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Analyzer } from '../heuristics/types.js';
import type { PartialStftConfig, StftConfig } from '../src/config/types.js';
import { analyze, analyzeEvidence } from '../src/analyze/index.js';
import { consistencyDb } from '../src/rank/consistency.js';
import { rng } from './helpers.js';
import { type SynthCase, synthCase } from './synth-evidence.js';

/** An analyzer that knows the truth for some fields (stands in for the storage/shape/value stages). */
function oracle(name: string, stage: Analyzer['stage'], values: PartialStftConfig, score = 1): Analyzer {
  return {
    name,
    stage,
    decides: Object.keys(values),
    needs: [],
    applies: () => true,
    run: () => ({ hypotheses: [{ values, score, reason: `oracle ${name}` }] }),
  };
}

function storageShapeValues(c: StftConfig): Analyzer[] {
  return [
    oracle('storage', 'storage', { magnitudeFile: c.magnitudeFile, phaseFile: c.phaseFile }),
    oracle('shape', 'shape', { frames: c.frames, bins: c.bins, layout: c.layout, nfft: c.nfft, sided: c.sided }),
    oracle('values', 'values', { magnitudeScale: c.magnitudeScale, dbFloor: c.dbFloor, phaseUnit: c.phaseUnit, gain: c.gain }),
  ];
}

const cases: SynthCase[] = [];
afterAll(() => cases.forEach((c) => c.cleanup()));
const make = (over: Partial<StftConfig>): SynthCase => {
  const c = synthCase(over);
  cases.push(c);
  return c;
};

describe('consistency', () => {
  it('sits at round-off for the truth and tens of dB higher for wrong hop, window, symmetry, reference, units', () => {
    const k = make({ nfft: 512, hop: 128, center: false });
    const t = k.config;
    const db = (over: Partial<StftConfig>) => consistencyDb(k.evidence, { ...t, ...over })!.db;
    const truth = db({});
    expect(truth).toBeLessThan(-110); // float32 files
    expect(db({ hop: 127 })).toBeGreaterThan(truth + 50);
    expect(db({ window: 'hamming' })).toBeGreaterThan(truth + 50);
    expect(db({ windowSymmetry: 'symmetric' })).toBeGreaterThan(truth + 30);
    expect(db({ phaseReference: 'window-centre' })).toBeGreaterThan(truth + 50);
    expect(db({ phaseSign: '-' })).toBeGreaterThan(truth + 50);
    expect(db({ phaseUnit: 'degrees' })).toBeGreaterThan(truth + 50);
    expect(db({ magnitudeScale: 'power' })).toBeGreaterThan(truth + 5);
  });

  it('is not measured (null, never NaN) under a reading whose values decode past the float range', () => {
    // float32 bits read as int16 whole-dB values: 10^(32767/20) is Infinity. NaN here once made every
    // candidate's confidence NaN (a float16 pair from scipy, whose int16 reading came third).
    const k = make({ nfft: 512, hop: 128, center: false });
    const t = k.config;
    const r = consistencyDb(k.evidence, { ...t, magnitudeFile: { ...t.magnitudeFile, dtype: 'int16' }, magnitudeScale: 'db' });
    expect(r).toBeNull();
  });
});

describe('candidate search and ranking', () => {
  it('reports the raw consistency error beside the ranking measure: round-off for the truth at low overlap too', () => {
    // scipy.signal.spectrogram's defaults: Tukey 0.25, 256 with 32 samples of overlap.
    const k = make({ nfft: 256, hop: 224, window: 'tukey-0.25', center: false, padMode: 'none', firstFrameStart: 0 });
    const top = analyzeEvidence(k.evidence).candidates[0];
    expect(top.config).toMatchObject({ hop: 224, window: 'tukey-0.25' });
    expect(top.consistencyErrorDb!).toBeLessThan(-110);
    // The ranking measure credits such a file with little: 32 of 256 samples overlap.
    expect(top.consistencyDb!).toBeGreaterThan(top.consistencyErrorDb!);
  });

  it('ranks readings that are one STFT again (a spectral mirror) by their priors alone, not by the chance baseline', () => {
    // White noise: no tilt tells the bin order, and the mirror (bins descending, phase conjugated) is the
    // same STFT of x·(−1)ⁿ, at the same raw error. Its relative measure differed from the truth's by the
    // random-phase baseline of each decoding: 52–71 % for ascending over four seeds, and a real torch file's
    // mirror went first. The two now differ by their prior costs exactly, whatever the noise.
    const splits: number[] = [];
    for (const seed of [3, 4, 5]) {
      const r = rng(seed);
      const x = Float64Array.from({ length: 8000 }, () => 2 * r() - 1);
      const k = synthCase({ sampleRate: 16000, nfft: 400, hop: 160, bins: 201, winLength: 400 }, x);
      try {
        const [a, b] = analyzeEvidence(k.evidence).candidates;
        expect([a.config.binOrder, b.config.binOrder].sort()).toEqual(['ascending', 'descending']);
        expect(Math.abs(a.consistencyErrorDb! - b.consistencyErrorDb!)).toBeLessThan(0.5);
        expect(b.score - a.score).toBeCloseTo(b.priorCost - a.priorCost, 6);
        splits.push(a.confidence);
      } finally {
        k.cleanup();
      }
    }
    expect(Math.max(...splits) - Math.min(...splits)).toBeLessThan(1e-3);
  });

  it('lets consistency pick hop, window and symmetry among the fallbacks when no analyzer decides them', () => {
    const k = make({ nfft: 256, hop: 32, window: 'blackman', windowSymmetry: 'symmetric', center: false });
    const c = k.config;
    // Centring cannot be seen by interior consistency; its own analyzer decides it (here: an oracle).
    const centring = oracle('centring', 'transform', { center: c.center, padMode: c.padMode, firstFrameStart: c.firstFrameStart });
    const r = analyzeEvidence(k.evidence, { analyzers: [...storageShapeValues(c), centring] });
    const best = r.candidates[0].config;
    expect(best.hop).toBe(32);
    expect(best.window).toBe('blackman');
    expect(best.windowSymmetry).toBe('symmetric');
    expect(r.rankedBy).toBe('consistency');
    expect(r.candidates[0].consistencyDb!).toBeLessThan(-100);
    expect(r.candidates[0].confidence).toBeGreaterThan(0.9);
    const hop = r.decisions.find((d) => d.field === 'hop')!;
    expect(hop.source).toBe('consistency');
    expect(hop.reason).toMatch(/best of \d+ common values by consistency/);
    expect(hop.alternative!.marginDb).toBeGreaterThan(20);
  });

  it('honours pins, even against an analyzer that disagrees, and records them as pinned', () => {
    const k = make({ nfft: 256, hop: 64 });
    const liar = oracle('liar', 'transform', { hop: 128 }, 0.9);
    const r = analyzeEvidence(k.evidence, { analyzers: [...storageShapeValues(k.config), liar], pins: { hop: 64 } });
    expect(r.candidates.every((c) => c.config.hop === 64)).toBe(true);
    expect(r.decisions.find((d) => d.field === 'hop')!.source).toBe('pinned');
  });

  it('prefers an analyzer-backed value unless consistency contradicts it', () => {
    const k = make({ nfft: 256, hop: 64, window: 'hann' });
    const wrong = oracle('wrong-window', 'transform', { window: 'hamming' }, 1);
    const r = analyzeEvidence(k.evidence, { analyzers: [...storageShapeValues(k.config), wrong] });
    // The analyzer's only hypothesis is wrong; the truth is never proposed, so the best available
    // candidate is inconsistent and the report must show it.
    expect(r.candidates[0].config.window).toBe('hamming');
    expect(r.candidates[0].consistencyDb!).toBeGreaterThan(-60);
  });

  it('ranks by heuristics alone, and says so, without phase', () => {
    const k = make({ nfft: 256, hop: 64, phaseFile: null });
    const r = analyzeEvidence(k.evidence, { analyzers: storageShapeValues(k.config) });
    expect(r.rankedBy).toBe('heuristics');
    expect(r.notes.join(' ')).toMatch(/no usable phase/);
    expect(r.candidates[0].consistencyDb).toBeNull();
  });

  it('runs an analyzer with maxStates on the cheapest states only, and keeps the others without it', () => {
    const k = make({ nfft: 256, hop: 64, phaseFile: null });
    const c = k.config;
    const scales: { values: PartialStftConfig; score: number; reason: string }[] = [
      { values: { magnitudeScale: 'linear', dbFloor: null, phaseUnit: 'radians', gain: 1 }, score: 1, reason: 'best' },
      { values: { magnitudeScale: 'power', dbFloor: null, phaseUnit: 'radians', gain: 1 }, score: 0.5, reason: 'second' },
      { values: { magnitudeScale: 'db', dbFloor: null, phaseUnit: 'radians', gain: 1 }, score: 0.25, reason: 'third' },
    ];
    const values: Analyzer = {
      name: 'values3',
      stage: 'values',
      decides: ['magnitudeScale'],
      needs: [],
      applies: () => true,
      run: () => ({ hypotheses: scales }),
    };
    const counted = (maxStates?: number): { analyzer: Analyzer; seen: string[] } => {
      const seen: string[] = [];
      const analyzer: Analyzer = {
        name: 'costly',
        stage: 'transform',
        decides: ['hop'],
        needs: ['magnitudeScale'],
        reads: ['magnitudeScale'],
        ...(maxStates === undefined ? {} : { maxStates }),
        applies: () => true,
        run: (_e, fixed) => {
          seen.push(String(fixed.magnitudeScale));
          return { hypotheses: [{ values: { hop: 64 }, score: 1, reason: 'costly' }] };
        },
      };
      return { analyzer, seen };
    };
    const shape = storageShapeValues(c).slice(0, 2);
    const limited = counted(1);
    const r = analyzeEvidence(k.evidence, { analyzers: [...shape, values, limited.analyzer] });
    expect(limited.seen).toEqual(['linear']);
    // The states it skipped carry on (the fill gives them a hop), behind the cheapest by their prior cost.
    expect(new Set(r.candidates.map((x) => x.config.magnitudeScale)).size).toBeGreaterThan(1);
    expect(r.candidates[0].config.magnitudeScale).toBe('linear');
    const all = counted();
    analyzeEvidence(k.evidence, { analyzers: [...shape, values, all.analyzer] });
    expect(all.seen.sort()).toEqual(['db', 'linear', 'power']);
  });

  it('fails with a clear input error when nothing can be decided', () => {
    const k = make({ nfft: 256 });
    expect(() => analyzeEvidence(k.evidence, { analyzers: [] })).toThrow(
      /no plausible configuration \(could not determine magnitudeFile.dtype, frames, bins, nfft\)/,
    );
  });

  it('a file of one frame: the shape stage says why no shape fits', () => {
    // np.fft.rfft of a single 512-sample block with its phase: 257 values, no frames × bins of two frames or more.
    const speech = Float64Array.from(new Float32Array(readFileSync(join(import.meta.dirname, 'fixtures/real/signals/cut16.f32')).buffer));
    const k = synthCase({ nfft: 512, hop: 128, center: false, padMode: 'none', firstFrameStart: 0, frames: 1 }, speech.subarray(1000, 1512));
    try {
      expect(() => analyze(k.magPath, k.phasePath)).toThrow(/could not determine frames, bins, nfft: 257 values factor into no frames × bins .* ≥ 2 frames/);
    } finally {
      k.cleanup();
    }
  });

  it('drops a reading an analyzer rules out, and fails naming the phase file when it rules out all', () => {
    const k = make({ nfft: 256, hop: 64 });
    const t = k.config;
    const fussy = (rule: (f: PartialStftConfig) => boolean): Analyzer => ({
      name: 'fussy',
      stage: 'transform',
      decides: [],
      needs: ['nfft'],
      applies: () => true,
      run: (_e, f) => (rule(f) ? { hypotheses: [], rejects: `nfft ${f.nfft} ruled out` } : { hypotheses: [] }),
    });
    // Two shape readings; the one ruled out never reaches the ranking.
    const shapes = oracle('shape', 'shape', { frames: t.frames, bins: t.bins, layout: t.layout, nfft: t.nfft, sided: t.sided });
    const twin: Analyzer = {
      ...shapes,
      run: () => ({
        hypotheses: [
          { values: { frames: t.frames, bins: t.bins, layout: t.layout, nfft: t.nfft, sided: t.sided }, score: 1, reason: 'truth' },
          { values: { frames: t.frames, bins: t.bins, layout: t.layout, nfft: t.nfft - 1, sided: 'one-no-nyquist' }, score: 1, reason: 'twin' },
        ],
      }),
    };
    const [storage, , values] = storageShapeValues(t);
    const r = analyzeEvidence(k.evidence, { analyzers: [storage, twin, values, fussy((f) => f.nfft !== t.nfft)], top: 24 });
    expect(r.candidates.every((c) => c.config.nfft === t.nfft)).toBe(true);
    expect(r.analyzers.find((a) => a.name === 'fussy')).toMatchObject({ runs: 2, rejected: 1 });
    expect(r.consistencyEvaluations).toBeGreaterThan(0);
    expect(() => analyzeEvidence(k.evidence, { analyzers: [storage, twin, values, fussy(() => true)] })).toThrow(
      new RegExp(`${k.phasePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no plausible configuration: fussy ruled out all 2 readings \\(nfft \\d+ ruled out\\)`),
    );
  });

  it('a random phase file of the right size: every reading ruled out, the magnitudes ranked alone', () => {
    const k = make({ nfft: 512, hop: 128 });
    const r0 = rng(5);
    const phase = join(k.dir, 'random.phase');
    writeFileSync(phase, new Uint8Array(Float32Array.from({ length: k.config.frames * k.config.bins }, () => (r0() * 2 - 1) * Math.PI).buffer));
    const r = analyze(k.magPath, phase);
    expect(r.phase).toMatchObject({ kind: 'random', usable: false, swapped: false });
    expect(r.phase.reason).toMatch(/ruled out/);
    expect(r.rankedBy).toBe('heuristics');
    expect(r.notes[0]).toMatch(/random\.phase is unusable/);
    expect(r.candidates[0].config).toMatchObject({ frames: k.config.frames, bins: k.config.bins, nfft: 512 });
  });
});
