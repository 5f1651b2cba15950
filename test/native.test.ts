import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { readWav, snrDb } from './helpers.js';

/**
 * One STFT as people's native tools save it (numpy .npy complex and Fortran-order big-endian pairs,
 * np.savez_compressed with named members, scipy.io.savemat complex, MAT v7.3 laid out as MATLAB's
 * save -v7.3 does, CSV with a header + whitespace text): made by scripts/fixtures/native_containers.py
 * and native_mat73.py (h5py), committed. Analyze must find the transform and
 * export must bring the audio back.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'native');
const truth = JSON.parse(readFileSync(join(DIR, 'truth.json'), 'utf8')) as Record<string, unknown>;
const raw = readFileSync(join(DIR, 'signal.f64'));
const signal = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const tmp = mkdtempSync(join(tmpdir(), 'sd-native-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

const CASES: [string, string[], string][] = [
  ['npy complex64', ['complex.npy'], 'npy'],
  ['npy big-endian Fortran-order pair', ['mag_F.npy', 'phase_F.npy'], 'npy'],
  ['npz with S and P members', ['pair.npz'], 'npz'],
  ['MAT v5 compressed complex', ['matlab.mat'], 'mat'],
  ['MAT v7.3 (HDF5) complex with f, t, fs beside it', ['matlab73.mat'], 'mat'],
  ['MAT v7.3 (HDF5) single mag and phase variables', ['matlab73_pair.mat'], 'mat'],
  ['CSV with a header + whitespace text', ['mag.csv', 'phase.txt'], 'csv'],
];

describe('containers written by their native tools: analyze then export', () => {
  for (const [name, files, format] of CASES) {
    it(name, async () => {
      const paths = files.map((f) => join(DIR, f));
      const a = await cli('analyze', ...paths, '--json');
      expect(a.code, a.err).toBe(0);
      const j = JSON.parse(a.out) as { candidates: { config: Record<string, unknown> & { magnitudeFile: { format: string } } }[] };
      const c = j.candidates[0].config;
      expect(c.magnitudeFile.format).toBe(format);
      for (const f of [
        'frames',
        'bins',
        'nfft',
        'sided',
        'hop',
        'winLength',
        'window',
        'windowSymmetry',
        'center',
        'firstFrameStart',
        'phaseReference',
        'phaseSign',
      ]) {
        expect(c[f], `${name}: ${f}`).toEqual(truth[f]);
      }
      const out = join(tmp, `${files[0]}.wav`);
      const e = await cli('export', ...paths, '-o', out, '--normalize', 'none');
      expect(e.code, e.err).toBe(0);
      const y = readWav(out).samples;
      expect(snrDb(signal.subarray(0, y.length), y), name).toBeGreaterThan(60);
    });
  }
});
