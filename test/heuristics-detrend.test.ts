import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detrend as detrendAnalyzer } from '../heuristics/detrend/index.js';
import { hopAnalyzer } from '../heuristics/hop/index.js';
import { phaseConvention } from '../heuristics/phase-convention/index.js';
import { Evidence } from '../src/analysis/evidence.js';
import type { Detrend, PartialStftConfig, WindowName } from '../src/config/types.js';
import { geometryFromConfig } from '../src/dsp/stft.js';
import { detrendedStft, signal } from './detrend-helpers.js';

/**
 * The detrend analyzer as a table: detrended STFTs where the right model must win, plain ones where
 * 'none' must, and inputs where it must abstain (no overlap, no phase).
 */
const tmp = mkdtempSync(join(tmpdir(), 'sd-detrend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const raw = { format: 'raw', dtype: 'float64', endian: 'little', headerBytes: 0, variable: null } as const;

interface Case {
  name: string;
  nfft: number;
  winLength: number;
  hop: number;
  window: WindowName;
  made: Detrend;
}

/** Write the case's magnitude and phase files; return them with every field but detrend fixed. */
function files(c: Case, withPhase = true): { mag: string; phase: string | null; fixed: PartialStftConfig } {
  const fields = {
    nfft: c.nfft,
    hop: c.hop,
    winLength: c.winLength,
    window: c.window,
    sided: 'one',
    windowPlacement: 'start',
    windowSymmetry: 'periodic',
    firstFrameStart: 0,
    padMode: 'none',
    phaseReference: 'frame-start',
    phaseSign: '+',
    gain: 1,
  } as const;
  const g = geometryFromConfig(fields);
  const X = detrendedStft(signal(c.nfft + 60 * c.hop, 0.1), g, c.winLength, c.made);
  const n = X.frames * X.bins;
  const mag = new Float64Array(n);
  const ph = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mag[i] = Math.hypot(X.re[i], X.im[i]);
    ph[i] = Math.atan2(X.im[i], X.re[i]);
  }
  const base = join(tmp, c.name.replace(/\W+/g, '-'));
  writeFileSync(`${base}.mag`, mag);
  writeFileSync(`${base}.phase`, ph);
  const fixed: PartialStftConfig = {
    ...fields,
    magnitudeFile: raw,
    phaseFile: withPhase ? raw : null,
    layout: 'frame-major',
    frames: X.frames,
    bins: X.bins,
    magnitudeScale: 'linear',
    dbFloor: null,
    phaseUnit: 'radians',
  };
  return { mag: `${base}.mag`, phase: withPhase ? `${base}.phase` : null, fixed };
}

const WINS: Case[] = [
  { name: 'spectrogram defaults, constant', nfft: 256, winLength: 256, hop: 224, window: 'tukey-0.25', made: 'constant' },
  { name: 'tukey 128/32, constant', nfft: 128, winLength: 128, hop: 32, window: 'tukey-0.25', made: 'constant' },
  { name: 'hamming 200 in 256 hop 50, linear', nfft: 256, winLength: 200, hop: 50, window: 'hamming', made: 'linear' },
  { name: 'hann 512/128, linear', nfft: 512, winLength: 512, hop: 128, window: 'hann', made: 'linear' },
  { name: 'hann 512/128, none', nfft: 512, winLength: 512, hop: 128, window: 'hann', made: 'none' },
  { name: 'tukey 256/224, none', nfft: 256, winLength: 256, hop: 224, window: 'tukey-0.25', made: 'none' },
  { name: 'blackman 256/64, none', nfft: 256, winLength: 256, hop: 64, window: 'blackman', made: 'none' },
];

describe('detrend analyzer', () => {
  for (const c of WINS) {
    it(`decides ${c.made}: ${c.name}`, () => {
      const f = files(c);
      const ev = new Evidence(f.mag, f.phase);
      try {
        const r = detrendAnalyzer.run(ev, f.fixed);
        expect(r.hypotheses[0]?.values.detrend, r.hypotheses[0]?.reason ?? r.undecided).toBe(c.made);
      } finally {
        ev.close();
      }
    });
  }

  it('abstains when frames do not overlap (a removed mean leaves no trace)', () => {
    const f = files({ name: 'block', nfft: 256, winLength: 256, hop: 256, window: 'hann', made: 'constant' });
    const ev = new Evidence(f.mag, f.phase);
    try {
      const r = detrendAnalyzer.run(ev, f.fixed);
      expect(r.hypotheses).toEqual([]);
      expect(r.undecided).toMatch(/do not overlap/);
    } finally {
      ev.close();
    }
  });

  it('does not apply to magnitudes alone', () => {
    const f = files({ name: 'magonly', nfft: 256, winLength: 256, hop: 64, window: 'hann', made: 'constant' }, false);
    const ev = new Evidence(f.mag, null);
    try {
      expect(detrendAnalyzer.applies(ev, f.fixed)).toBe(false);
    } finally {
      ev.close();
    }
  });
});

/** What the hop and phase-convention analyzers see: the fields fixed before the transform stage. */
function beforeTransform(fixed: PartialStftConfig): PartialStftConfig {
  const keys = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'] as const;
  return Object.fromEntries(keys.map((k) => [k, fixed[k]]));
}

/**
 * The overlap test behind the hop and the phase convention, on detrended segments: neighbouring segments
 * then differ by a trend times the window, and only a trend-aware test finds the hop. It must still find
 * the plain hop without any trend on files that were not detrended, and no hop where frames do not overlap.
 */
describe('hop and phase convention of detrended segments', () => {
  for (const c of WINS) {
    it(`hop ${c.hop} of ${c.nfft}, frame-start +: ${c.name}`, () => {
      const f = files(c);
      const ev = new Evidence(f.mag, f.phase);
      try {
        const fixed = beforeTransform(f.fixed);
        const hop = hopAnalyzer.run(ev, fixed);
        const best = hop.hypotheses[0];
        expect(best?.values.hop, best?.reason ?? hop.undecided).toBe(c.hop);
        expect(best.score, best.reason).toBeGreaterThan(0.5);
        // Not detrended: the plain test is exact, no trend is projected out.
        if (c.made === 'none') expect(best.metrics?.trend, best.reason).toBe('none');
        const conv = phaseConvention.run(ev, { ...fixed, hop: c.hop });
        expect(conv.hypotheses[0]?.values, conv.hypotheses[0]?.reason ?? conv.undecided).toEqual({ phaseReference: 'frame-start', phaseSign: '+' });
      } finally {
        ev.close();
      }
    });
  }

  it('the spectrogram default (tukey 256/224, constant) is found only once the trend is projected out', () => {
    const f = files(WINS[0]);
    const ev = new Evidence(f.mag, f.phase);
    try {
      const best = hopAnalyzer.run(ev, beforeTransform(f.fixed)).hypotheses[0];
      expect(best.values.hop).toBe(224);
      expect(best.metrics?.trend, best.reason).toBe('constant');
    } finally {
      ev.close();
    }
  });

  it('finds no overlap in a block FFT: a per-pair trend does not make neighbouring blocks line up', () => {
    for (const window of ['rectangular', 'hann'] as const) {
      const f = files({ name: `block-${window}`, nfft: 256, winLength: 256, hop: 256, window, made: 'none' });
      const ev = new Evidence(f.mag, f.phase);
      try {
        const best = hopAnalyzer.run(ev, beforeTransform(f.fixed)).hypotheses[0];
        expect(best?.values.hop, `${window}: ${best?.reason}`).toBe(256);
      } finally {
        ev.close();
      }
    }
  });
});
