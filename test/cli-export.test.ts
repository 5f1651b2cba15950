import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { readWav, snrDb } from './helpers.js';
import { demoSignal } from '../src/synth/signals.js';
import { makeStftFiles } from '../src/synth/make.js';
import type { StftConfig } from '../src/config/types.js';

const ROOT = join(import.meta.dirname, '..');
const S = (n: string) => join(ROOT, 'samples', n);
const tmp = mkdtempSync(join(tmpdir(), 'sd-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

describe('export with a known config', () => {
  it('reconstructs every bundled sample from its true config (float16/int16/float64/bin-major storage)', async () => {
    for (const name of ['librosa-default', 'torch-400', 'matlab-db-degrees', 'odd-int16']) {
      const truth = JSON.parse(readFileSync(S(`${name}.truth.json`), 'utf8')) as { sampleRate: number };
      const out = join(tmp, `${name}.wav`);
      const r = await cli('export', S(`${name}.mag`), S(`${name}.phase`), '--config', S(`${name}.truth.json`), '-o', out);
      expect(r.code, r.err).toBe(0);
      const wav = readWav(out);
      expect(wav.sampleRate).toBe(truth.sampleRate);
      const x = demoSignal(truth.sampleRate, name === 'torch-400' ? 2 : name === 'librosa-default' ? 1.5 : 1, 7);
      // Skip the few edge samples no window covers (reported as NOLA gaps).
      const snr = snrDb(x.subarray(8, wav.samples.length - 8), wav.samples.subarray(8, wav.samples.length - 8));
      // float32 files give ~130 dB; float16 magnitudes and int16 phase are lossy by design.
      expect(snr, name).toBeGreaterThan(name === 'odd-int16' ? 40 : 60);
    }
  });

  it('keeps every covered sample when originalLength is unknown (DESIGN.md §1: never fewer)', async () => {
    const base = JSON.parse(readFileSync(S('librosa-default.truth.json'), 'utf8')) as StftConfig;
    const f64 = { format: 'raw', dtype: 'float64', endian: 'little', headerBytes: 0, variable: null } as const;
    const x = demoSignal(16000, 2.5, 3).subarray(0, 40000);
    // A centred 1024/128 file (librosa/torch frame count: 1 + ⌊L/hop⌋, the last frame centred 64 samples
    // before the end), and an aubio-style phase vocoder whose last frame ends at the last sample.
    const cases: [string, Partial<StftConfig>, number][] = [
      ['centred', { nfft: 1024, hop: 128, winLength: 1024, bins: 513, frames: 313, firstFrameStart: -512 }, 40000],
      ['vocoder', { nfft: 512, hop: 128, winLength: 512, bins: 257, frames: 75, firstFrameStart: -384, phaseReference: 'window-centre' }, 9600],
    ];
    for (const [name, over, length] of cases) {
      const config: StftConfig = {
        ...base,
        layout: 'frame-major',
        magnitudeFile: f64,
        phaseFile: f64,
        center: true,
        sampleRate: 16000,
        ...over,
        originalLength: length,
      };
      const made = makeStftFiles(x.subarray(0, length), config);
      writeFileSync(join(tmp, `${name}.mag`), made.magnitude);
      writeFileSync(join(tmp, `${name}.phase`), made.phase!);
      writeFileSync(join(tmp, `${name}.json`), JSON.stringify({ ...config, originalLength: null }));
      const out = join(tmp, `${name}.wav`);
      const r = await cli(
        'export',
        join(tmp, `${name}.mag`),
        join(tmp, `${name}.phase`),
        '--config',
        join(tmp, `${name}.json`),
        '-o',
        out,
        '--bits',
        '32',
        '--normalize',
        'none',
      );
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/originalLength unknown: wrote every sample a frame covers/);
      const wav = readWav(out).samples;
      expect(wav.length, name).toBeGreaterThanOrEqual(length);
      // The last few samples lie under the window's near-zero tail alone (reported as gaps): judge the rest.
      expect(snrDb(x.subarray(0, length - 8), wav.subarray(0, length - 8)), name).toBeGreaterThan(140);
    }
  });

  it('writes 16- and 24-bit PCM, peak-normalised by default', async () => {
    for (const bits of ['16', '24']) {
      const out = join(tmp, `b${bits}.wav`);
      const r = await cli(
        'export',
        S('torch-400.mag'),
        S('torch-400.phase'),
        '--config',
        S('torch-400.truth.json'),
        '-o',
        out,
        '--bits',
        bits,
        '--sample-rate',
        '8000',
      );
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/at 8000 Hz \(from --sample-rate\).*peak-normalised/);
      const wav = readWav(out);
      expect(wav.bits).toBe(Number(bits));
      const peak = wav.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / (bits === '16' ? 32768 : 8388608);
      expect(peak).toBeGreaterThan(0.98);
      expect(peak).toBeLessThan(1);
    }
  });

  it('pins fields with --set on top of --config, and says where the sample rate came from', async () => {
    const out = join(tmp, 'set.wav');
    const r = await cli('export', S('torch-400.mag'), S('torch-400.phase'), '--config', S('torch-400.truth.json'), '--set', 'sampleRate=null', '-o', out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/44100 Hz \(a default/);
  });

  it('keeps an existing output unless --force, and leaves no temp file behind', async () => {
    const out = join(tmp, 'keep.wav');
    writeFileSync(out, 'precious');
    const args = ['export', S('torch-400.mag'), S('torch-400.phase'), '--config', S('torch-400.truth.json'), '-o', out];
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/keep\.wav: already exists \(use --force/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect((await cli(...args, '--force')).code).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('gives one-line errors with the documented exit codes', async () => {
    const cfg = S('torch-400.truth.json');
    const cases: [string[], number, RegExp][] = [
      [['export', S('nope.mag'), S('torch-400.phase'), '--config', cfg, '-o', join(tmp, 'a.wav')], 3, /nope\.mag: no such file/],
      [['export', S('torch-400.mag'), S('torch-400.phase'), '--config', cfg, '-o', join(tmp, 'missing-dir', 'a.wav')], 2, /missing-dir does not exist/],
      [
        ['export', S('torch-400.mag'), S('torch-400.phase'), '--config', cfg, '--set', 'hop=zero', '-o', join(tmp, 'b.wav')],
        2,
        /hop = "zero" is not valid \(allowed: an integer >= 1\)/,
      ],
      [
        ['export', S('torch-400.mag'), S('torch-400.phase'), '--config', cfg, '--set', 'window=hanning', '-o', join(tmp, 'b.wav')],
        2,
        /window = "hanning" is not valid \(allowed: hann, hamming/,
      ],
      [
        ['export', S('torch-400.mag'), S('torch-400.phase'), '--config', cfg, '--set', 'bins=300', '-o', join(tmp, 'b.wav')],
        2,
        /bins = 300 does not fit nfft = 400/,
      ],
      [
        ['export', S('torch-400.mag'), S('torch-400.phase'), '--config', cfg, '--set', 'frames=9999', '-o', join(tmp, 'b.wav')],
        3,
        /torch-400\.mag: holds 40401 (float32 )?values/,
      ],
      [
        ['export', S('torch-400.mag'), S('torch-400.phase'), '--config', join(tmp, 'none.json'), '-o', join(tmp, 'b.wav')],
        2,
        /none\.json: cannot read config \(no such file\)/,
      ],
      [['export', S('torch-400.mag'), S('torch-400.phase'), '--config', cfg, '-o', join(tmp, 'c.wav'), '--bits', '8'], 2, /--bits/],
      [['frobnicate'], 2, /unknown command/],
    ];
    for (const [argv, code, msg] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n').length, r.err).toBe(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(tmp, 'b.wav'))).toBe(false);
  });

  it('the installed binary runs and exits non-zero without a stack trace on bad input', () => {
    const bin = join(ROOT, 'dist', 'src', 'cli', 'main.js');
    const r = spawnSync(process.execPath, [bin, 'export', join(tmp, 'x'), '-o', join(tmp, 'y.wav'), '--config', S('torch-400.truth.json')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toMatch(/^spec-detect: .*x: no such file$/);
  });
});
