import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StftConfig } from '../src/config/types.js';
import { fillRun, MAX_FILL } from '../src/dsp/gap-fill.js';
import { reconstruct } from '../src/export/index.js';
import { demoSignal } from '../src/synth/signals.js';
import { readWav, siSnrDb } from './helpers.js';
import { rawStorage, synthCase } from './synth-evidence.js';

/**
 * Samples no window weight reaches (DESIGN.md §4.12): a block FFT under a window with exact zero ends
 * (np.hanning) leaves them out of the file. Export fills short runs of them from their neighbours and
 * says how many; a window without zeros, overlapping frames and a gap between blocks fill nothing.
 */

const tmp = mkdtempSync(join(tmpdir(), 'sd-gapfill-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fillRun (least-squares AR interpolation)', () => {
  it('restores two missing samples of a sum of sinusoids closely', () => {
    const n = 800;
    const x = Float64Array.from({ length: n }, (_, t) => Math.sin(0.05 * t) + 0.5 * Math.sin(0.31 * t + 1) + 0.2 * Math.sin(1.1 * t));
    const s = x.slice();
    s.fill(0, 400, 402);
    expect(fillRun(s, 400, 402)).toBe(true);
    for (const t of [400, 401]) expect(Math.abs(s[t] - x[t])).toBeLessThan(1e-3);
  });

  it('refuses a run too long or without enough context, and leaves the samples alone', () => {
    const s = Float64Array.from({ length: 400 }, (_, t) => Math.sin(0.1 * t));
    const copy = s.slice();
    expect(fillRun(s, 200, 200 + MAX_FILL + 1)).toBe(false);
    expect(fillRun(s, 10, 12)).toBe(false);
    expect(s).toEqual(copy);
  });
});

describe('export of a block FFT fills what the window wipes out, and only that', () => {
  const x = demoSignal(16000, 1, 5);
  const block = (over: Partial<StftConfig>): Partial<StftConfig> => ({
    center: false,
    padMode: 'none',
    firstFrameStart: 0,
    sampleRate: 16000,
    magnitudeFile: rawStorage({ dtype: 'float64' }),
    phaseFile: rawStorage({ dtype: 'float64' }),
    ...over,
  });
  const exportOf = (over: Partial<StftConfig>) => {
    const sc = synthCase(block(over), x);
    try {
      const output = join(tmp, 'out.wav');
      const r = reconstruct(sc.config, sc.magPath, sc.phasePath, { output, bits: 32, normalize: 'none', force: true, parallel: false });
      const y = readWav(output).samples;
      const n = Math.min(y.length, x.length);
      const filled = r.filled.reduce((s, g) => s + g.end - g.start, 0);
      return { r, filled, snr: siSnrDb(x.subarray(512, n - 512), y.subarray(512, n - 512)) };
    } finally {
      sc.cleanup();
    }
  };

  it('np.hanning-style blocks (symmetric Hann, exact zero ends): two samples per seam filled, the export far above the zeros', () => {
    const { r, filled, snr } = exportOf({ nfft: 512, bins: 257, hop: 512, window: 'hann', windowSymmetry: 'symmetric' });
    const seams = Math.floor(x.length / 512) - 1;
    // float64 values divide usefully down to the window's second sample: only its exact zeros are missing.
    expect(r.filled.length).toBe(seams);
    expect(filled).toBe(2 * seams);
    expect(snr).toBeGreaterThan(40);
  });

  it('a symmetric Hamming window (no zeros) fills nothing: every sample is in the file', () => {
    const { r, snr } = exportOf({ nfft: 256, bins: 129, hop: 256, window: 'hamming', windowSymmetry: 'symmetric' });
    expect(r.filled).toEqual([]);
    expect(r.gaps).toEqual([]);
    expect(snr).toBeGreaterThan(100);
  });

  it('a gap between blocks (hop > nfft) is not invented', () => {
    const { r } = exportOf({ nfft: 256, bins: 129, hop: 384, window: 'hamming' });
    expect(r.filled).toEqual([]);
    expect(r.gaps.length).toBeGreaterThan(0);
    expect(r.gaps.every((g) => g.end - g.start > MAX_FILL)).toBe(true);
  });

  it('overlapping frames fill nothing', () => {
    const { r, snr } = exportOf({ nfft: 512, bins: 257, hop: 128, window: 'hann', windowSymmetry: 'symmetric' });
    expect(r.filled).toEqual([]);
    expect(snr).toBeGreaterThan(100);
  });
});
