import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StftConfig } from '../src/config/types.js';
import { frameCountFor, geometryFromConfig, stft } from '../src/dsp/stft.js';
import { type ExportOptions, type ExportResult, exportWithConfig } from '../src/export/index.js';
import { encodeValues } from '../src/io/dtype.js';
import { makeStftFiles } from '../src/synth/make.js';
import { demoSignal } from '../src/synth/signals.js';

/**
 * The parallel export (worker threads, src/export/parallel.ts) against the sequential one. Workers
 * are compiled JavaScript, so the parallel side runs the built dist in a child process (`npm test`
 * builds first) while the sequential side runs here, from the sources; both must write the same WAV.
 */
const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist', 'src');
const tmp = mkdtempSync(join(tmpdir(), 'sd-parallel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RAW = { format: 'raw' as const, dtype: 'float32' as const, endian: 'little' as const, headerBytes: 0, variable: null };

function config(over: Partial<StftConfig> & { nfft: number; hop: number }): StftConfig {
  return {
    magnitudeFile: RAW,
    phaseFile: RAW,
    layout: 'frame-major',
    frames: 0,
    bins: over.nfft / 2 + 1,
    sided: 'one',
    winLength: over.nfft,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    center: true,
    padMode: 'zeros',
    firstFrameStart: -over.nfft / 2,
    phaseReference: 'frame-start',
    phaseSign: '+',
    magnitudeScale: 'linear',
    dbFloor: null,
    gain: 1,
    phaseUnit: 'radians',
    sampleRate: 16000,
    originalLength: null,
    ...over,
  };
}

interface Case {
  name: string;
  config: StftConfig;
  mag: string;
  phase: string | null;
  opts: Pick<ExportOptions, 'bits' | 'normalize'>;
}

/** Write the files of `c` for `seconds` of the demo signal; frames (and originalLength) follow from the signal. */
function makeCase(name: string, c: StftConfig, seconds: number, opts: Case['opts'] = { bits: 32, normalize: 'none' }): Case {
  const x = demoSignal(c.sampleRate ?? 16000, seconds, 3);
  const cfg: StftConfig = { ...c, frames: frameCountFor(x.length, geometryFromConfig(c)), originalLength: c.center ? x.length : null };
  const mag = join(tmp, `${name}.mag`);
  if (cfg.magnitudeFile.dtype === 'complex64') {
    // One interleaved complex file, no phase file.
    const X = stft(x, geometryFromConfig(cfg), cfg.frames);
    const v = new Float64Array(2 * X.re.length);
    for (let i = 0; i < X.re.length; i++) [v[2 * i], v[2 * i + 1]] = [X.re[i], X.im[i]];
    writeFileSync(mag, encodeValues(v, 'float32', 'little'));
    return { name, config: cfg, mag, phase: null, opts };
  }
  const files = makeStftFiles(x, cfg);
  const phase = join(tmp, `${name}.phase`);
  writeFileSync(mag, files.magnitude);
  writeFileSync(phase, files.phase ?? new Uint8Array(0));
  return { name, config: cfg, mag, phase, opts };
}

/** The samples of a WAV this project wrote (44-byte header; float32, int16 or int24), fast on long files. */
function wavSamples(file: string): Float64Array {
  const b = readFileSync(file);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const bits = dv.getUint16(34, true);
  const n = dv.getUint32(40, true) / (bits / 8);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = 44 + (i * bits) / 8;
    if (bits === 32) out[i] = dv.getFloat32(o, true);
    else if (bits === 16) out[i] = dv.getInt16(o, true);
    else out[i] = (dv.getInt8(o + 2) << 16) | dv.getUint16(o, true);
  }
  return out;
}

function sequential(c: Case): { result: ExportResult; samples: Float64Array } {
  const output = join(tmp, `${c.name}.seq.wav`);
  const result = exportWithConfig(c.config, c.mag, c.phase, { output, force: true, parallel: false, ...c.opts });
  expect(result.threads).toBe(1);
  return { result, samples: wavSamples(output) };
}

/** A child process running the built export with the given options; `onProgress` is code run in its progress callback. */
function child(c: Case, output: string, extra: { parallel?: boolean | number; onProgress?: string } = {}): { status: number | null; out: string; err: string } {
  const cfgFile = join(tmp, `${c.name}.json`);
  writeFileSync(cfgFile, JSON.stringify(c.config));
  const code = `
    import { readFileSync, truncateSync } from 'node:fs';
    const { exportWithConfig } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'export', 'index.js')).href)});
    const [cfg, mag, phase, output, opts] = process.argv.slice(1);
    let calls = 0;
    const onProgress = (f) => { calls++; ${extra.onProgress ?? ''} };
    const r = exportWithConfig(JSON.parse(readFileSync(cfg, 'utf8')), mag, phase === '-' ? null : phase, { output, force: true, onProgress, ...JSON.parse(opts) });
    console.log(JSON.stringify({ ...r, calls }));`;
  const opts = JSON.stringify({ ...c.opts, ...(extra.parallel !== undefined ? { parallel: extra.parallel } : {}) });
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, cfgFile, c.mag, c.phase ?? '-', output, opts], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function expectSameWav(a: Float64Array, b: Float64Array, what: string): void {
  expect(b.length, what).toBe(a.length);
  let peak = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    peak = Math.max(peak, Math.abs(a[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  expect(peak, what).toBeGreaterThan(0);
  expect(diff / peak, what).toBeLessThanOrEqual(1e-6);
}

const cases: Case[] = [];
const twoCores = availableParallelism() >= 2;

beforeAll(() => {
  if (!existsSync(join(DIST, 'export', 'worker.js'))) throw new Error('dist/src/export/worker.js is missing: run `npm run build` first');
  cases.push(
    // Above the default threshold (frames × bins ≥ 2^21), so the plain CLI goes parallel too.
    makeCase('librosa-like', config({ nfft: 1024, hop: 256, sampleRate: 44100 }), 25),
    // Bin-major big-endian float64 with a header, dB magnitudes, degrees, conjugated absolute-time phase,
    // a gain, a 900-sample Hamming window in a 1000 frame, uncentred; 16-bit peak-normalised output.
    makeCase(
      'odd-conventions',
      config({
        nfft: 1000,
        hop: 250,
        winLength: 900,
        window: 'hamming',
        windowSymmetry: 'symmetric',
        center: false,
        firstFrameStart: 0,
        layout: 'bin-major',
        magnitudeFile: { ...RAW, dtype: 'float64', endian: 'big', headerBytes: 16 },
        phaseFile: { ...RAW, dtype: 'float64', endian: 'big', headerBytes: 16 },
        magnitudeScale: 'db',
        phaseUnit: 'degrees',
        phaseReference: 'absolute-time',
        phaseSign: '-',
        gain: 0.5,
      }),
      60,
      { bits: 16, normalize: 'peak' },
    ),
    // Octave specgram: Nyquist bin dropped and restored by consistency, block by block.
    makeCase('no-nyquist', config({ nfft: 128, hop: 32, bins: 64, sided: 'one-no-nyquist', window: 'hann', windowSymmetry: 'symmetric' }), 2.5),
    // One complex64 file, two-sided, window-centre phase reference; 24-bit.
    makeCase(
      'complex-two-sided',
      config({ nfft: 256, hop: 64, bins: 256, sided: 'two', magnitudeFile: { ...RAW, dtype: 'complex64' }, phaseFile: null, phaseReference: 'window-centre' }),
      30,
      { bits: 24, normalize: 'peak' },
    ),
    // hop > window: NOLA gaps between frames, running across stretch boundaries (the window has zeros at both ends).
    makeCase('gaps', config({ nfft: 256, hop: 300, winLength: 200, window: 'rectangular', center: false, firstFrameStart: 0 }), 40),
  );
}, 60_000);

describe.skipIf(!twoCores)('parallel export (worker threads) = sequential export', () => {
  it('writes the same samples, gaps, peak and gain for every storage and convention', () => {
    for (const c of cases) {
      const seq = sequential(c);
      const output = join(tmp, `${c.name}.par.wav`);
      const r = child(c, output, { parallel: true });
      expect(r.status, `${c.name}: ${r.err}`).toBe(0);
      const par = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as ExportResult & { calls: number };
      expect(par.threads, c.name).toBeGreaterThanOrEqual(2);
      expect(par.calls, `${c.name}: progress reported`).toBeGreaterThan(0);
      for (const k of ['samples', 'start', 'gaps', 'normalizeGain', 'sampleRate'] as const) expect(par[k], `${c.name}.${k}`).toEqual(seq.result[k]);
      expect(par.peak, c.name).toBeCloseTo(seq.result.peak, 12);
      expectSameWav(seq.samples, wavSamples(output), c.name);
      if (c.name === 'gaps') expect(seq.result.gaps.length).toBeGreaterThan(10);
    }
  });

  it('the CLI goes parallel on a large input by itself and writes the same WAV', () => {
    const c = cases[0];
    const seq = sequential(c);
    const output = join(tmp, 'cli.wav');
    writeFileSync(join(tmp, 'cli.json'), JSON.stringify(c.config));
    const r = spawnSync(process.execPath, [join(DIST, 'cli', 'main.js'), 'export', c.mag, c.phase ?? '', '--config', join(tmp, 'cli.json'), '-o', output], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expectSameWav(seq.samples, wavSamples(output), 'cli');
    // The same default options in a child report that the work was shared between threads.
    const d = child(c, join(tmp, 'default.wav'));
    expect(d.status, d.err).toBe(0);
    expect((JSON.parse(d.out.trim().split('\n').pop() ?? '{}') as ExportResult).threads).toBeGreaterThanOrEqual(2);
  });

  it('a failure mid-export stops every thread, removes the temp file and writes no output', () => {
    const c = cases[0];
    const failures = [
      // The main thread fails (its progress callback throws) while the worker is busy.
      { onProgress: `if (calls === 3) throw new Error('stop here');`, message: /stop here/ },
      // The input shrinks under every thread: reads fail with a one-line input error naming it. A worker
      // that was mid-read finds it ended early; one that opens it after the cut finds it too short (which
      // comes first is timing: the suite failed once on the second).
      { onProgress: `if (calls === 1) truncateSync(mag, 0);`, message: /fail1\.mag: (.*ended early|holds 0 float32 values)/ },
    ];
    for (const [i, f] of failures.entries()) {
      const output = join(tmp, `fail${i}.wav`);
      const before = readdirSync(tmp).filter((n) => n.endsWith('.tmp'));
      // A private copy of the input, since the second case destroys it.
      const copy = { ...c, mag: join(tmp, `fail${i}.mag`) };
      copyFileSync(c.mag, copy.mag);
      const r = child(copy, output, { parallel: true, onProgress: f.onProgress });
      expect(r.status, r.err).not.toBe(0);
      expect(r.err).toMatch(f.message);
      expect(existsSync(output)).toBe(false);
      expect(readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual(before);
    }
  });
});
