import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { demoSignal } from '../src/synth/signals.js';
import { readWav, siSnrDb, snrDb } from './helpers.js';
import { foreignWindowStft } from './synth-evidence.js';

/** Phase that is missing, broken, swapped or partial: the audio still comes back, and the user is told how. */
const ROOT = join(import.meta.dirname, '..');
const S = (n: string) => join(ROOT, 'samples', n);
const tmp = mkdtempSync(join(tmpdir(), 'sd-recon-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const truth = demoSignal(16000, 2, 7);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

/** Spectral-magnitude agreement (dB) of a reconstruction with the truth: phase retrieval cannot give the waveform back. */
function magnitudeMatchDb(x: Float64Array, y: Float64Array): number {
  const n = Math.min(x.length, y.length);
  let s = 0;
  let e = 0;
  const N = 512;
  for (let o = 0; o + N <= n; o += N / 2) {
    for (let k = 1; k < N / 2; k += 3) {
      let xr = 0;
      let xi = 0;
      let yr = 0;
      let yi = 0;
      for (let j = 0; j < N; j++) {
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / N);
        const c = Math.cos((2 * Math.PI * k * j) / N);
        const si = Math.sin((2 * Math.PI * k * j) / N);
        xr += w * x[o + j] * c;
        xi += w * x[o + j] * si;
        yr += w * y[o + j] * c;
        yi += w * y[o + j] * si;
      }
      const a = Math.hypot(xr, xi);
      const b = Math.hypot(yr, yi);
      s += a * a;
      e += (a - b) ** 2;
    }
  }
  return 10 * Math.log10(e / s);
}

describe('reconstruction when the phase is missing, broken, swapped or partial', () => {
  const cfg = S('torch-400.truth.json');
  it('magnitude only with a known config: retrieval, spectral convergence reported', async () => {
    const out = join(tmp, 'mag.wav');
    const r = await cli('export', S('torch-400.mag'), '--config', cfg, '--set', 'phaseFile=null', '-o', out, '--iterations', '60', '--normalize', 'none');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/phase retrieved from the magnitudes .*60 iterations, spectral convergence -\d+\.\d dB/);
    const sc = Number(/spectral convergence (-[\d.]+) dB/.exec(r.err)![1]);
    expect(sc).toBeLessThan(-25);
    expect(magnitudeMatchDb(truth, readWav(out).samples)).toBeLessThan(-15);
  });

  it('a truncated phase file keeps its trustworthy half exactly and retrieves the rest', async () => {
    const p = join(tmp, 'half.phase');
    writeFileSync(p, readFileSync(S('torch-400.phase')).subarray(0, 80000));
    const out = join(tmp, 'half.wav');
    const r = await cli('export', S('torch-400.mag'), p, '--config', cfg, '-o', out, '--iterations', '40', '--normalize', 'none');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/phase retrieved around the trusted part of the phase file \(phase file truncated: 20000 of 40401 values/);
    const y = readWav(out).samples;
    // The first ~100 frames (160-sample hop) had their own phase: exact there.
    expect(snrDb(truth.subarray(400, 14000), y.subarray(400, 14000))).toBeGreaterThan(60);
    expect(magnitudeMatchDb(truth, y)).toBeLessThan(-15);
  });

  // matlab-db-degrees (float64, 512/256 uncentred, 61 frames of 257 bins) with one file cut to 100000 of
  // 125416 bytes: 48 whole frames and part of the 49th. Export runs the same analysis without a config.
  const CUTS = [
    {
      cut: 'phase',
      note: /cut\.phase ends early \(25416 bytes shorter than the magnitude file\): the pair was analysed on the 48 of 61 frames it covers/,
      frames: 61,
      exportNote: /phase retrieved around the trusted part of the phase file/,
    },
    {
      cut: 'mag',
      note: /cut\.mag ends early \(the phase file is 25416 bytes longer\): the pair was analysed on the 48 whole frames it holds, of the phase file's 61/,
      frames: 48,
      exportNote: /wrote/,
    },
  ] as const;
  for (const k of CUTS) {
    it(`a frame-major ${k.cut} file cut short: the pair is read on the frames both hold, and they are exported exactly`, async () => {
      const base = (ext: string): string => S(`matlab-db-degrees.${ext}`);
      const cutFile = join(tmp, `cut.${k.cut}`);
      writeFileSync(cutFile, readFileSync(base(k.cut)).subarray(0, 100000));
      const pair = k.cut === 'phase' ? [base('mag'), cutFile] : [cutFile, base('phase')];
      // With a report too: its pictures must read only what the short file holds.
      const report = join(tmp, `cut-${k.cut}.md`);
      const a = await cli('analyze', ...pair, '--json', '--report', report);
      expect(a.code, a.err).toBe(0);
      expect(existsSync(report.replace(/\.md$/, '.imprint.svg')), a.err).toBe(true);
      const j = JSON.parse(a.out) as {
        phase: { kind: string; usable: boolean };
        notes: string[];
        rankedBy: string;
        candidates: { config: Record<string, unknown> }[];
      };
      expect(j.phase).toMatchObject({ kind: k.cut === 'phase' ? 'partial' : 'ok', usable: true });
      expect(j.rankedBy).toBe('consistency');
      expect(j.notes[0]).toMatch(k.note);
      const { gain: _g, sampleRate: _r, ...known } = JSON.parse(readFileSync(base('truth.json'), 'utf8')) as Record<string, unknown>;
      expect(j.candidates[0].config).toMatchObject({ ...known, frames: k.frames, originalLength: null });
      if (k.cut === 'phase') {
        // The whole pair's frame count, pinned, is the prefix's to agree with, not to be read with.
        const pinned = await cli('analyze', ...pair, '--json', '--set', `frames=${k.frames}`);
        expect(pinned.code, pinned.err).toBe(0);
        expect((JSON.parse(pinned.out) as typeof j).notes[0]).toMatch(k.note);
      }
      const ref = join(tmp, `matlab-ref-${k.cut}.wav`);
      expect((await cli('export', base('mag'), base('phase'), '--config', base('truth.json'), '-o', ref, '--normalize', 'none')).code).toBe(0);
      const out = join(tmp, `matlab-cut-${k.cut}.wav`);
      const e = await cli('export', ...pair, '-o', out, '--normalize', 'none', '--iterations', '40');
      expect(e.code, e.err).toBe(0);
      expect(e.err).toMatch(k.exportNote);
      const x = readWav(ref).samples;
      const y = readWav(out).samples;
      // 48 frames of 512 at hop 256 span samples 0..12543; a short phase file's last half-window is
      // shared with retrieved frames.
      expect(y.length).toBe(k.cut === 'phase' ? x.length : 47 * 256 + 512);
      expect(snrDb(x.subarray(0, 12000), y.subarray(0, 12000))).toBeGreaterThan(60);
    });
  }

  it('an all-zero phase file is reported unusable and the magnitudes are used alone', async () => {
    const p = join(tmp, 'zeros.phase');
    writeFileSync(p, new Uint8Array(readFileSync(S('torch-400.phase')).length));
    const r = await cli('analyze', S('torch-400.mag'), p, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { phase: { usable: boolean }; notes: string[]; phaseFile: string | null };
    expect(j.phase.usable).toBe(false);
    expect(j.phaseFile).toBeNull();
    expect(j.notes[0]).toMatch(/zeros\.phase is unusable/);
  });

  it('files given in the wrong order are swapped with a notice', async () => {
    const r = await cli('analyze', S('torch-400.phase'), S('torch-400.mag'), '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      phase: { swapped: boolean; usable: boolean };
      notes: string[];
      magnitudeFile: string;
      candidates: { config: { hop: number; nfft: number } }[];
    };
    expect(j.phase.swapped).toBe(true);
    expect(j.magnitudeFile).toBe(S('torch-400.mag'));
    expect(j.notes[0]).toMatch(/wrong order/);
    expect(j.candidates[0].config.nfft).toBe(400);
    expect(j.candidates[0].config.hop).toBe(160);
  });
});

describe("a window outside the vocabulary: 'estimated' is measured from the files", () => {
  const { config, x, made } = foreignWindowStft('triangular');
  const L = config.nfft;
  const mag = join(tmp, 'tri.mag');
  const phase = join(tmp, 'tri.phase');
  const cfg = join(tmp, 'tri.json');
  writeFileSync(mag, made.magnitude);
  writeFileSync(phase, made.phase!);
  writeFileSync(cfg, JSON.stringify(config));

  it('analyze with window=estimated pinned ranks, and export --config measures the window and writes the audio', async () => {
    const a = await cli('analyze', '--json', '--set', 'window=estimated', mag, phase);
    expect(a.code, a.err).toBe(0);
    expect(JSON.parse(a.out).candidates[0].config.window).toBe('estimated');
    const out = join(tmp, 'tri.wav');
    const r = await cli('export', mag, phase, '--config', cfg, '-o', out, '--normalize', 'none', '--bits', '32');
    expect(r.code, r.err).toBe(0);
    const y = readWav(out).samples;
    const inner = (v: ArrayLike<number>) => Array.from(v).slice(L, x.length - L);
    // Scale-invariant: a measured window's scale, hence the audio's level, is not in the files (peak 1).
    const snr = siSnrDb(inner(x), inner(y));
    console.log(`triangular window, estimated: export SI-SNR ${snr.toFixed(1)} dB`);
    expect(snr).toBeGreaterThanOrEqual(100);
  });

  for (const [kind, floorDb, clip] of [
    // Straight between kinks: the class scales that leave its second differences sparsest are exact
    // (35 dB when they followed the nearest named window's).
    ['triangular', 100, null],
    ['blackman-harris', 60, null],
    // On real speech, smoothing its class scales across the kink once took its audio to 0 dB.
    ['bartlett-hann', 30, 'cut16'],
    // Negative ends: consecutive frames' shared samples correlate at −1 where the window changes sign
    // across the hop (once read as no overlap: hop 384, consistency 0 dB). Its export is the imprint's
    // class scales (22 dB: every smoothness candidate is 8 % from them, farther than the halves' noise).
    ['flattop', 20, 'cut16'],
    // Speech that starts and ends in digital silence: four readings of the edges for every window once
    // filled the places consistency measures, and the measured window came 25th, cut (sqrt-Hann 210 at -21 dB).
    ['flattop', 20, 'speech16'],
  ] as const) {
    it(`a ${kind} file${clip ? ` (${clip})` : ''}, nothing pinned: rank 1 is 'estimated' at round-off, and export writes its audio`, async () => {
      // The samples overlapping frames share fix w[i + hop] / w[i] exactly; a Kaiser fits the
      // Blackman-Harris imprint within its noise but misses those ratios by 2 % (consistency -33 dB).
      const signal = clip ? Float64Array.from(new Float32Array(readFileSync(join(ROOT, 'test/fixtures/real/signals', `${clip}.f32`)).buffer)) : undefined;
      const f = foreignWindowStft(kind, signal);
      const name = `${kind}-${clip ?? 'demo'}`;
      const m = join(tmp, `${name}.mag`);
      const p = join(tmp, `${name}.phase`);
      writeFileSync(m, f.made.magnitude);
      writeFileSync(p, f.made.phase!);
      const a = await cli('analyze', '--json', m, p);
      expect(a.code, a.err).toBe(0);
      const top = JSON.parse(a.out).candidates[0];
      expect(top.config.window).toBe('estimated');
      expect(top.consistencyDb).toBeLessThan(-90);
      const out = join(tmp, `${name}.wav`);
      const r = await cli('export', m, p, '-o', out, '--normalize', 'none', '--bits', '32');
      expect(r.code, r.err).toBe(0);
      const y = readWav(out).samples;
      // The pad read and trimmed, y[0] is x[0]; where the audio starts in silence the start is ambiguous
      // and the WAV keeps frame 0 whole, so y[d] is x[0] for the shift d the reading implies (≤ nfft).
      const shifts = top.ambiguousStart ? Array.from({ length: L + 1 }, (_, d) => d) : [0];
      const inner = (v: ArrayLike<number>, d = 0) => Array.from(v).slice(L + d, f.x.length - L + d);
      const snr = Math.max(...shifts.map((d) => siSnrDb(inner(f.x), inner(y, d))));
      console.log(`${kind} window, nothing pinned: consistency ${top.consistencyDb} dB, export SI-SNR ${snr.toFixed(1)} dB`);
      expect(snr).toBeGreaterThanOrEqual(floorDb);
    });
  }

  it('analyze with window=estimated pinned on magnitudes alone: a one-line error', async () => {
    const r = await cli('analyze', '--set', 'window=estimated', mag);
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/tri\.mag: window "estimated" is measured from the phase/);
  });

  it('without phase there is nothing to measure it from: a one-line error, nothing written', async () => {
    const out = join(tmp, 'tri-magonly.wav');
    const r = await cli('export', mag, '--config', cfg, '--set', 'phaseFile=null', '-o', out);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    // The config names a window the files cannot give: the config is the file at fault.
    expect(r.err).toMatch(/tri\.json: window "estimated" is measured from the phase/);
    expect(existsSync(out)).toBe(false);
  });
});
