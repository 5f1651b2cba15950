import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dims } from '../heuristics/dims/index.js';
import { magnitudeScale } from '../heuristics/magnitude-scale/index.js';
import { analyze } from '../src/analyze/index.js';
import { Evidence } from '../src/analysis/evidence.js';
import type { StftConfig } from '../src/config/types.js';
import { demoSignal } from '../src/synth/signals.js';
import { fixedUpTo, rawStorage, rewritePhase, synthCase } from './synth-evidence.js';

/**
 * Bin-major dumps of a centred, reflect-padded STFT (torch.stft(...).numpy().tofile()): frame 0 is
 * the DFT of a frame symmetric about its centre, real in every bin up to the FFT's round-off, so the
 * stream's leading run of real values runs one value past the DC run. The shape test must take that
 * frame for what it is (real almost throughout), at every frames/bins ratio, with and without pins.
 */
const REAL = join(import.meta.dirname, 'fixtures', 'real');
const raw = (dtype: 'int16' | 'float32') => rawStorage({ dtype });

describe('bin-major with a reflect-padded edge frame', () => {
  it('int16 dB magnitudes beside float32 phase (torch, 512/128): 51 frames × 257 bins bin-major', () => {
    const dir = join(REAL, 'torch-512-128-int16db-f32phase');
    const ev = new Evidence(join(dir, 'mag_db.i16'), join(dir, 'phase.f32'));
    try {
      const top = dims.run(ev, { magnitudeFile: raw('int16'), phaseFile: raw('float32') }).hypotheses[0];
      expect(top.values).toEqual({ frames: 51, bins: 257, layout: 'bin-major', nfft: 512, sided: 'one' });
      expect(top.score).toBeGreaterThan(0.5);
    } finally {
      ev.close();
    }
    // Whole pipeline: the pair reads (it was refused as "does not pair"), and exports the audio.
    const r = analyze(join(dir, 'mag_db.i16'), join(dir, 'phase.f32'));
    expect(r.phase.usable).toBe(true);
    expect(r.candidates[0].config).toMatchObject({ frames: 51, bins: 257, layout: 'bin-major', nfft: 512, hop: 128, magnitudeScale: 'db' });
  });

  it('float32 round-off off the real axis in a few bins of frame 0 does not hide the true shape', () => {
    const over: Partial<StftConfig> = { nfft: 512, hop: 128, layout: 'bin-major', center: true, padMode: 'reflect' };
    const c = synthCase(over, demoSignal(16000, 0.8, 4));
    // Frame 0 of a reflect-padded centred STFT is real; push 4 % of its bins 3e-5 rad off, as float32 FFTs do.
    const ev = rewritePhase(c, (v, cfg) => {
      for (let k = 3; k < cfg.bins - 1; k += 25) v[k * cfg.frames] += 3e-5;
    });
    try {
      const top = dims.run(ev, fixedUpTo(c.config, ['magnitudeFile', 'phaseFile'])).hypotheses[0];
      expect(top.values).toMatchObject({ frames: c.config.frames, bins: 257, layout: 'bin-major', nfft: 512 });
      expect(top.score).toBeGreaterThan(0.5);
    } finally {
      ev.close();
      c.cleanup();
    }
  });

  it('an ordinary frame after the DC run still rules out a shape with fewer frames per bin', () => {
    // 257 bins × F frames read as F−1 frames: the leading real run is F long, F−1 frames leave one value
    // over, and the frame it would make real is an ordinary one (real in a few % of bins): rejected.
    const c = synthCase({ nfft: 512, hop: 128, layout: 'bin-major', center: false, padMode: 'none' }, demoSignal(16000, 0.8, 4));
    try {
      const res = dims.run(c.evidence, fixedUpTo(c.config, ['magnitudeFile', 'phaseFile']));
      expect(res.hypotheses[0].values).toMatchObject({ frames: c.config.frames, bins: 257, layout: 'bin-major' });
      expect(res.hypotheses.some((h) => h.values.layout === 'bin-major' && h.values.frames !== c.config.frames)).toBe(false);
    } finally {
      c.cleanup();
    }
  });
});

describe('bin-major torch-like dumps at frames/bins ratios 0.1 to 10 (400/160, reflect)', () => {
  it('the real torch.stft 400/160 bin-major float32 dump (101 × 201), alone and pinned', () => {
    const dir = join(REAL, 'torch-400-160-reflect-f32-binmajor');
    for (const pins of [{}, { layout: 'bin-major' as const, nfft: 400, hop: 160 }]) {
      const r = analyze(join(dir, 'mag.bin'), join(dir, 'phase.bin'), { pins });
      expect(r.phase.usable, JSON.stringify(pins)).toBe(true);
      expect(r.candidates[0].config).toMatchObject({ frames: 101, bins: 201, layout: 'bin-major', nfft: 400, hop: 160, window: 'hann', center: true });
    }
  });
  // 201 bins; frames = ratio × 201 from the signal length (centred: 1 + ⌊L/160⌋ frames).
  for (const ratio of [0.1, 0.3, 1, 3, 10]) {
    const frames = Math.max(8, Math.round(ratio * 201));
    it(`${frames} frames × 201 bins (ratio ${ratio}): analyze alone and with --set layout/nfft/hop pins`, () => {
      const x = demoSignal(16000, ((frames - 1) * 160) / 16000, 7);
      const over: Partial<StftConfig> = {
        nfft: 400,
        hop: 160,
        layout: 'bin-major',
        center: true,
        padMode: 'reflect',
        firstFrameStart: -200,
        sampleRate: 16000,
      };
      const c = synthCase(over, x);
      try {
        expect(c.config.frames).toBe(frames);
        const want = { frames, bins: 201, layout: 'bin-major', nfft: 400, hop: 160 };
        for (const pins of [{}, { layout: 'bin-major' as const, nfft: 400, hop: 160 }]) {
          const r = analyze(c.magPath, c.phasePath, { pins });
          expect(r.phase.usable, JSON.stringify(pins)).toBe(true);
          expect(r.candidates[0].config, JSON.stringify(pins)).toMatchObject(want);
        }
      } finally {
        c.cleanup();
      }
    });
  }
});

describe('Octave specgram pair without a Nyquist row (256 points, hop 128, 61 × 128 frame-major)', () => {
  const dir = join(REAL, 'octave-specgram-default-hanning');
  const st = raw('float32');
  const fixed = { magnitudeFile: st, phaseFile: st, frames: 61, bins: 128, layout: 'frame-major' as const, nfft: 256, sided: 'one-no-nyquist' as const };

  it('linear and power reach the overlap test even when power laws outscore them', () => {
    const ev = new Evidence(join(dir, 'mag.f32'), join(dir, 'phase.f32'));
    try {
      const first = magnitudeScale
        .run(ev, fixed)
        .hypotheses.slice(0, 4)
        .map((h) => h.values.magnitudeScale);
      expect(first).toContain('linear');
      expect(first).toContain('power');
    } finally {
      ev.close();
    }
    // Without phase there is no overlap test to judge them: the list stays best first.
    const alone = new Evidence(join(dir, 'mag.f32'), null);
    try {
      const scores = magnitudeScale.run(alone, { ...fixed, phaseFile: null }).hypotheses.map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    } finally {
      alone.close();
    }
  });

  it('the pair reads whole: shape, layout, nfft, sided, linear, hop 128', () => {
    const r = analyze(join(dir, 'mag.f32'), join(dir, 'phase.f32'));
    expect(r.phase.usable).toBe(true);
    expect(r.candidates[0].config).toMatchObject({
      frames: 61,
      bins: 128,
      layout: 'frame-major',
      nfft: 256,
      sided: 'one-no-nyquist',
      magnitudeScale: 'linear',
      hop: 128,
    });
  });
});

describe('magnitudes alone with digital silence: whole zero rows are frames', () => {
  // A silent stretch zeroes whole frames; its frame energies, tens of dB apart, made the variance witness
  // read rows of frames as rows of bins (Octave specgram of alsa8). Both layouts, nfft 256 without Nyquist.
  it('Octave specgram magnitudes alone (61 × 128, 13 silent frames): frame-major, nfft 256 without Nyquist', () => {
    const ev = new Evidence(join(REAL, 'octave-specgram-default-hanning', 'mag.f32'), null);
    try {
      const top = dims.run(ev, { magnitudeFile: raw('float32'), phaseFile: null }).hypotheses[0];
      expect(top.values).toEqual({ frames: 61, bins: 128, layout: 'frame-major', nfft: 256, sided: 'one-no-nyquist' });
    } finally {
      ev.close();
    }
  });
  // Synthetic, both layouts: the witness must not turn a bin-major file's silent frames against it.
  const x = demoSignal(8000, 1.6, 9);
  x.fill(0, 4000, 7000);
  for (const layout of ['frame-major', 'bin-major'] as const) {
    it(`${layout}: the true reading first`, () => {
      const over: Partial<StftConfig> = {
        nfft: 256,
        hop: 128,
        sided: 'one-no-nyquist',
        bins: 128,
        layout,
        center: false,
        padMode: 'none',
        firstFrameStart: 0,
        phaseFile: null,
        sampleRate: 8000,
      };
      const c = synthCase(over, x);
      try {
        const top = dims.run(c.evidence, { magnitudeFile: c.config.magnitudeFile, phaseFile: null }).hypotheses[0];
        expect(top.values).toMatchObject({ frames: c.config.frames, bins: 128, layout, nfft: 256 });
      } finally {
        c.cleanup();
      }
    });
  }
});
