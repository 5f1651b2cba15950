import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completeConfig, parseConfigObject } from '../src/config/parse.js';
import { exportWithConfig } from '../src/export/index.js';
import { readWav, snrDb } from './helpers.js';

/**
 * STFT files written by other programs' conventions (scipy.signal.stft, scipy ShortTimeFFT, librosa,
 * MATLAB column-major float64, torch reflect padding with nfft 400, an odd nfft): made by
 * scripts/fixtures/foreign_stfts.py with numpy/scipy, committed, and reconstructed here from their true configs.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'foreign');
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Record<string, unknown>;
const buf = readFileSync(join(DIR, 'signal.f64'));
const signal = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
const tmp = mkdtempSync(join(tmpdir(), 'sd-foreign-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('reconstruction of files made by other programs, given their true config', () => {
  for (const name of Object.keys(cases)) {
    it(`${name}: >= 60 dB`, () => {
      const config = completeConfig(parseConfigObject(cases[name], name), true, name);
      const out = join(tmp, `${name}.wav`);
      const r = exportWithConfig(config, join(DIR, `${name}.mag`), join(DIR, `${name}.phase`), {
        output: out,
        bits: 32,
        normalize: 'none',
        force: false,
      });
      const wav = readWav(out);
      expect(wav.sampleRate).toBe(16000);
      expect(wav.samples.length).toBe(r.samples);
      if (config.originalLength !== null) expect(r.samples).toBe(config.originalLength);
      const ref = signal.subarray(r.start, r.start + r.samples);
      const gaps = new Set<number>();
      for (const g of r.gaps) for (let i = g.start; i < g.end; i++) gaps.add(i - r.start);
      const snr = snrDb(ref, wav.samples, (i) => gaps.has(i));
      console.log(`${name}: ${r.samples} samples, SNR ${snr.toFixed(1)} dB, ${gaps.size} uncovered`);
      expect(snr).toBeGreaterThan(60);
    });
  }
});
