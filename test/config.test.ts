import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySets, completeConfig, consistencyProblem, missingFields, parseConfigObject } from '../src/config/parse.js';
import type { StftConfig } from '../src/config/types.js';

const truth = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'samples', 'torch-400.truth.json'), 'utf8')) as StftConfig;

describe('config model', () => {
  it('parses a whole config and a whole analyze candidate alike', () => {
    const a = completeConfig(parseConfigObject(truth, 't'), true, 't');
    const b = completeConfig(parseConfigObject({ rank: 1, score: -120, config: truth }, 't'), true, 't');
    // A config written before channels, binOrder and detrend existed takes their neutral values.
    const full = { channels: 1, binOrder: 'ascending', detrend: 'none', ...truth };
    expect(a).toEqual(full);
    expect(b).toEqual(full);
  });

  it('applies dotted --set pins and typed values', () => {
    const c = applySets({}, [
      'nfft=2048',
      'hop=512',
      'magnitudeFile.dtype=float64',
      'center=true',
      'dbFloor=-80',
      'gain=unknown',
      'window=kaiser-8.6',
      'phaseUnit=scaled-65536',
      'magnitudeScale=power-law-0.3',
      'phaseFile=null',
    ]);
    expect(c).toEqual({
      nfft: 2048,
      hop: 512,
      magnitudeFile: { dtype: 'float64' },
      center: true,
      dbFloor: -80,
      gain: 'unknown',
      window: 'kaiser-8.6',
      phaseUnit: 'scaled-65536',
      magnitudeScale: 'power-law-0.3',
      phaseFile: null,
    });
  });

  it('names the bad field and the allowed values', () => {
    expect(() => applySets({}, ['layout=rows'])).toThrow(/layout = "rows" is not valid \(allowed: frame-major, bin-major\)/);
    expect(() => applySets({}, ['magnitudeFile.dtype=float128'])).toThrow(/magnitudeFile\.dtype = "float128" is not valid \(allowed: float32, float64/);
    expect(() => applySets({}, ['colour=red'])).toThrow(/unknown field colour/);
    expect(() => applySets({}, ['window=tukey-2'])).toThrow(/window = "tukey-2"/);
    expect(() => applySets({}, ['nfft'])).toThrow(/expected key=value/);
    expect(() => parseConfigObject({ hop: 1.5 }, 'f.json')).toThrow(/f\.json: hop = 1\.5 is not valid/);
    expect(() => parseConfigObject([1], 'f.json')).toThrow(/must be a JSON object/);
  });

  it('lists what an incomplete config misses', () => {
    const partial = parseConfigObject({ nfft: 400 }, 'x');
    expect(missingFields(partial, true)).toContain('hop');
    expect(missingFields(partial, true)).toContain('phaseFile.dtype');
    expect(missingFields(partial, false)).not.toContain('phaseFile.dtype');
    expect(() => completeConfig(partial, true, 'x')).toThrow(/incomplete, missing layout, frames/);
  });

  it('checks cross-field consistency', () => {
    const ok = truth;
    expect(consistencyProblem(ok)).toBeNull();
    expect(consistencyProblem({ ...ok, sided: 'two' })).toMatch(/bins = 201 does not fit nfft = 400 with sided = two/);
    expect(consistencyProblem({ ...ok, winLength: 401 })).toMatch(/winLength = 401 exceeds nfft/);
    expect(consistencyProblem({ ...ok, center: false })).toMatch(/center = false but firstFrameStart = -200/);
    expect(consistencyProblem({ ...ok, sided: 'one-no-nyquist', nfft: 401, bins: 200 })).toMatch(/needs an even nfft/);
    expect(consistencyProblem({ ...ok, nfft: 401 })).toBeNull(); // odd nfft: (nfft+1)/2 = 201 bins
  });
});
