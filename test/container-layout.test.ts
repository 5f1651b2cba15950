import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { run } from '../src/cli/run.js';
import { completeConfig, parseConfigObject } from '../src/config/parse.js';
import type { StftConfig } from '../src/config/types.js';
import { reconstruct } from '../src/export/index.js';
import { mat5, npy } from './container-writers.js';
import { readWav, snrDb } from './helpers.js';
import { testConfig } from './synth-evidence.js';
import { frameCountFor, geometryFromConfig, stft } from '../src/dsp/stft.js';
import { demoSignal } from '../src/synth/signals.js';

/**
 * DESIGN.md §1: for a container that records a shape, `layout` names the array's axes as its maker
 * sees them, whatever the memory order. A (bins, frames) array is bin-major whether numpy saved it C- or
 * Fortran-ordered (np.save of a transposed view, of np.abs(Z) of a torch/scipy output) and a MATLAB
 * (bins, frames) matrix is bin-major too: that is what its maker types with --set. Analyze, --set,
 * --config and export must agree on that meaning.
 */
const tmp = mkdtempSync(join(tmpdir(), 'sd-layout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

const REAL = join(import.meta.dirname, 'fixtures', 'real');
const MANIFEST = JSON.parse(readFileSync(join(REAL, 'fixtures.json'), 'utf8')) as { fixtures: { name: string; signal: string; signalLength: number }[] };

function signalOf(name: string): Float64Array {
  const f = MANIFEST.fixtures.find((e) => e.name === name)!;
  const b = readFileSync(join(REAL, f.signal));
  return Float64Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).subarray(0, f.signalLength));
}

/** SNR after the best gain on y (a normalised STFT's gain is not identifiable). */
function siSnrDb(x: Float64Array, y: Float64Array): number {
  let xy = 0;
  let yy = 0;
  for (let i = 0; i < y.length; i++) {
    xy += x[i] * y[i];
    yy += y[i] * y[i];
  }
  return snrDb(
    x,
    y.map((v) => (v * xy) / yy),
  );
}

describe('real Fortran-order (bins, frames) npy pairs read as bin-major', () => {
  // np.save(np.abs(Z)) of a torch.stft / numpy (bins, frames) result writes Fortran order.
  for (const name of ['torch-400-160-nocenter-normalized-npy', 'torch-1024-256-twosided-npy', 'numpy-320-80-hamming-fortran-npy']) {
    const dir = join(REAL, name);
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as StftConfig;
    const mag = join(dir, 'mag.npy');
    const phase = join(dir, 'phase.npy');
    it(`${name}: analyze, --set layout=bin-major and the truth config agree`, async () => {
      const top = analyze(mag, phase).candidates[0].config;
      expect(top).toMatchObject({ layout: 'bin-major', frames: truth.frames, bins: truth.bins, nfft: truth.nfft, hop: truth.hop });
      const pinned = await cli('analyze', mag, phase, '--json', '--set', 'layout=bin-major', '--set', `nfft=${truth.nfft}`, '--set', `hop=${truth.hop}`);
      expect(pinned.code, pinned.err).toBe(0);
      const c = (JSON.parse(pinned.out) as { candidates: { config: StftConfig }[] }).candidates[0].config;
      expect(c).toMatchObject({ layout: 'bin-major', frames: truth.frames, bins: truth.bins });
      // The truth says bin-major (its maker's axes): as a --config it must read the file right.
      const config = completeConfig(parseConfigObject(truth, 'truth.json'), true, 'truth.json');
      const out = join(tmp, `${name}.wav`);
      const r = reconstruct(config, mag, phase, { output: out, bits: 32, normalize: 'none', force: true, parallel: false });
      const y = readWav(out).samples;
      const x = signalOf(name);
      // Inner samples (nfft in from both ends), scale-invariant: a normalised STFT's gain is not identifiable.
      const from = truth.nfft - Math.min(0, r.start);
      const to = Math.min(y.length, x.length - r.start) - truth.nfft;
      expect(to - from).toBeGreaterThan(truth.nfft);
      expect(siSnrDb(x.subarray(r.start + from, r.start + to), y.subarray(from, to))).toBeGreaterThan(60);
    });
  }

  it('the other orientation pinned reads 161 frames of 57 bins, and never confidently', () => {
    const dir = join(REAL, 'numpy-320-80-hamming-fortran-npy');
    const top = analyze(join(dir, 'mag.npy'), join(dir, 'phase.npy'), { pins: { layout: 'frame-major' } }).candidates[0];
    // (161, 57) as frame-major is 161 frames of 57 bins: no real DC column, the phase does not fit.
    expect(top.config).toMatchObject({ frames: 161, bins: 57 });
    expect(top.confidence).toBeLessThan(0.5);
  });
});

/** One STFT written as numpy and MATLAB would, in every memory order and orientation. */
describe('synthetic containers: the layout names the axes, whatever the memory order', () => {
  const x = demoSignal(16000, 1, 5);
  const base = testConfig({ nfft: 512, hop: 128, sampleRate: 16000 });
  const frames = frameCountFor(x.length, geometryFromConfig(base));
  const X = stft(x, geometryFromConfig(base), frames);
  const F = X.frames;
  const B = X.bins;
  const mag = new Float64Array(F * B);
  const ph = new Float64Array(F * B);
  for (let i = 0; i < F * B; i++) {
    mag[i] = Math.hypot(X.re[i], X.im[i]);
    ph[i] = Math.atan2(X.im[i], X.re[i]);
  }
  const transpose = (v: Float64Array): Float64Array => {
    const o = new Float64Array(v.length);
    for (let m = 0; m < F; m++) for (let k = 0; k < B; k++) o[k * F + m] = v[m * B + k];
    return o;
  };
  // v is frame-major in memory: (frames, bins) C order, (bins, frames) Fortran order.
  const cases: { what: string; ext: string; make: (v: Float64Array) => Uint8Array; layout: StftConfig['layout'] }[] = [
    { what: 'npy (frames, bins) C', ext: 'npy', make: (v) => npy(v, 'float32', 'little', [F, B], false), layout: 'frame-major' },
    { what: 'npy (frames, bins) F', ext: 'npy', make: (v) => npy(transpose(v), 'float32', 'little', [F, B], true), layout: 'frame-major' },
    { what: 'npy (bins, frames) C', ext: 'npy', make: (v) => npy(transpose(v), 'float64', 'big', [B, F], false), layout: 'bin-major' },
    { what: 'npy (bins, frames) F', ext: 'npy', make: (v) => npy(v, 'float32', 'little', [B, F], true), layout: 'bin-major' },
    { what: 'MAT v5 (bins, frames)', ext: 'mat', make: (v) => mat5('S', v, B, F), layout: 'bin-major' },
  ];
  for (const k of cases) {
    it(`${k.what}: ${k.layout} from analyze, from --set, and exported exactly`, () => {
      const mp = join(tmp, `${k.what.replace(/\W+/g, '_')}_m.${k.ext}`);
      const pp = join(tmp, `${k.what.replace(/\W+/g, '_')}_p.${k.ext}`);
      writeFileSync(mp, k.make(mag));
      writeFileSync(pp, k.make(ph));
      const top = analyze(mp, pp).candidates[0].config;
      expect(top).toMatchObject({ layout: k.layout, frames: F, bins: B, nfft: 512, hop: 128 });
      const pinned = analyze(mp, pp, { pins: { layout: k.layout, nfft: 512, hop: 128 } }).candidates[0].config;
      expect(pinned).toMatchObject({ layout: k.layout, frames: F, bins: B });
      // The true config as a user would write it (--config): its layout read by the axes.
      const obj = { ...base, frames: F, bins: B, layout: k.layout, magnitudeFile: top.magnitudeFile, phaseFile: top.phaseFile };
      const truth = completeConfig(parseConfigObject(obj, 'test'), true, 'test');
      const out = join(tmp, `${k.what.replace(/\W+/g, '_')}.wav`);
      reconstruct(truth, mp, pp, { output: out, bits: 32, normalize: 'none', force: true, parallel: false });
      const y = readWav(out).samples;
      expect(snrDb(x.subarray(0, y.length), y)).toBeGreaterThan(60);
    });
  }
});
