import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { magnitudeFit } from '../heuristics/magnitude-fit/index.js';
import type { StftConfig } from '../src/config/types.js';
import { analyze, analyzeEvidence } from '../src/analyze/index.js';
import { demoSignal } from '../src/synth/signals.js';
import { fixedUpTo, synthCase } from './synth-evidence.js';

/**
 * magnitude-fit (heuristics/magnitude-fit): hop and window of a magnitude-only file from the FGLA
 * contrast against shuffled frames. A table of files where it must win, and files where it must not
 * fire (steady tones that any reading explains, a phase file that the overlap tests read exactly).
 */

/** What the values stage has fixed when the transform stage runs. */
const BEFORE: (keyof StftConfig)[] = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'];
const speech16 = demoSignal(16000, 1, 5);

const WIN: { name: string; over: Partial<StftConfig> }[] = [
  {
    name: 'Octave stft: symmetric Hamming 200 at the start of a 256 frame, hop 80, Nyquist dropped',
    over: {
      nfft: 256,
      sided: 'one-no-nyquist',
      winLength: 200,
      windowPlacement: 'start',
      window: 'hamming',
      windowSymmetry: 'symmetric',
      hop: 80,
      center: false,
    },
  },
  { name: 'torch-like periodic Hann 512 / 128', over: { nfft: 512, hop: 128, window: 'hann', windowSymmetry: 'periodic' } },
  {
    name: 'symmetric Hamming 400 in 512 / hop 160 (25 ms / 10 ms at 16 kHz)',
    over: { nfft: 512, winLength: 400, windowPlacement: 'start', window: 'hamming', windowSymmetry: 'symmetric', hop: 160, center: false },
  },
];

describe('magnitude-fit: where it must win', () => {
  for (const w of WIN) {
    it(w.name, () => {
      const c = synthCase({ ...w.over, phaseFile: null, sampleRate: 16000 }, speech16);
      try {
        const fixed = fixedUpTo(c.config, BEFORE);
        expect(magnitudeFit.applies(c.evidence, fixed)).toBe(true);
        const r = magnitudeFit.run(c.evidence, fixed);
        const top = r.hypotheses[0]?.values;
        expect(top, r.undecided).toBeDefined();
        expect({ hop: top.hop, winLength: top.winLength, window: top.window }).toEqual({
          hop: c.config.hop,
          winLength: c.config.winLength,
          window: c.config.window,
        });
        expect(r.hypotheses[0].metrics?.informative).toBe(true);
      } finally {
        c.cleanup();
      }
    });
  }

  it('end to end: the Octave stft case comes out right at rank 1, its placement by convention', () => {
    const c = synthCase({ ...WIN[0].over, phaseFile: null, sampleRate: 16000 }, speech16);
    try {
      const top = analyzeEvidence(c.evidence, { top: 3 }).candidates[0].config;
      for (const f of ['hop', 'winLength', 'window', 'windowSymmetry', 'windowPlacement', 'center'] as const) expect(top[f], f).toEqual(c.config[f]);
    } finally {
      c.cleanup();
    }
  });

  it('a scale the user pinned leaves the floor open until the fill: it still runs (it fell back to defaults before)', () => {
    const c = synthCase({ ...WIN[1].over, phaseFile: null, sampleRate: 16000 }, speech16);
    try {
      const fixed = fixedUpTo(
        c.config,
        BEFORE.filter((f) => f !== 'dbFloor'),
      );
      expect(fixed.dbFloor).toBeUndefined();
      expect(magnitudeFit.applies(c.evidence, fixed)).toBe(true);
      const top = magnitudeFit.run(c.evidence, fixed).hypotheses[0]?.values;
      expect({ hop: top?.hop, winLength: top?.winLength }).toEqual({ hop: c.config.hop, winLength: c.config.winLength });
    } finally {
      c.cleanup();
    }
  });
});

describe('magnitude-fit: where it must not fire', () => {
  it('steady tones: every reading explains them as well as a shuffled order, so it abstains (no preset fits nfft 300)', () => {
    const n = 16000;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(0.3 * i) + 0.5 * Math.sin(1.1 * i + 1) + 0.25 * Math.sin(2.3 * i));
    const c = synthCase({ nfft: 300, hop: 75, phaseFile: null, sampleRate: 16000 }, x);
    try {
      const r = magnitudeFit.run(c.evidence, fixedUpTo(c.config, BEFORE));
      expect(r.hypotheses).toEqual([]);
      expect(r.undecided).toMatch(/shuffled/);
    } finally {
      c.cleanup();
    }
  });

  it('with a phase file the overlap tests read the hop exactly: it does not apply', () => {
    const c = synthCase({ nfft: 256, hop: 64 }, speech16);
    try {
      expect(magnitudeFit.applies(c.evidence, fixedUpTo(c.config, BEFORE))).toBe(false);
    } finally {
      c.cleanup();
    }
  });

  it('a user pin narrows the readings: the pinned hop is the only one tried', () => {
    const c = synthCase({ ...WIN[0].over, phaseFile: null, sampleRate: 16000 }, speech16);
    try {
      const r = magnitudeFit.run(c.evidence, { ...fixedUpTo(c.config, BEFORE), hop: 100 });
      expect(new Set(r.hypotheses.map((h) => h.values.hop))).toEqual(new Set([100]));
    } finally {
      c.cleanup();
    }
  });
});

describe('what magnitudes cannot show', () => {
  it('a magnitude-only candidate lists its unobservable fields and an ambiguous start; a pinned field is not listed', () => {
    const c = synthCase({ ...WIN[0].over, phaseFile: null, sampleRate: 16000 }, speech16);
    try {
      const all = analyzeEvidence(c.evidence, { top: 1 });
      const top = all.candidates[0];
      expect(top.unobservable).toEqual(['phaseReference', 'phaseSign', 'windowPlacement', 'windowSymmetry', 'center', 'padMode', 'firstFrameStart', 'detrend']);
      expect(top.ambiguousStart).toEqual({ spreadSamples: 128 });
      // Not "the audio starts in digital silence": the clip may not, magnitudes just cannot show the edges.
      expect(all.notes.join(' ')).toMatch(/the start is ambiguous: magnitudes alone cannot show where frame 0 starts, so the readings/);
      const r = analyzeEvidence(c.evidence, { top: 1, pins: { center: false, padMode: 'none', firstFrameStart: 0 } });
      expect(r.candidates[0].unobservable).toEqual(['phaseReference', 'phaseSign', 'windowPlacement', 'windowSymmetry', 'detrend']);
      expect(r.candidates[0].ambiguousStart).toBeNull();
      expect(r.notes.join(' ')).toMatch(/magnitudes alone cannot show phaseReference, phaseSign, windowPlacement/);
    } finally {
      c.cleanup();
    }
  });

  it("no two candidates differ only in what the files cannot show: one reading is listed once, with its variants' confidence", () => {
    const c = synthCase({ nfft: 512, hop: 128, window: 'hann', windowSymmetry: 'periodic', phaseFile: null, sampleRate: 16000 }, speech16);
    try {
      const { candidates } = analyzeEvidence(c.evidence, { top: 8 });
      const observable = candidates.map((k) => JSON.stringify(Object.entries(k.config).filter(([f]) => !k.unobservable.includes(f))));
      expect(candidates.length).toBeGreaterThan(2);
      expect(new Set(observable).size).toBe(candidates.length);
      // The merged variants keep their share: confidences still sum to at most 1 over all readings.
      expect(candidates.reduce((a, k) => a + k.confidence, 0)).toBeLessThanOrEqual(1 + 1e-3); // each rounded to 4 digits
      expect(candidates.map((k) => k.rank)).toEqual(candidates.map((_, i) => i + 1));
    } finally {
      c.cleanup();
    }
  });

  it('with phase nothing is unobservable, and nothing is left to a prior', () => {
    const c = synthCase({ nfft: 256, hop: 64 }, speech16);
    try {
      const top = analyzeEvidence(c.evidence, { top: 1 }).candidates[0];
      expect(top.unobservable).toEqual([]);
      expect(top.fromPrior).toEqual([]);
    } finally {
      c.cleanup();
    }
  });
});

describe('what the data did not decide', () => {
  it('a magnitude-only file whose readings all explain it alike says its hop and window come from a preset', () => {
    // torch.stft 400/160 power over 26 frames of speech (issue #11, magonly2): no reading's contrast stands out.
    const dir = join(import.meta.dirname, 'fixtures/real/torch-power-400-160-magonly-npy');
    const r = analyze(join(dir, 'power.npy'), null, { top: 3 });
    const top = r.candidates[0];
    expect(top.fromPrior).toEqual(expect.arrayContaining(['hop', 'winLength', 'window']));
    for (const f of top.fromPrior) expect(top.unobservable).not.toContain(f);
    const prior = top.evidence.find((e) => e.field === 'hop')?.prior;
    expect(prior).toMatch(/torchaudio|Whisper|scipy|torch/);
    expect(r.notes.join(' ')).toMatch(/the data do not decide hop, .*rank 1 takes them from .*pin what you know, such as --set hop=…/);
    // A pinned hop is known, whatever the data shows.
    expect(analyze(join(dir, 'power.npy'), null, { top: 1, pins: { hop: 160 } }).candidates[0].fromPrior).not.toContain('hop');
  });

  it('where the contrast picks a reading out, its fields are measured', () => {
    const c = synthCase({ ...WIN[1].over, phaseFile: null, sampleRate: 16000 }, speech16);
    try {
      const top = analyzeEvidence(c.evidence, { top: 1 }).candidates[0];
      expect(top.config.hop).toBe(128);
      expect(top.fromPrior).toEqual([]);
    } finally {
      c.cleanup();
    }
  });
});
