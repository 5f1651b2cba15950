import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StftConfig } from '../src/config/types.js';
import { reconstruct } from '../src/export/index.js';
import { analyze } from '../src/analyze/index.js';
import { readWav, siSnrDb } from './helpers.js';
import { mat5 } from './container-writers.js';

/**
 * Issue #15, the files the readers could not describe: torch.save (.pt) real, complex and 3-D tensors,
 * JSON nested lists, and labelled tables (pandas to_csv, a writetable-style CSV). Made by the real
 * programs (scripts/real-fixtures); each has a truth.json. Per fixture: every field of the rank-1
 * config right (sampleRate only where the file states it: the labelled tables), export SI-SNR ≥ 60 dB
 * against the fixture's signal, and the labelled tables' rate in the WAV header. Abstentions (gain
 * 'unknown', originalLength null) are not wrong values, as in test/real-fixtures.test.ts.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'real');
interface Entry {
  name: string;
  dir: string;
  magnitude: string;
  phase: string | null;
  signal: string;
  signalLength: number;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'fixtures.json'), 'utf8')) as { fixtures: Entry[] };
const entry = (name: string): Entry => manifest.fixtures.find((f) => f.name === name) as Entry;
const tmp = mkdtempSync(join(tmpdir(), 'sd-kinds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Truth = Record<string, unknown>;

function wrongFields(truth: Truth, got: StftConfig, rateStated: boolean): string[] {
  const g = got as unknown as Record<string, unknown>;
  const wrong: string[] = [];
  for (const [k, tv] of Object.entries(truth)) {
    const gv = g[k];
    if (k === 'sampleRate' && !rateStated) continue;
    if ((k === 'gain' && gv === 'unknown') || (k === 'originalLength' && gv === null)) continue;
    if ((k === 'originalLength' || k === 'padMode') && !truth.center) continue;
    if (k === 'windowPlacement' && !((truth.winLength as number) < (truth.nfft as number))) continue;
    if ((k === 'magnitudeFile' || k === 'phaseFile') && tv !== null && gv !== null) {
      for (const sub of ['format', 'dtype', 'endian', 'headerBytes']) {
        const a = (tv as Record<string, unknown>)[sub];
        const b = (gv as Record<string, unknown>)[sub];
        if (a !== b) wrong.push(`${k}.${sub}=${JSON.stringify(b)} (truth ${JSON.stringify(a)})`);
      }
      continue;
    }
    if (k === 'gain' && typeof tv === 'number' && typeof gv === 'number') {
      if (Math.abs(gv - tv) > 1e-3 * Math.abs(tv)) wrong.push(`gain=${gv} (truth ${tv})`);
      continue;
    }
    if (JSON.stringify(tv) !== JSON.stringify(gv)) wrong.push(`${k}=${JSON.stringify(gv)} (truth ${JSON.stringify(tv)})`);
  }
  return wrong;
}

/** Export rank 1 and measure it over the interior against the reference signal. */
function exportAndMeasure(f: Entry, config: StftConfig): { snr: number; sampleRate: number } {
  const b = readFileSync(join(DIR, f.signal));
  const x = Float64Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).subarray(0, f.signalLength));
  const out = join(tmp, `${f.name}.wav`);
  const mag = join(DIR, f.dir, f.magnitude);
  const r = reconstruct(config, mag, f.phase ? join(DIR, f.dir, f.phase) : null, { output: out, bits: 32, normalize: 'none', force: true, parallel: false });
  const wav = readWav(out);
  const y = wav.samples;
  const from = Math.max(config.nfft, -r.start);
  const to = Math.min(y.length - config.nfft, x.length - r.start);
  return { snr: siSnrDb(x.subarray(r.start + from, r.start + to), y.subarray(from, to)), sampleRate: wav.sampleRate };
}

const CASES: { name: string; rateStated: boolean }[] = [
  { name: 'torch-save-real-power', rateStated: false },
  { name: 'torch-save-complex', rateStated: false },
  { name: 'torch-save-view-as-real', rateStated: false },
  { name: 'json-lists', rateStated: false },
  { name: 'pandas-csv-labelled', rateStated: true },
  { name: 'octave-writetable-csv', rateStated: true },
];

describe('issue #15: containers and labels the readers did not describe', () => {
  for (const c of CASES) {
    it(`${c.name}: every field right at rank 1, export >= 60 dB${c.rateStated ? ', the labelled rate in the WAV' : ''}`, () => {
      const f = entry(c.name);
      const truth = JSON.parse(readFileSync(join(DIR, f.dir, 'truth.json'), 'utf8')) as Truth;
      const r = analyze(join(DIR, f.dir, f.magnitude), f.phase ? join(DIR, f.dir, f.phase) : null, { top: 3 });
      const top = r.candidates[0].config;
      const wrong = wrongFields(truth, top, c.rateStated);
      const m = exportAndMeasure(f, top);
      console.log(`${c.name}: ${wrong.length ? `wrong ${wrong.join('; ')}` : 'every field right'}; SI-SNR ${m.snr.toFixed(1)} dB; WAV ${m.sampleRate} Hz`);
      expect(wrong).toEqual([]);
      expect(m.snr).toBeGreaterThanOrEqual(60);
      if (c.rateStated) expect(m.sampleRate).toBe(truth.sampleRate);
    });
  }

  it('torch-stereo-pt: the (2, 129, 32) tensor is read as two channels, exactly as its npy twin', () => {
    const f = entry('torch-stereo-pt');
    const top = analyze(join(DIR, f.dir, f.magnitude), join(DIR, f.dir, f.phase as string), { top: 1 }).candidates[0];
    expect(top.config.magnitudeFile.format).toBe('pt');
    expect(top.config.channels).toBe(2);
    const npy = entry('torch-stereo-npy');
    const same = analyze(join(DIR, npy.dir, npy.magnitude), join(DIR, npy.dir, npy.phase as string), { top: 1 }).candidates[0].config;
    expect({ ...top.config, magnitudeFile: null, phaseFile: null }).toEqual({ ...same, magnitudeFile: null, phaseFile: null });
  });
});

describe('the sample rate stated beside the arrays', () => {
  it("a frequency vector (np.savez S, P, f, t of scipy's stft): its step × nfft, and the WAV at that rate", () => {
    const npz = join(import.meta.dirname, 'fixtures', 'bin-order', 'noise-flipud-labelled.npz');
    const top = analyze(npz, null, { top: 1 }).candidates[0];
    expect(top.config.sampleRate).toBe(8000);
    expect(top.evidence.find((e) => e.field === 'sampleRate')?.source).toBe('labels');
    const out = join(tmp, 'labelled.wav');
    reconstruct(top.config, npz, npz, { output: out, bits: 16, normalize: 'peak', force: true, parallel: false });
    expect(readWav(out).sampleRate).toBe(8000);
  });

  /**
   * MAT v5 files made from the scipy.signal.stft fixture's raw (bins, frames) arrays: `vars` are
   * [name, file] pairs ('mag.bin', 'phase.bin') or [name, scalar]; `compressed` deflates each variable.
   */
  const scipyMat = (name: string, vars: [string, string | number][], compressed = false): string => {
    const dir = join(DIR, 'scipy-stft-default');
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as StftConfig;
    // The raw files are (bins, frames) in C order; a MAT matrix of bins rows is stored column by column.
    const columnMajor = (f: string): Float64Array => {
      const b = readFileSync(join(dir, f));
      const v = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      const out = new Float64Array(v.length);
      for (let k = 0; k < truth.bins; k++) for (let m = 0; m < truth.frames; m++) out[m * truth.bins + k] = v[k * truth.frames + m];
      return out;
    };
    const elements = vars.map(([n, v]) =>
      typeof v === 'number' ? mat5(n, Float64Array.of(v), 1, 1, compressed) : mat5(n, columnMajor(v), truth.bins, truth.frames, compressed),
    );
    const file = join(tmp, name);
    // One header, then each variable's element.
    writeFileSync(file, Buffer.concat([Buffer.from(elements[0]), ...elements.slice(1).map((v) => Buffer.from(v.subarray(128)))]));
    return file;
  };

  it("a scalar fs (scipy.io.savemat({'S': ..., 'P': ..., 'fs': 8000})): the rate, and nothing from a scalar that is no audio rate", () => {
    const mat = (rate: number): string =>
      scipyMat(`with-fs-${rate}.mat`, [
        ['S', 'mag.bin'],
        ['P', 'phase.bin'],
        ['fs', rate],
      ]);
    const top = analyze(mat(8000), null, { top: 1 }).candidates[0];
    expect(top.config).toMatchObject({ nfft: 256, hop: 128, sampleRate: 8000 });
    expect(top.evidence.find((e) => e.field === 'sampleRate')?.reason).toMatch(/holds fs = 8000/);
    // 12 is a frame rate or a count, not an audio rate: the sample rate stays the recipe's prior.
    const other = analyze(mat(12), null, { top: 1 }).candidates[0];
    expect(other.evidence.find((e) => e.field === 'sampleRate')?.source).not.toBe('labels');
  });

  it('two arrays whose names tell nothing, the phase saved first (savemat X1 = angle, X2 = abs): read the other way round', () => {
    // Compressed too: both variables then read through the container, alike in every storage field but their name.
    for (const [name, first, second, magnitudes, compressed] of [
      ['phase-first.mat', 'phase.bin', 'mag.bin', 'X2', false],
      ['phase-first-compressed.mat', 'phase.bin', 'mag.bin', 'X2', true],
      ['magnitude-first.mat', 'mag.bin', 'phase.bin', 'X1', false],
    ] as const) {
      const file = scipyMat(
        name,
        [
          ['X1', first],
          ['X2', second],
        ],
        compressed,
      );
      const r = analyze(file, null, { top: 1 });
      const c = r.candidates[0];
      expect([c.config.magnitudeFile.variable, c.config.phaseFile?.variable], name).toEqual([magnitudes, magnitudes === 'X1' ? 'X2' : 'X1']);
      expect(c.config).toMatchObject({ nfft: 256, hop: 128 });
      expect(c.consistencyErrorDb!, name).toBeLessThan(-100);
      expect(r.notes[0], name).toMatch(
        magnitudes === 'X2' ? /magnitudes "X2", phases "X1" \(no telling names: read the other way round/ : /by their order in the file/,
      );
    }
  });
});
