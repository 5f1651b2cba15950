import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { completeConfig, parseConfigObject } from '../src/config/parse.js';
import type { StftConfig } from '../src/config/types.js';
import { reconstruct } from '../src/export/index.js';
import { readWav } from './helpers.js';

/**
 * binOrder (issue #15 items 3 and 4): spectrograms flipped for display (np.flipud) and two-sided spectra
 * with DC in the middle (MATLAB stft 'centered', np.fft.fftshift). Fixtures made by numpy/torch
 * (scripts/real-fixtures): every field right at rank 1 and a ≥ 60 dB export; synthetic cases where the
 * spectral tilt must decide and where it must not be sure.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'real');
const tmp = mkdtempSync(join(tmpdir(), 'sd-binorder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Entry {
  name: string;
  dir: string;
  magnitude: string;
  phase: string;
  signal: string;
  signalLength: number;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'fixtures.json'), 'utf8')) as { fixtures: Entry[] };
const NAMES = ['flipud-even-256', 'flipud-odd-255', 'numpy-fftshift-twosided', 'matlab-style-centred'];

/** Scale-invariant SNR (dB), as test/real-fixtures.test.ts computes it. */
export function siSnrDb(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let xy = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    yy += y[i] * y[i];
  }
  const a = yy > 0 ? xy / yy : 0;
  let s = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    e += (x[i] - a * y[i]) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

/** Truth fields the config gets wrong (sampleRate a prior; padding and length only when centred; gain 'unknown' abstains). */
function wrongFields(truth: Record<string, unknown>, got: StftConfig): string[] {
  const g = got as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, tv] of Object.entries(truth)) {
    const gv = g[k];
    if (k === 'sampleRate' || (k === 'gain' && gv === 'unknown')) continue;
    if ((k === 'originalLength' || k === 'padMode') && !truth.center) continue;
    if (k === 'windowPlacement' && (truth.winLength as number) >= (truth.nfft as number)) continue;
    if (k === 'magnitudeFile' || k === 'phaseFile') {
      const t = tv as Record<string, unknown>;
      const o = gv as Record<string, unknown>;
      for (const sub of ['format', 'dtype', 'endian', 'headerBytes']) if (t[sub] !== o?.[sub]) out.push(`${k}.${sub}=${JSON.stringify(o?.[sub])}`);
      continue;
    }
    if (k === 'gain' && typeof tv === 'number' && typeof gv === 'number') {
      if (Math.abs(gv - tv) > 1e-3 * Math.abs(tv)) out.push(`gain=${gv}`);
      continue;
    }
    if (JSON.stringify(tv) !== JSON.stringify(gv)) out.push(`${k}=${JSON.stringify(gv)} (truth ${JSON.stringify(tv)})`);
  }
  return out;
}

/** Export a config and measure it against the reference signal over the interior. */
function exportSnr(config: StftConfig, mag: string, phase: string, x: Float64Array, tag: string): number {
  const out = join(tmp, `${tag}.wav`);
  const r = reconstruct(config, mag, phase, { output: out, bits: 32, normalize: 'none', force: true, parallel: false });
  const y = readWav(out).samples;
  const edge = config.nfft;
  const from = Math.max(edge, -r.start);
  const to = Math.min(y.length - edge, x.length - r.start);
  return siSnrDb(x.subarray(r.start + from, r.start + to), y.subarray(from, to));
}

describe('binOrder fixtures made by numpy and torch', () => {
  for (const name of NAMES) {
    it(
      name,
      () => {
        const f = manifest.fixtures.find((e) => e.name === name) as Entry;
        const truth = JSON.parse(readFileSync(join(DIR, f.dir, 'truth.json'), 'utf8')) as Record<string, unknown>;
        const b = readFileSync(join(DIR, f.signal));
        const x = Float64Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).subarray(0, f.signalLength));
        const mag = join(DIR, f.dir, f.magnitude);
        const phase = join(DIR, f.dir, f.phase);
        const truthConfig = completeConfig(parseConfigObject(truth, name), true, name);
        const truthSnr = exportSnr(truthConfig, mag, phase, x, `${name}-truth`);
        const r = analyze(mag, phase, { top: 3 });
        const top = r.candidates[0];
        console.log(
          r.notes.join('\n'),
          JSON.stringify(
            top.evidence
              .filter((e) => e.source === 'dims')
              .map((e) => e.reason)
              .slice(0, 1),
          ),
        );
        const wrong = wrongFields(truth, top.config);
        const snr = exportSnr(top.config, mag, phase, x, `${name}-rank1`);
        console.log(
          `${name}: rank 1 ${wrong.length ? `wrong: ${wrong.join('; ')}` : 'right'}; confidence ${top.confidence}; SI-SNR ${snr.toFixed(1)} dB (truth config ${truthSnr.toFixed(1)} dB)`,
        );
        expect(truthSnr).toBeGreaterThanOrEqual(60);
        expect(wrong).toEqual([]);
        expect(snr).toBeGreaterThanOrEqual(60);
      },
      120_000,
    );
  }
});
