import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { run } from '../src/cli/run.js';
import type { StftConfig } from '../src/config/types.js';
import { reconstruct } from '../src/export/index.js';
import { channelSplit } from '../src/io/channels.js';
import { siSnrDb } from './helpers.js';

/**
 * Issue #15 item 1: multichannel STFTs, `(channels, bins, frames)` arrays written by the real programs
 * (test/fixtures/real/fixtures.json, "issue": 15; the raw one a tofile dump: channel-major blocks). Each is analysed with one shared config (every field
 * right at rank 1, channels 2), exported as a multichannel WAV (>= 60 dB SI-SNR per channel against
 * the fixture's signal) and one channel at a time with --channel K (0-based); mono files keep channels 1.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'real');
const tmp = mkdtempSync(join(tmpdir(), 'sd-channels-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Fixture {
  name: string;
  dir: string;
  magnitude: string;
  phase: string;
  signal: string;
  signalLength: number;
}
const FIXTURES = ['torch-stereo-npy', 'scipy-stereo-npy', 'scipy-stereo-raw'];
const manifest = JSON.parse(readFileSync(join(DIR, 'fixtures.json'), 'utf8')) as { fixtures: Fixture[] };
const byName = (n: string): Fixture => manifest.fixtures.find((f) => f.name === n)!;
const files = (f: Fixture): [string, string] => [join(DIR, f.dir, f.magnitude), join(DIR, f.dir, f.phase)];
const truthOf = (f: Fixture): Record<string, unknown> => JSON.parse(readFileSync(join(DIR, f.dir, 'truth.json'), 'utf8')) as Record<string, unknown>;

/** The reference signal's channels (stored channel-major float32). */
function channelsOf(f: Fixture, channels: number): Float64Array[] {
  const b = readFileSync(join(DIR, f.signal));
  const s = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  return Array.from({ length: channels }, (_, c) => Float64Array.from(s.subarray(c * f.signalLength, (c + 1) * f.signalLength)));
}

/** Each channel of a WAV, read by wavefile (an independent reader). */
function wavChannels(path: string): { channels: Float64Array[]; numChannels: number } {
  const w = new wavefile.WaveFile(readFileSync(path));
  const n = (w.fmt as { numChannels: number }).numChannels;
  const s = w.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  return { channels: n === 1 ? [s as Float64Array] : (s as Float64Array[]), numChannels: n };
}

/** SI-SNR over the interior (nfft in from both ends), the signal starting at sample `start`. */
function interior(x: Float64Array, y: Float64Array, start: number, nfft: number): number {
  const from = Math.max(nfft, -start);
  const to = Math.min(y.length - nfft, x.length - start);
  return siSnrDb(x.subarray(start + from, start + to), y.subarray(from, to));
}

/** Fields of the rank-1 config that differ from the truth (gain when unknown and sampleRate aside, as in real-fixtures). */
function wrongFields(truth: Record<string, unknown>, got: StftConfig): string[] {
  const g = got as unknown as Record<string, unknown>;
  const wrong: string[] = [];
  for (const [k, tv] of Object.entries(truth)) {
    if (k === 'sampleRate' || (k === 'gain' && g.gain === 'unknown')) continue;
    if (k === 'magnitudeFile' || k === 'phaseFile') {
      const t = tv as Record<string, unknown>;
      const o = g[k] as Record<string, unknown>;
      for (const sub of ['format', 'dtype', 'endian', 'headerBytes']) if (t[sub] !== o[sub]) wrong.push(`${k}.${sub}`);
      continue;
    }
    if (k === 'gain' && typeof tv === 'number' && typeof g.gain === 'number' && Math.abs(g.gain - tv) <= 1e-3 * Math.abs(tv)) continue;
    if (JSON.stringify(tv) !== JSON.stringify(g[k])) wrong.push(`${k}=${JSON.stringify(g[k])} (truth ${JSON.stringify(tv)})`);
  }
  return wrong;
}

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await run(argv, { stdout: () => undefined, stderr: (s) => (err += s), isTTY: false });
  return { code, err };
}

describe('channelSplit: which container shapes hold channels', () => {
  it.each([
    [[2, 129, 32], 'C', { channels: 2, shape: [129, 32] }],
    [[1, 2, 129, 32], 'C', { channels: 2, shape: [129, 32] }],
    [[8, 32, 129], 'C', { channels: 8, shape: [32, 129] }],
    [[129, 32], 'C', null],
    [[1, 129, 32], 'C', null],
    [[9, 129, 32], 'C', null],
    [[2, 129, 32], 'F', null],
  ] as const)('%j order %s', (shape, order, want) => {
    expect(channelSplit(shape, order)).toEqual(want);
  });
});

describe('issue #15: multichannel STFT files', () => {
  for (const name of FIXTURES) {
    const f = byName(name);
    const truth = truthOf(f);
    let config: StftConfig;

    it(`${name}: every field right at rank 1, channels 2, the channels agree`, () => {
      const r = analyze(...files(f));
      config = r.candidates[0].config;
      expect(wrongFields(truth, config)).toEqual([]);
      expect(config.channels).toBe(2);
      expect(r.notes.join('\n')).toMatch(/2 channels share the rank-1 config/);
    });

    it(`${name}: a stereo WAV, >= 60 dB SI-SNR per channel`, () => {
      const out = join(tmp, `${name}.wav`);
      const r = reconstruct(config, ...files(f), { output: out, bits: 32, normalize: 'none', force: true });
      const wav = wavChannels(out);
      expect(wav.numChannels).toBe(2);
      const x = channelsOf(f, 2);
      for (let c = 0; c < 2; c++) expect(interior(x[c], wav.channels[c], r.start, config.nfft), `channel ${c}`).toBeGreaterThanOrEqual(60);
    });

    it(`${name}: export --channel 1 writes channel 1 only`, async () => {
      const out = join(tmp, `${name}-ch1.wav`);
      const r = await cli('export', ...files(f), '-o', out, '--channel', '1', '--bits', '32', '--normalize', 'none', '--force');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/of channel 1 \(of 2\)/);
      const wav = wavChannels(out);
      expect(wav.numChannels).toBe(1);
      const x = channelsOf(f, 2);
      const start = truth.center ? 0 : (truth.firstFrameStart as number);
      expect(interior(x[1], wav.channels[0], start, config.nfft)).toBeGreaterThanOrEqual(60);
      expect(interior(x[0], wav.channels[0], start, config.nfft)).toBeLessThan(10);
    });
  }

  it('a 16-bit peak-normalised stereo export keeps both channels and their balance (one gain)', async () => {
    const f = byName('torch-stereo-npy');
    const out = join(tmp, 'stereo16.wav');
    const r = await cli('export', ...files(f), '-o', out, '--bits', '16', '--normalize', 'peak', '--force');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/2000 samples × 2 channels/);
    const wav = wavChannels(out);
    expect(wav.numChannels).toBe(2);
    const x = channelsOf(f, 2);
    const gains = [0, 1].map((c) => {
      const y = wav.channels[c];
      let xy = 0;
      let xx = 0;
      for (let i = 256; i < 1744; i++) {
        xy += x[c][i] * y[i];
        xx += x[c][i] * x[c][i];
      }
      expect(interior(x[c], y, 0, 256), `channel ${c}`).toBeGreaterThanOrEqual(60);
      return xy / xx;
    });
    expect(gains[1] / gains[0]).toBeCloseTo(1, 3);
  });

  it('--channel past the last channel is a one-line usage error', async () => {
    const r = await cli('export', ...files(byName('torch-stereo-npy')), '-o', join(tmp, 'x.wav'), '--channel', '2', '--force');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n').pop()).toBe('spec-detect: --channel 2: the input has 2 channels (0-based: 0..1)');
  });

  it('a channel that was not made with the shared config is noted', () => {
    const [mag, phase] = files(byName('torch-stereo-npy'));
    const b = new Uint8Array(readFileSync(phase));
    const header = 10 + (b[8] | (b[9] << 8));
    const per = 129 * 32;
    const v = new Float32Array(b.buffer, b.byteOffset + header, 2 * per);
    let s = 12345;
    for (let i = per; i < 2 * per; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      v[i] = (s / 2147483648) * 2 * Math.PI - Math.PI;
    }
    const noisy = join(tmp, 'noisy-phase.npy');
    writeFileSync(noisy, b);
    const r = analyze(mag, noisy);
    expect(r.candidates[0].config.channels).toBe(2);
    expect(r.notes.join('\n')).toMatch(/channel 1 disagrees with the rank-1 config/);
  });

  it('--set channels=2 on a raw dump reads channel 0 as the first block', () => {
    const r = analyze(...files(byName('scipy-stereo-raw')), { pins: { channels: 2 } });
    const c = r.candidates[0].config;
    expect([c.channels, c.frames, c.bins, c.layout, c.nfft, c.hop]).toEqual([2, 33, 129, 'bin-major', 256, 64]);
  });

  it('--channel 1 on a mono file is a one-line usage error', async () => {
    const f = byName('numpy-sqrthann-256-64-c-npy');
    const r = await cli('export', ...files(f), '-o', join(tmp, 'mono.wav'), '--channel', '1', '--force');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n').pop()).toBe('spec-detect: --channel 1: the input has 1 channel (0-based: 0..0)');
  });

  it('a mono npy pair stays one channel, with no channel note', () => {
    const f = byName('numpy-sqrthann-256-64-c-npy');
    const r = analyze(...files(f));
    expect(r.candidates[0].config.channels).toBe(1);
    expect(r.notes.join('\n')).not.toMatch(/channel/);
  });
});
