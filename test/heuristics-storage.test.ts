import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { container } from '../heuristics/container/index.js';
import { dims } from '../heuristics/dims/index.js';
import { rawDtype } from '../heuristics/raw-dtype/index.js';
import type { Hypothesis } from '../heuristics/types.js';
import { Evidence } from '../src/analysis/evidence.js';
import { analyzeEvidence } from '../src/analyze/index.js';
import {
  type Dtype,
  type Endian,
  type FileStorage,
  type MagnitudeScale,
  type PhaseUnit,
  REAL_DTYPES,
  type Sided,
  type StftConfig,
} from '../src/config/types.js';
import { geometryFromConfig, stft } from '../src/dsp/stft.js';
import { encodeValues } from '../src/io/dtype.js';
import { demoSignal } from '../src/synth/signals.js';
import { mat5, npy } from './container-writers.js';
import { rng } from './helpers.js';
import { bytesCase, rawStorage, synthCase, testConfig } from './synth-evidence.js';

/**
 * Storage stage: raw dtype/endian/header over a sampled grid of makers (crossed with layouts, nfft,
 * scales, phase units it does not decide), foreign fixtures, bad inputs, and container files.
 */

const SIGNAL = demoSignal(22050, 1.2, 11);
const TRANSFORMS: [number, Sided][] = [
  [256, 'one'],
  [400, 'one'],
  [511, 'one'],
  [512, 'one'],
  [1024, 'one'],
  [512, 'two'],
  [256, 'one-no-nyquist'],
  [512, 'one-no-nyquist'],
];
const HEADERS = [0, 8, 16, 128, 1000];
const SCALES: MagnitudeScale[] = ['linear', 'db', 'power'];
const INT_MAX: Partial<Record<Dtype, number>> = { int8: 127, uint8: 255, int16: 32767, uint16: 65535, int32: 2 ** 31 - 1, uint32: 2 ** 32 - 1 };

const peak = new Map<number, number>();
/** Largest |X| of the test signal at this nfft (to scale integer magnitudes into their range). */
function peakMagnitude(nfft: number): number {
  let p = peak.get(nfft);
  if (p === undefined) {
    const X = stft(SIGNAL, geometryFromConfig(testConfig({ nfft })));
    p = 0;
    for (let i = 0; i < X.re.length; i++) p = Math.max(p, Math.hypot(X.re[i], X.im[i]));
    peak.set(nfft, p);
  }
  return p;
}

/** The gain an integer writer would apply: linear/power fill most of the range, dB of unsigned types lifted by 80 dB. */
function gainFor(d: Dtype, scale: MagnitudeScale, nfft: number): number {
  const max = INT_MAX[d];
  if (max === undefined) return 1;
  if (scale === 'db') return d.startsWith('u') ? 1e4 : 1;
  const target = 0.7 * Math.min(max, 2 ** 30);
  return scale === 'linear' ? target / peakMagnitude(nfft) : Math.sqrt(target) / peakMagnitude(nfft);
}

function unitFor(d: Dtype, r: () => number): PhaseUnit {
  const bits = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32 }[d as string];
  if (bits) return `scaled-${2 ** bits}` as PhaseUnit;
  return (['radians', 'degrees', 'cycles'] as const)[Math.floor(r() * 3)];
}

interface GridCase {
  over: Partial<StftConfig>;
  text: string;
}

function storageGrid(n: number, seed: number): GridCase[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const out: GridCase[] = [];
  for (let i = 0; i < n; i++) {
    const [nfft, sided] = pick(TRANSFORMS);
    const md = pick(REAL_DTYPES);
    const me: Endian = pick(['little', 'big']);
    const mh = pick(HEADERS);
    // Writers usually store both files alike; sometimes the phase gets its own type (int16 phases, say).
    const pd = r() < 0.5 ? md : pick(REAL_DTYPES);
    const pe: Endian = r() < 0.9 ? me : me === 'little' ? 'big' : 'little';
    const ph = r() < 0.8 ? mh : pick(HEADERS);
    const scale = pick(SCALES);
    const layout = pick(['frame-major', 'bin-major'] as const);
    const phaseUnit = unitFor(pd, r);
    out.push({
      over: {
        nfft,
        sided,
        layout,
        magnitudeScale: scale,
        phaseUnit,
        gain: gainFor(md, scale, nfft),
        magnitudeFile: rawStorage({ dtype: md, endian: me, headerBytes: mh }),
        phaseFile: rawStorage({ dtype: pd, endian: pe, headerBytes: ph }),
      },
      text: `mag ${md} ${me} h${mh} ${scale} | phase ${pd} ${pe} h${ph} ${phaseUnit} | ${layout} ${nfft} ${sided}`,
    });
  }
  return out;
}

const INT_BITS: Partial<Record<Dtype, number>> = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32 };

function readAll(ev: Evidence, which: 'magnitude' | 'phase', s: FileStorage, n: number): Float64Array {
  const out = new Float64Array(n);
  (ev.file(which) as NonNullable<ReturnType<Evidence['file']>>).source(s).read(0, n, out);
  return out;
}

/**
 * Whether `got` reads the file as `truth` does: the same storage (endian moot for 1-byte types), or
 * the signed/unsigned twin of an integer type that decodes to the same magnitudes, or to the same
 * angles modulo 2^bits for a phase file.
 */
function sameStorage(ev: Evidence, which: 'magnitude' | 'phase', got: Partial<FileStorage> | null | undefined, truth: FileStorage): boolean {
  if (!got || got.format !== truth.format || got.headerBytes !== truth.headerBytes || got.dtype === undefined) return false;
  const bits = INT_BITS[truth.dtype];
  const oneByte = bits === 8;
  if (got.endian !== truth.endian && !oneByte) return false;
  if (got.dtype === truth.dtype) return true;
  if (!bits || INT_BITS[got.dtype] !== bits) return false;
  const f = ev.file(which) as NonNullable<ReturnType<Evidence['file']>>;
  const n = Math.floor((f.size - truth.headerBytes) / (bits / 8));
  const a = readAll(ev, which, truth, n);
  const b = readAll(ev, which, { ...truth, dtype: got.dtype as Dtype }, n);
  const period = 2 ** bits;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (which === 'magnitude' ? d !== 0 : d % period !== 0) return false;
  }
  return true;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(name: string, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'sd-storage-'));
  dirs.push(dir);
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('raw-dtype: dtype × endian × header grid', () => {
  test('truth ranks first (signed/unsigned twins that decode alike count as the truth)', () => {
    const grid = storageGrid(120, 20251123);
    let hits = 0;
    let confidentWrong = 0;
    const misses: string[] = [];
    const t0 = performance.now();
    let analyzerMs = 0;
    for (const g of grid) {
      const c = synthCase(g.over, SIGNAL);
      try {
        const t = performance.now();
        const r = rawDtype.run(c.evidence, {});
        analyzerMs += performance.now() - t;
        const top: Hypothesis | undefined = r.hypotheses[0];
        const ok =
          top !== undefined &&
          sameStorage(c.evidence, 'magnitude', top.values.magnitudeFile, c.config.magnitudeFile) &&
          sameStorage(c.evidence, 'phase', top.values.phaseFile, c.config.phaseFile as FileStorage);
        if (ok) hits++;
        else {
          if (top && top.score > 0.5) confidentWrong++;
          misses.push(`${g.text} -> ${top ? `${JSON.stringify(top.values)} (${top.score.toFixed(2)}) ${top.reason}` : r.undecided}`);
        }
      } finally {
        c.cleanup();
      }
    }
    const rate = hits / grid.length;
    console.log(
      `raw-dtype grid: ${hits}/${grid.length} = ${(100 * rate).toFixed(1)} % truth first; ${confidentWrong} confident misses; ` +
        `analyzer ${(analyzerMs / grid.length).toFixed(1)} ms/case, total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  test('magnitude file alone: real readings and no complex false alarm', () => {
    const grid = storageGrid(30, 99);
    let hits = 0;
    for (const g of grid) {
      const c = synthCase({ ...g.over, phaseFile: null }, SIGNAL);
      try {
        const top = rawDtype.run(c.evidence, {}).hypotheses[0];
        if (top && sameStorage(c.evidence, 'magnitude', top.values.magnitudeFile, c.config.magnitudeFile)) hits++;
        else console.log(`  miss (magnitude only): ${g.text} -> ${top ? JSON.stringify(top.values) : 'undecided'}`);
      } finally {
        c.cleanup();
      }
    }
    console.log(`raw-dtype magnitude-only grid: ${hits}/${grid.length} truth first`);
    expect(hits / grid.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('raw-dtype: other programs and bad input', () => {
  test('foreign fixtures (scipy, librosa, MATLAB, torch, odd nfft big-endian degrees)', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = join(import.meta.dirname, 'fixtures', 'foreign');
    const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Record<string, StftConfig>;
    for (const [name, cfg] of Object.entries(cases)) {
      const ev = new Evidence(join(dir, `${name}.mag`), join(dir, `${name}.phase`));
      try {
        const top = rawDtype.run(ev, {}).hypotheses[0];
        expect(top?.values.magnitudeFile, name).toMatchObject({ dtype: cfg.magnitudeFile.dtype, endian: cfg.magnitudeFile.endian, headerBytes: 0 });
        expect(top?.values.phaseFile, name).toMatchObject({ dtype: cfg.phaseFile?.dtype, endian: cfg.phaseFile?.endian, headerBytes: 0 });
        expect(top.score, name).toBeGreaterThan(0.5);
      } finally {
        ev.close();
      }
    }
  });

  test('noise, silence, a constant byte and a tiny file: undecided, never confident', () => {
    const r = rng(5);
    const noise = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    const gaussF32 = (n: number): Uint8Array => {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = Math.abs(Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()));
      return encodeValues(v, 'float32', 'little');
    };
    const inputs: [string, Uint8Array, Uint8Array | null][] = [
      ['random bytes', noise(200_000), noise(200_000)],
      ['random bytes, magnitude only', noise(100_000), null],
      ['|gaussian| float32 noise', gaussF32(50_000), gaussF32(50_000)],
      ['all zeros', new Uint8Array(100_000), new Uint8Array(100_000)],
      ['constant 0xa5', new Uint8Array(100_000).fill(0xa5), new Uint8Array(100_000).fill(0xa5)],
      ['tiny', noise(40), noise(40)],
    ];
    for (const [what, m, p] of inputs) {
      const c = bytesCase(m, p);
      try {
        const res = rawDtype.run(c.evidence, {});
        const top = res.hypotheses[0];
        console.log(`raw-dtype on ${what}: ${res.undecided ?? `${JSON.stringify(top.values)} score ${top.score.toFixed(2)}`}`);
        expect(top === undefined || top.score <= 0.5, what).toBe(true);
      } finally {
        c.cleanup();
      }
    }
  });

  test('leading zeros with nothing before them are the data (a silent first frame), not a zero-padded header', () => {
    // A block FFT (hamming 400/400) of audio that starts in 500 samples of digital silence: frame 0 is all exact zeros.
    const x = demoSignal(16000, 1, 5);
    x.fill(0, 0, 500);
    const c = synthCase(
      { nfft: 400, bins: 201, hop: 400, window: 'hamming', windowSymmetry: 'symmetric', center: false, padMode: 'none', firstFrameStart: 0 },
      x,
    );
    try {
      const top = rawDtype.run(c.evidence, {}).hypotheses[0];
      expect(top.values.magnitudeFile).toMatchObject({ dtype: 'float32', headerBytes: 0 });
      expect(top.values.phaseFile).toMatchObject({ dtype: 'float32', headerBytes: 0 });
    } finally {
      c.cleanup();
    }
  });

  test('tiny normal floats at the start are data (the power of near-silence), stored integers before data are a header', () => {
    // scipy.signal.spectrogram's psd of speech that starts in silence, bin-major: the DC row opens 0, 0, 5.3e-26, 2.9e-10.
    const dir = join(import.meta.dirname, 'fixtures', 'real', 'scipy-spectrogram-psd-speech-magonly');
    const ev = new Evidence(join(dir, 'psd.f32'), null);
    try {
      const top = rawDtype.run(ev, {}).hypotheses[0];
      expect(top.values.magnitudeFile).toMatchObject({ dtype: 'float32', endian: 'little', headerBytes: 0 });
    } finally {
      ev.close();
    }
    // The same test must still see a header: the shape as two uint32 (denormals when read as float32) before the body.
    const body = encodeValues(
      Float64Array.from({ length: 129 * 40 }, (_, i) => (i % 40 < 3 ? [0, 0, 5.3e-26][i % 40] : 1e-7 * (1 + Math.sin(i)))),
      'float32',
      'little',
    );
    const file = new Uint8Array(8 + body.length);
    new DataView(file.buffer).setUint32(0, 129, true);
    new DataView(file.buffer).setUint32(4, 40, true);
    file.set(body, 8);
    const c = bytesCase(file, null);
    try {
      expect(rawDtype.run(c.evidence, {}).hypotheses[0].values.magnitudeFile).toMatchObject({ dtype: 'float32', headerBytes: 8 });
    } finally {
      c.cleanup();
    }
  });

  test('one leading value above the body is not a header: the shape decides (a reflect-padded first frame of speech cut mid-sound)', async () => {
    const { readFileSync } = await import('node:fs');
    const raw = readFileSync(join(import.meta.dirname, 'fixtures', 'real', 'signals', 'cut16.f32'));
    const x = Float64Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4));
    const c = synthCase(
      { nfft: 512, hop: 256, layout: 'bin-major', center: true, padMode: 'reflect', firstFrameStart: -256, phaseFile: null, sampleRate: 16000 },
      x,
    );
    try {
      // The DC bin of frame 0 opens the file and is far above what the sampled body holds.
      const top = analyzeEvidence(c.evidence, { top: 1 }).candidates[0].config;
      expect({ headerBytes: top.magnitudeFile.headerBytes, frames: top.frames, bins: top.bins, layout: top.layout }).toEqual({
        headerBytes: 0,
        frames: c.config.frames,
        bins: 257,
        layout: 'bin-major',
      });
    } finally {
      c.cleanup();
    }
  });

  test('pinned fields are honoured', () => {
    const c = synthCase(
      { magnitudeFile: rawStorage({ dtype: 'float64', headerBytes: 16 }), phaseFile: rawStorage({ dtype: 'float64', headerBytes: 16 }) },
      SIGNAL,
    );
    try {
      const r = rawDtype.run(c.evidence, { magnitudeFile: { dtype: 'float64' } });
      expect(r.hypotheses.every((h) => h.values.magnitudeFile?.dtype === 'float64')).toBe(true);
      expect(r.hypotheses[0].values.magnitudeFile).toMatchObject({ dtype: 'float64', endian: 'little', headerBytes: 16 });
    } finally {
      c.cleanup();
    }
  });
});

describe('container: storage from the header, shape up to orientation', () => {
  const cfg = testConfig({ nfft: 512, hop: 128 });
  const X = stft(SIGNAL, geometryFromConfig(cfg));
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
  // Values in memory order; `shape` as the container states it; the layout naming its axes (DESIGN §1:
  // (frames, bins) is frame-major, (bins, frames) bin-major, whatever the memory order).
  const cases: { what: string; make: (v: Float64Array) => Uint8Array; layout: 'frame-major' | 'bin-major'; dtype: Dtype; endian: Endian; format: string }[] = [
    {
      what: 'npy (frames, bins) C float32 <',
      make: (v) => npy(v, 'float32', 'little', [F, B], false),
      layout: 'frame-major',
      dtype: 'float32',
      endian: 'little',
      format: 'npy',
    },
    {
      what: 'npy (bins, frames) C float64 > (librosa array saved)',
      make: (v) => npy(transpose(v), 'float64', 'big', [B, F], false),
      layout: 'bin-major',
      dtype: 'float64',
      endian: 'big',
      format: 'npy',
    },
    {
      what: 'npy (bins, frames) F float32 < (np.save of a transposed view)',
      make: (v) => npy(v, 'float32', 'little', [B, F], true),
      layout: 'bin-major',
      dtype: 'float32',
      endian: 'little',
      format: 'npy',
    },
    {
      what: 'npy (frames, bins) F float32 <',
      make: (v) => npy(transpose(v), 'float32', 'little', [F, B], true),
      layout: 'frame-major',
      dtype: 'float32',
      endian: 'little',
      format: 'npy',
    },
    {
      what: 'MAT v5 (bins, frames) double (MATLAB spectrogram)',
      make: (v) => mat5('S', v, B, F),
      layout: 'bin-major',
      dtype: 'float64',
      endian: 'little',
      format: 'mat',
    },
  ];
  for (const k of cases) {
    test(k.what, () => {
      const mp = tmp('m', k.make(mag));
      const pp = tmp('p', k.make(ph));
      const ev = new Evidence(mp, pp);
      try {
        const r = container.run(ev, {});
        expect(r.hypotheses.length).toBe(2);
        const truth = r.hypotheses.find((h) => h.values.bins === B);
        expect(truth?.values).toMatchObject({ frames: F, bins: B, layout: k.layout });
        expect(truth?.values.magnitudeFile).toMatchObject({ format: k.format, dtype: k.dtype, endian: k.endian });
        expect(truth?.values.magnitudeFile?.headerBytes).toBeGreaterThan(0);
        // The shape stage, under each orientation the container allows, must prefer the true one.
        const under = (h: Hypothesis): number => {
          const d = dims.run(ev, h.values);
          return d.hypotheses.find((x) => x.values.bins === h.values.bins && x.values.layout === h.values.layout)?.score ?? 0;
        };
        const wrong = r.hypotheses.find((h) => h !== truth) as Hypothesis;
        const sTrue = under(truth as Hypothesis);
        const sWrong = under(wrong);
        console.log(
          `container ${k.what}: orientation shares ${r.hypotheses.map((h) => `${h.values.bins} bins ${h.score.toFixed(2)}`).join(', ')}; dims ${sTrue.toFixed(3)} vs ${sWrong.toExponential(1)}`,
        );
        expect(sTrue).toBeGreaterThan(0.9);
        expect(sWrong).toBeLessThan(0.01);
        const d = dims.run(ev, truth?.values ?? {});
        expect(d.hypotheses[0].values).toMatchObject({ frames: F, bins: B, layout: k.layout, nfft: 512, sided: 'one' });
      } finally {
        ev.close();
      }
    });
  }

  test('npz fixture: arrays picked by name, variable and data offset set', () => {
    const file = join(import.meta.dirname, 'fixtures', 'containers', 'npz', 'magphase_stored.npz');
    const ev = new Evidence(file, file);
    try {
      const r = container.run(ev, {});
      expect(r.hypotheses[0].values.magnitudeFile).toMatchObject({ format: 'npz', dtype: 'float32', variable: 'mag' });
      expect(r.hypotheses[0].values.phaseFile).toMatchObject({ format: 'npz', dtype: 'float32', variable: 'phase' });
    } finally {
      ev.close();
    }
  });

  test('a complex container alone stands for the whole STFT', () => {
    const file = join(import.meta.dirname, 'fixtures', 'containers', 'npz', 'complex.npz');
    const ev = new Evidence(file, null);
    try {
      const h = container.run(ev, {}).hypotheses[0];
      expect(h.values.magnitudeFile?.dtype).toMatch(/^complex/);
      expect(h.values.phaseFile).toBeNull();
    } finally {
      ev.close();
    }
  });

  test('raw files are not its business', () => {
    const c = synthCase({}, SIGNAL);
    try {
      expect(container.applies(c.evidence, {})).toBe(false);
      expect(rawDtype.applies(c.evidence, {})).toBe(true);
    } finally {
      c.cleanup();
    }
  });
});
