import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dims } from '../heuristics/dims/index.js';
import { rawDtype } from '../heuristics/raw-dtype/index.js';
import type { Hypothesis } from '../heuristics/types.js';
import { Evidence } from '../src/analysis/evidence.js';
import { analyze } from '../src/analyze/index.js';
import type { Dtype, Endian, Layout, PartialStftConfig, PhaseReference, PhaseUnit, Sided, StftConfig, WindowName } from '../src/config/types.js';
import { makeStftFiles } from '../src/synth/make.js';
import { encodeValues } from '../src/io/dtype.js';
import { phaseUnitFactor } from '../src/decode/scales.js';
import { frameCountFor, geometryFromConfig } from '../src/dsp/stft.js';
import { demoSignal } from '../src/synth/signals.js';
import { rng } from './helpers.js';
import { bytesCase, fixedUpTo, rawStorage, rewritePhase, synthCase, testConfig, unwrapTime } from './synth-evidence.js';

/**
 * Shape stage: frames × bins, layout, nfft and sided from the DC/Nyquist real bins (phase or complex
 * files) and, more weakly, from the magnitude stream's period. Grids cross what it decides with what
 * it does not (dtype, unit, hop, window, centring, phase reference).
 */

const SIGNAL = demoSignal(22050, 1.2, 11);
const TRANSFORMS: [number, Sided][] = [
  [256, 'one'],
  [400, 'one'],
  [511, 'one'],
  [512, 'one'],
  [1024, 'one'],
  [256, 'two'],
  [511, 'two'],
  [512, 'two'],
  [256, 'one-no-nyquist'],
  [400, 'one-no-nyquist'],
  [512, 'one-no-nyquist'],
];
const PHASE_STORE: [Dtype, PhaseUnit][] = [
  ['float32', 'radians'],
  ['float32', 'degrees'],
  ['float32', 'cycles'],
  ['float64', 'radians'],
  ['float16', 'degrees'],
  ['int16', 'scaled-65536'],
  ['uint16', 'scaled-65536'],
];
const WINDOWS: WindowName[] = ['hann', 'hamming', 'blackman'];
const REFERENCES: PhaseReference[] = ['frame-start', 'window-centre', 'absolute-time'];

interface Case {
  over: Partial<StftConfig>;
  text: string;
}

function shapeGrid(n: number, seed: number, withPhase: boolean): Case[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const [nfft, sided] = pick(TRANSFORMS);
    const [pd, unit] = pick(PHASE_STORE);
    const layout = pick(['frame-major', 'bin-major'] as const);
    const hop = Math.max(1, Math.floor(nfft / pick([4, 2, 1, 8])));
    const window = pick(WINDOWS);
    const center = r() < 0.6;
    const phaseReference = pick(REFERENCES);
    const md: Dtype = pick(['float32', 'float64', 'float32', 'float16']);
    const header = pick([0, 0, 16, 1000]);
    const endian: Endian = r() < 0.8 ? 'little' : 'big';
    out.push({
      over: {
        nfft,
        sided,
        layout,
        hop,
        window,
        center,
        padMode: center ? 'zeros' : 'none',
        firstFrameStart: center ? -Math.floor(nfft / 2) : 0,
        phaseReference,
        magnitudeScale: pick(['linear', 'db', 'power'] as const),
        phaseUnit: unit,
        magnitudeFile: rawStorage({ dtype: md, endian, headerBytes: header }),
        phaseFile: withPhase ? rawStorage({ dtype: pd, endian, headerBytes: header }) : null,
      },
      text: `${layout} nfft ${nfft} ${sided} hop ${hop} ${window} ${center ? 'centred' : 'uncentred'} ${phaseReference} | mag ${md} ${endian} h${header}${withPhase ? ` | phase ${pd} ${unit}` : ''}`,
    });
  }
  return out;
}

type Truth = Pick<StftConfig, 'frames' | 'bins' | 'layout' | 'nfft' | 'sided'>;
const sameShape = (v: PartialStftConfig, t: Truth): boolean => v.frames === t.frames && v.bins === t.bins && v.layout === t.layout;
const sameAll = (v: PartialStftConfig, t: Truth): boolean => sameShape(v, t) && v.nfft === t.nfft && v.sided === t.sided;

/**
 * DC real, no other real bin: an odd one-sided nfft N and Octave's one-no-nyquist N+1 store the
 * same bins and the same real-bin pattern; only the transform (the consistency ranking) tells them apart.
 */
const twinOf = (t: Truth): Truth | null =>
  t.sided === 'one' && t.nfft % 2 === 1
    ? { ...t, nfft: t.nfft + 1, sided: 'one-no-nyquist' }
    : t.sided === 'one-no-nyquist'
      ? { ...t, nfft: t.nfft - 1, sided: 'one' }
      : null;

interface Tally {
  n: number;
  shape: number;
  full: number;
  twinOnly: number;
  confidentWrongShape: number;
  ms: number;
  misses: string[];
}

function runGrid(grid: Case[], fixedFields: (keyof StftConfig)[]): Tally {
  const t: Tally = { n: 0, shape: 0, full: 0, twinOnly: 0, confidentWrongShape: 0, ms: 0, misses: [] };
  for (const g of grid) {
    const c = synthCase(g.over, SIGNAL);
    try {
      const t0 = performance.now();
      const res = dims.run(c.evidence, fixedUpTo(c.config, fixedFields));
      t.ms += performance.now() - t0;
      t.n++;
      const top: Hypothesis | undefined = res.hypotheses[0];
      const truth = c.config;
      if (top && sameShape(top.values, truth)) t.shape++;
      else if (top && top.score > 0.5) t.confidentWrongShape++;
      if (top && sameAll(top.values, truth)) t.full++;
      else {
        const twin = twinOf(truth);
        const kept = res.hypotheses.filter((h) => h.score >= 0.02 * (top?.score ?? 0));
        if (top && twin && sameAll(top.values, twin) && kept.some((h) => sameAll(h.values, truth))) t.twinOnly++;
        else
          t.misses.push(
            `${g.text} (${truth.frames}x${truth.bins}) -> ${top ? `${JSON.stringify(top.values)} ${top.score.toFixed(2)}: ${top.reason}` : res.undecided}`,
          );
      }
    } finally {
      c.cleanup();
    }
  }
  return t;
}

const pct = (a: number, n: number): string => `${a}/${n} = ${((100 * a) / n).toFixed(1)} %`;

describe('dims with phase: real DC/Nyquist bins', () => {
  test('grid over nfft × sided × layout × dtype × unit × hop × window × centring × reference', () => {
    const grid = shapeGrid(110, 424242, true);
    const t = runGrid(grid, ['magnitudeFile', 'phaseFile']);
    console.log(
      `dims (phase) grid: shape first ${pct(t.shape, t.n)}; nfft+sided first ${pct(t.full, t.n)}, ` +
        `plus ${t.twinOnly} odd-nfft/one-no-nyquist twins ranked second (kept for the consistency ranking); ` +
        `${t.confidentWrongShape} confident wrong shapes; ${(t.ms / t.n).toFixed(1)} ms/case`,
    );
    for (const m of t.misses) console.log(`  miss: ${m}`);
    expect(t.shape / t.n).toBeGreaterThanOrEqual(0.95);
    expect((t.full + t.twinOnly) / t.n).toBeGreaterThanOrEqual(0.95);
    expect(t.confidentWrongShape).toBe(0);
  });

  test('other programs: scipy, ShortTimeFFT, librosa, MATLAB, torch, odd nfft', () => {
    const dir = join(import.meta.dirname, 'fixtures', 'foreign');
    const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Record<string, StftConfig>;
    for (const [name, cfg] of Object.entries(cases)) {
      const ev = new Evidence(join(dir, `${name}.mag`), join(dir, `${name}.phase`));
      try {
        const res = dims.run(ev, { magnitudeFile: cfg.magnitudeFile, phaseFile: cfg.phaseFile });
        const top = res.hypotheses[0];
        console.log(`dims on ${name}: ${top ? `${JSON.stringify(top.values)} ${top.score.toFixed(3)}` : res.undecided}`);
        expect(top?.values, name).toMatchObject({ frames: cfg.frames, bins: cfg.bins, layout: cfg.layout });
        // nfft 255 one-sided and 256 one-no-nyquist store the same bins: the truth must at least be kept.
        const twin = twinOf(cfg);
        if (twin && !sameAll(top.values, cfg)) {
          expect(sameAll(top.values, twin), name).toBe(true);
          expect(
            res.hypotheses.some((h) => sameAll(h.values, cfg) && h.score >= 0.02 * top.score),
            name,
          ).toBe(true);
        } else expect(top.values, name).toMatchObject({ nfft: cfg.nfft, sided: cfg.sided });
        expect(top.score, name).toBeGreaterThan(0.5);
      } finally {
        ev.close();
      }
    }
  });

  test('a wrong header shifts the real bins off every period: all shapes score low', () => {
    const c = synthCase({ magnitudeFile: rawStorage({ headerBytes: 16 }), phaseFile: rawStorage({ headerBytes: 16 }) }, SIGNAL);
    try {
      const right = dims.run(c.evidence, { magnitudeFile: rawStorage({ headerBytes: 16 }), phaseFile: rawStorage({ headerBytes: 16 }) });
      const wrong = dims.run(c.evidence, { magnitudeFile: rawStorage({ headerBytes: 8 }), phaseFile: rawStorage({ headerBytes: 8 }) });
      expect(right.hypotheses[0].score).toBeGreaterThan(0.9);
      const best = wrong.hypotheses[0]?.score ?? 0;
      console.log(`dims under a header off by 2 values: best score ${best.toFixed(3)} (${wrong.hypotheses[0]?.reason ?? wrong.rejects ?? wrong.undecided})`);
      expect(best).toBeLessThan(0.1);
    } finally {
      c.cleanup();
    }
  });

  test("a reflect-padded edge frame real only to the FFT's round-off in most bins (torch.stft, kaiser_window(400) in n_fft 512)", () => {
    // Frame 0 of a centred reflect pad is symmetric, so real in every bin; torch's float32 FFT leaves its
    // weak bins (most of them under a Kaiser β 12) 1e-4 rad off, while bin 1 happened to be exactly real,
    // so the stream's leading real run is one longer than the DC row. The phase was read as unusable.
    const c = synthCase(
      { nfft: 512, hop: 160, winLength: 400, window: 'kaiser-12', windowSymmetry: 'periodic', padMode: 'reflect', layout: 'bin-major', sampleRate: 16000 },
      SIGNAL.subarray(0, 6400),
    );
    let ev: Evidence | null = null;
    try {
      ev = rewritePhase(c, (v, cfg) => {
        // Bin-major: frame 0 of bin k is value k·frames.
        expect(Math.abs(Math.sin(v[cfg.frames]))).toBeLessThan(5e-6);
        for (let k = 2; k < cfg.bins - 1; k++) v[k * cfg.frames] += 1e-4;
      });
      const res = dims.run(ev, fixedUpTo(c.config, ['magnitudeFile', 'phaseFile']));
      expect(res.hypotheses[0]?.values, res.rejects ?? res.undecided ?? res.hypotheses[0]?.reason).toMatchObject({
        frames: c.config.frames,
        bins: 257,
        layout: 'bin-major',
        nfft: 512,
      });
    } finally {
      ev?.close();
      c.cleanup();
    }
  });

  test('unwrapped phase (np.unwrap along time) keeps its real bins on multiples of the bound', () => {
    const cases: Partial<StftConfig>[] = [
      { nfft: 512, hop: 128 },
      { nfft: 400, hop: 100, layout: 'bin-major', phaseUnit: 'degrees' },
      { nfft: 256, hop: 64, phaseFile: rawStorage({ dtype: 'float64' }), magnitudeFile: rawStorage({ dtype: 'float64' }) },
      // A short file: its unwrapped radians stay below 180, the bound of degrees.
      { nfft: 256, hop: 64 },
    ];
    for (const [i, over] of cases.entries()) {
      const c = synthCase(over, i === 3 ? SIGNAL.subarray(0, 2205) : SIGNAL);
      let ev: Evidence | null = null;
      try {
        ev = rewritePhase(c, (v, cfg) => unwrapTime(v, cfg, (2 * Math.PI) / phaseUnitFactor(cfg.phaseUnit)));
        if (i === 3) expect(Math.max(...new Float32Array(readFileSync(c.phasePath ?? '').buffer).map(Math.abs))).toBeLessThan(180);
        const res = dims.run(ev, fixedUpTo(c.config, ['magnitudeFile', 'phaseFile']));
        const top = res.hypotheses[0];
        expect(top?.values, `${JSON.stringify(over)}: ${top?.reason ?? res.rejects ?? res.undecided}`).toMatchObject({
          frames: c.config.frames,
          bins: c.config.bins,
          layout: c.config.layout,
          nfft: c.config.nfft,
        });
        expect(top.reason).toMatch(/real|phase ∈/);
      } finally {
        ev?.close();
        c.cleanup();
      }
    }
  });

  test('wide frames (nfft 16384 one-sided, 10000 two-sided, on the 8-frame minimum): the truth first', () => {
    for (const [nfft, sided] of [
      [16384, 'one'],
      [10000, 'two'],
    ] as [number, Sided][]) {
      const c = synthCase({ nfft, hop: nfft / 4, sided }, demoSignal(22050, 4, 3));
      try {
        const res = dims.run(c.evidence, fixedUpTo(c.config, ['magnitudeFile', 'phaseFile']));
        expect(res.hypotheses[0]?.values, `${nfft} ${sided}: ${res.hypotheses[0]?.reason ?? res.undecided}`).toMatchObject({
          frames: c.config.frames,
          bins: c.config.bins,
          nfft,
          sided,
        });
        expect(res.hypotheses[0].score).toBeGreaterThan(0.5);
      } finally {
        c.cleanup();
      }
    }
  });

  test('fixed fields are honoured, and a contradicted pin scores low', () => {
    const c = synthCase({ nfft: 512, hop: 128 }, SIGNAL);
    try {
      const base = fixedUpTo(c.config, ['magnitudeFile', 'phaseFile']);
      const pinned = dims.run(c.evidence, { ...base, layout: 'frame-major' });
      expect(pinned.hypotheses.every((h) => h.values.layout === 'frame-major')).toBe(true);
      expect(pinned.hypotheses[0].values).toMatchObject({ bins: 257, nfft: 512, sided: 'one' });
      const contradicted = dims.run(c.evidence, { ...base, layout: 'bin-major' });
      expect(contradicted.hypotheses.every((h) => h.score < 0.01) || contradicted.undecided !== undefined).toBe(true);
    } finally {
      c.cleanup();
    }
  });
});

describe('known recipes end to end (raw-dtype, then dims under its storage)', () => {
  const recipes: [string, Partial<StftConfig>][] = [
    ['scipy.signal.stft: 256/128, ÷Σw, bin-major', { nfft: 256, hop: 128, gain: 1 / 128, layout: 'bin-major' }],
    ['librosa: 2048/512, bin-major, dB', { nfft: 2048, hop: 512, layout: 'bin-major', magnitudeScale: 'db' }],
    ['torch: 400/160 reflect, power', { nfft: 400, hop: 160, padMode: 'reflect', magnitudeScale: 'power' }],
    [
      'MATLAB spectrogram: symmetric Hamming 512/256, float64 column-major, degrees',
      {
        nfft: 512,
        hop: 256,
        window: 'hamming',
        windowSymmetry: 'symmetric',
        center: false,
        padMode: 'none',
        firstFrameStart: 0,
        magnitudeFile: rawStorage({ dtype: 'float64' }),
        phaseFile: rawStorage({ dtype: 'float64' }),
        phaseUnit: 'degrees',
      },
    ],
    [
      'Octave specgram: 256, symmetric Hann, Nyquist dropped',
      { nfft: 256, hop: 128, sided: 'one-no-nyquist', windowSymmetry: 'symmetric', center: false, padMode: 'none', firstFrameStart: 0 },
    ],
    ['scipy ShortTimeFFT: window-centre phase, 512/128', { nfft: 512, hop: 128, phaseReference: 'window-centre', layout: 'bin-major' }],
  ];
  for (const [what, over] of recipes) {
    test(what, () => {
      const c = synthCase(over, SIGNAL);
      try {
        const st = rawDtype.run(c.evidence, {}).hypotheses[0];
        expect(st.values.magnitudeFile).toMatchObject(c.config.magnitudeFile);
        expect(st.values.phaseFile).toMatchObject(c.config.phaseFile as object);
        const res = dims.run(c.evidence, st.values);
        const top = res.hypotheses[0];
        console.log(`${what}: storage ${st.score.toFixed(3)}, shape ${JSON.stringify(top.values)} ${top.score.toFixed(3)}`);
        const twin = twinOf(c.config);
        expect(sameAll(top.values, c.config) || (twin !== null && sameAll(top.values, twin) && res.hypotheses.some((h) => sameAll(h.values, c.config)))).toBe(
          true,
        );
      } finally {
        c.cleanup();
      }
    });
  }
});

describe('dims without phase: the magnitude stream period', () => {
  test('magnitude-only grid (weaker: scores stay below 0.6)', () => {
    const grid = shapeGrid(40, 777, false);
    const t = runGrid(grid, ['magnitudeFile', 'phaseFile']);
    console.log(
      `dims (magnitude only) grid: shape first ${pct(t.shape, t.n)}; nfft+sided first ${pct(t.full, t.n)} (+${t.twinOnly} twins); ${(t.ms / t.n).toFixed(1)} ms/case`,
    );
    for (const m of t.misses) console.log(`  miss: ${m}`);
    expect(t.shape / t.n).toBeGreaterThanOrEqual(0.8);
    expect(t.confidentWrongShape).toBe(0);
  });

  test("other programs' magnitudes alone: librosa's and scipy's (bins, frames), MATLAB, torch, the bundled samples", () => {
    const foreign = join(import.meta.dirname, 'fixtures', 'foreign');
    const samples = join(import.meta.dirname, '..', 'samples');
    const cases: [string, StftConfig][] = [
      ...Object.entries(JSON.parse(readFileSync(join(foreign, 'cases.json'), 'utf8')) as Record<string, StftConfig>).map(([n, c]): [string, StftConfig] => [
        join(foreign, `${n}.mag`),
        c,
      ]),
      ...['librosa-default', 'matlab-db-degrees', 'odd-int16', 'torch-400'].map((n): [string, StftConfig] => [
        join(samples, `${n}.mag`),
        JSON.parse(readFileSync(join(samples, `${n}.truth.json`), 'utf8')) as StftConfig,
      ]),
    ];
    for (const [path, cfg] of cases) {
      const ev = new Evidence(path, null);
      try {
        const top = dims.run(ev, { magnitudeFile: cfg.magnitudeFile, phaseFile: null }).hypotheses[0];
        // Without phase a frame-major transposition of a bin-major file has the same row length: the spectral axis decides.
        expect(top?.values, `${path}: ${top?.reason}`).toMatchObject({ frames: cfg.frames, bins: cfg.bins, layout: cfg.layout });
      } finally {
        ev.close();
      }
    }
  });

  test('a held chord: rows that only correlate at a third of the row length are not its period (51 frames, not 17)', () => {
    const raw = readFileSync(join(import.meta.dirname, 'fixtures', 'real', 'signals', 'chord8.f32'));
    const x = Float64Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4));
    const c = synthCase({ nfft: 512, hop: 128, layout: 'bin-major', center: true, padMode: 'reflect', firstFrameStart: -256, phaseFile: null }, x);
    try {
      expect(c.config.frames).toBe(51); // 51 × 257 = 3 × 17 × 257: rows of 17 (nfft 1540) fit the count too
      const top = dims.run(c.evidence, { magnitudeFile: c.config.magnitudeFile, phaseFile: null }).hypotheses[0];
      expect(top?.values, top?.reason).toMatchObject({ frames: 51, bins: 257, layout: 'bin-major', nfft: 512 });
    } finally {
      c.cleanup();
    }
  });
});

/** A raw complex file (interleaved re/im) as numpy's `Z.tofile()` writes it, with an optional dims header. */
function complexFile(over: Partial<StftConfig>, dtype: 'complex64' | 'complex128', endian: Endian, header: number): { bytes: Uint8Array; truth: Truth } {
  const cfg = { ...testConfig(over), magnitudeFile: rawStorage({ dtype: 'float64' }), phaseFile: rawStorage({ dtype: 'float64' }) };
  const frames = frameCountFor(SIGNAL.length, geometryFromConfig(cfg));
  const { X } = makeStftFiles(SIGNAL, { ...cfg, frames });
  const layout: Layout = cfg.layout;
  const v = new Float64Array(2 * X.frames * X.bins);
  for (let m = 0; m < X.frames; m++) {
    for (let k = 0; k < X.bins; k++) {
      const i = layout === 'frame-major' ? m * X.bins + k : k * X.frames + m;
      v[2 * i] = X.re[m * X.bins + k];
      v[2 * i + 1] = X.im[m * X.bins + k];
    }
  }
  const body = encodeValues(v, dtype, endian);
  const bytes = new Uint8Array(header + body.length);
  new DataView(bytes.buffer).setUint32(0, X.frames, true);
  if (header >= 8) new DataView(bytes.buffer).setUint32(4, X.bins, true);
  bytes.set(body, header);
  return { bytes, truth: { frames: X.frames, bins: X.bins, layout, nfft: cfg.nfft, sided: cfg.sided } };
}

describe('one complex file (no phase file)', () => {
  test('raw-dtype names the complex type, dims reads the real DC bin from the imaginary part', () => {
    const r = rng(3);
    let storageHits = 0;
    let shapeHits = 0;
    const n = 16;
    for (let i = 0; i < n; i++) {
      const dtype = r() < 0.5 ? 'complex64' : 'complex128';
      const endian: Endian = r() < 0.7 ? 'little' : 'big';
      const header = [0, 0, 8, 128][Math.floor(r() * 4)];
      const [nfft, sided] = TRANSFORMS[Math.floor(r() * TRANSFORMS.length)];
      const layout: Layout = r() < 0.5 ? 'frame-major' : 'bin-major';
      const { bytes, truth } = complexFile({ nfft, sided, layout, hop: nfft / 4 > 1 ? Math.floor(nfft / 4) : 1 }, dtype, endian, header);
      const c = bytesCase(bytes, null);
      try {
        const st = rawDtype.run(c.evidence, {}).hypotheses[0];
        const okStorage =
          st?.values.magnitudeFile?.dtype === dtype &&
          st.values.magnitudeFile.endian === endian &&
          st.values.magnitudeFile.headerBytes === header &&
          st.values.phaseFile === null;
        if (okStorage) storageHits++;
        else console.log(`  complex storage miss: ${dtype} ${endian} h${header} -> ${st ? JSON.stringify(st.values) : 'undecided'}`);
        const res = dims.run(c.evidence, { magnitudeFile: { format: 'raw', dtype, endian, headerBytes: header }, phaseFile: null });
        const top = res.hypotheses[0];
        const twin = twinOf(truth);
        if (top && (sameAll(top.values, truth) || (twin && sameAll(top.values, twin)))) shapeHits++;
        else console.log(`  complex shape miss: ${layout} ${nfft} ${sided} -> ${top ? JSON.stringify(top.values) : res.undecided}`);
      } finally {
        c.cleanup();
      }
    }
    console.log(`complex files: storage ${pct(storageHits, n)}, shape ${pct(shapeHits, n)}`);
    expect(storageHits / n).toBeGreaterThanOrEqual(0.9);
    expect(shapeHits / n).toBeGreaterThanOrEqual(0.9);
  });
});

describe('few frames', () => {
  // A short clip gives a file of two or three frames (torch.stft(center=False) of 640 or 768 samples at
  // 512/128): its phase still shows real DC and Nyquist bins in every frame, and the pair is read with it.
  const speech = Float64Array.from(new Float32Array(readFileSync(join(import.meta.dirname, 'fixtures/real/signals/cut16.f32')).buffer));
  for (const frames of [2, 3]) {
    test(`${frames} frames of the real clip (512/128, uncentred): read with their phase`, () => {
      const c = synthCase(
        { nfft: 512, hop: 128, center: false, padMode: 'none', firstFrameStart: 0, frames, sampleRate: 16000 },
        speech.subarray(1000, 1000 + 512 + 128 * (frames - 1)),
      );
      try {
        const r = analyze(c.magPath, c.phasePath, { top: 1 });
        expect(r.phase, r.notes.join(' | ')).toMatchObject({ usable: true });
        expect(r.candidates[0].config).toMatchObject({ frames, bins: 257, nfft: 512, hop: 128 });
      } finally {
        c.cleanup();
      }
    });
  }
});

describe('dims on bad input', () => {
  test('noise, silence, a constant and a tiny file: undecided or low', () => {
    const r = rng(11);
    const f32 = (n: number, f: () => number): Uint8Array => encodeValues(Float64Array.from({ length: n }, f), 'float32', 'little');
    const inputs: [string, Uint8Array, Uint8Array | null][] = [
      ['uniform noise pair', f32(60_000, () => r()), f32(60_000, () => (r() - 0.5) * 2 * Math.PI)],
      ['noise magnitude only', f32(60_000, () => r()), null],
      ['silence', f32(60_000, () => 0), f32(60_000, () => 0)],
      ['constant', f32(60_000, () => 0.25), f32(60_000, () => 1)],
      ['tiny', f32(5, () => r()), f32(5, () => r())],
    ];
    const storage = { magnitudeFile: rawStorage(), phaseFile: rawStorage() };
    for (const [what, m, p] of inputs) {
      const c = bytesCase(m, p);
      try {
        const res = dims.run(c.evidence, p ? storage : { magnitudeFile: rawStorage(), phaseFile: null });
        const top = res.hypotheses[0];
        console.log(
          `dims on ${what}: ${res.undecided ?? (res.rejects ? `ruled out: ${res.rejects}` : `${JSON.stringify(top.values)} ${top.score.toFixed(3)}`)}`,
        );
        expect(top === undefined || top.score <= 0.5, what).toBe(true);
        // Phase that varies but is real at DC under no shape rules the reading out.
        if (what === 'uniform noise pair') expect(res.rejects, what).toBeDefined();
      } finally {
        c.cleanup();
      }
    }
  });
});
