import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffContainer } from '../src/io/containers/index.js';
import { readWav, snrDb } from './helpers.js';

/**
 * The package entry (package.json "main": dist/src/index.js) and HDF5 loading on demand. This file
 * imports the container readers alone first, so HDF5 support starts unloaded here.
 */
const ROOT = join(import.meta.dirname, '..');
const V73 = join(ROOT, 'test', 'fixtures', 'native', 'matlab73.mat');
const tmp = mkdtempSync(join(tmpdir(), 'sd-lib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('library entry', () => {
  it('an HDF5 file before HDF5 support is loaded: a one-line InputError that says how to load it', () => {
    expect(() => sniffContainer(V73)).toThrow(/matlab73\.mat: is an HDF5 \(MAT v7\.3\) file and HDF5 support is not loaded \(await loadHdf5\(\) first\)/);
  });

  it('importing the entry loads HDF5 support; analyze and reconstruct run as the CLI does', async () => {
    const lib = await import('../src/index.js');
    expect(lib.anyHdf5([V73, join(ROOT, 'samples', 'torch-400.mag')])).toBe(true);
    expect(sniffContainer(V73).arrays.map((a) => a.name)).toEqual(['f', 'fs', 's', 't']);
    const mag = join(ROOT, 'samples', 'torch-400.mag');
    const phase = join(ROOT, 'samples', 'torch-400.phase');
    const r = lib.analyze(mag, phase);
    const truth = lib.completeConfig(lib.readConfigFile(join(ROOT, 'samples', 'torch-400.truth.json')), true, 'truth');
    expect(r.candidates[0].config).toMatchObject({
      nfft: truth.nfft,
      hop: truth.hop,
      window: truth.window,
      windowSymmetry: truth.windowSymmetry,
      center: truth.center,
    });
    const out = join(tmp, 'lib.wav');
    lib.reconstruct(r.candidates[0].config, mag, phase, { output: out, sampleRate: 16000, bits: 32, normalize: 'none', force: false });
    const ref = join(tmp, 'ref.wav');
    lib.reconstruct(truth, mag, phase, { output: ref, sampleRate: 16000, bits: 32, normalize: 'none', force: false });
    expect(snrDb(readWav(ref).samples, readWav(out).samples)).toBeGreaterThan(60);
    expect(lib.ANALYZERS.map((a) => a.name)).toContain('recipe');
    expect(readFileSync(out).length).toBeGreaterThan(44);
  });
});
