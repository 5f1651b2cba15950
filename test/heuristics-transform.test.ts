import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { centring } from '../heuristics/centring/index.js';
import { hopAnalyzer } from '../heuristics/hop/index.js';
import { phaseConvention } from '../heuristics/phase-convention/index.js';
import { phaseStructure } from '../heuristics/phase-structure/index.js';
import { matchRecipes, recipe } from '../heuristics/recipe/index.js';
import type { AnalyzerResult } from '../heuristics/types.js';
import { Evidence } from '../src/analysis/evidence.js';
import { completeConfig, parseConfigObject } from '../src/config/parse.js';
import type {
  Dtype,
  Layout,
  MagnitudeScale,
  PadMode,
  PartialStftConfig,
  PhaseReference,
  PhaseSign,
  Sided,
  StftConfig,
  WindowName,
  WindowSymmetry,
} from '../src/config/types.js';
import { encodeValues } from '../src/io/dtype.js';
import { demoSignal } from '../src/synth/signals.js';
import { rng } from './helpers.js';
import { bytesCase, fixedUpTo, rawStorage, synthCase, type SynthCase } from './synth-evidence.js';

/** Fields fixed before the transform stage: storage, shape, scale, floor, unit. */
const BEFORE: (keyof StftConfig)[] = ['magnitudeFile', 'phaseFile', 'frames', 'bins', 'layout', 'nfft', 'sided', 'magnitudeScale', 'dbFloor', 'phaseUnit'];
const FOR_CONVENTION: (keyof StftConfig)[] = [...BEFORE, 'hop'];
const FOR_CENTRING: (keyof StftConfig)[] = [...FOR_CONVENTION, 'phaseReference', 'phaseSign', 'winLength', 'windowPlacement'];
const WINDOW_FIELDS: (keyof StftConfig)[] = ['window', 'windowSymmetry'];

const SR = 16000;
const SIGNAL = demoSignal(SR, 1, 7);

const open: SynthCase[] = [];
afterAll(() => open.forEach((c) => c.cleanup()));
function make(over: Partial<StftConfig>, signal: Float64Array = SIGNAL): SynthCase {
  const sc = synthCase({ sampleRate: SR, ...over }, signal);
  open.push(sc);
  return sc;
}
function release(sc: SynthCase): void {
  open.splice(open.indexOf(sc), 1);
  sc.cleanup();
}

const top = (r: AnalyzerResult): PartialStftConfig | undefined => r.hypotheses[0]?.values;
const show = (r: AnalyzerResult): string =>
  r.undecided ??
  r.hypotheses
    .slice(0, 3)
    .map((h) => `${JSON.stringify(h.values)}@${h.score.toFixed(3)}`)
    .join(' | ');
/** Highest score among hypotheses that assert a wrong value for `field`. */
const wrongScore = (r: AnalyzerResult, field: keyof StftConfig, truth: unknown): number =>
  Math.max(0, ...r.hypotheses.filter((h) => h.values[field] !== undefined && h.values[field] !== truth).map((h) => h.score));
/** No confident claim: undecided, or every hypothesis at most 0.5. */
const unsure = (r: AnalyzerResult): boolean => r.hypotheses.every((h) => h.score <= 0.5);

/**
 * The original length a centring reading should recover: the signal length when the last frame reaches
 * well past the signal (a quarter frame), null when it ends inside it; either in between, where the
 * last frame's window tail may be too small to show the padding.
 */
function lengthOk(got: number | null | undefined, sc: SynthCase): boolean {
  const c = sc.config;
  const L = sc.signal.length;
  const overhang = c.firstFrameStart + (c.frames - 1) * c.hop + c.nfft - L;
  const visible = c.windowPlacement === 'centred' ? overhang - (c.nfft - c.winLength) / 2 : overhang - (c.nfft - c.winLength);
  if (c.padMode === 'none' || visible <= 0) return got === null;
  if (visible >= c.nfft / 4) return got === L;
  return got === null || got === L;
}

function runAll(sc: SynthCase, withWindow: boolean): { hop: AnalyzerResult; conv: AnalyzerResult; centre: AnalyzerResult } {
  const c = sc.config;
  return {
    hop: hopAnalyzer.run(sc.evidence, fixedUpTo(c, BEFORE)),
    conv: phaseConvention.run(sc.evidence, fixedUpTo(c, FOR_CONVENTION)),
    centre: centring.run(sc.evidence, fixedUpTo(c, withWindow ? [...FOR_CENTRING, ...WINDOW_FIELDS] : FOR_CENTRING)),
  };
}

const convOk = (r: AnalyzerResult, c: StftConfig): boolean =>
  c.hop >= c.nfft ? r.undecided !== undefined : top(r)?.phaseReference === c.phaseReference && top(r)?.phaseSign === c.phaseSign;
const centreOk = (r: AnalyzerResult, sc: SynthCase): boolean => {
  const t = top(r);
  const c = sc.config;
  return t?.center === c.center && t?.padMode === c.padMode && t?.firstFrameStart === c.firstFrameStart && lengthOk(t?.originalLength, sc);
};

/** Hops from nfft/8 to nfft: odd ones, ±1 around nfft/2, and the 10 ms-type values that fit. */
function hopsFor(N: number): number[] {
  const rel = [N / 8, N / 8 + 1, 0.2 * N + 1, N / 4, 0.3 * N, (3 * N) / 8, N / 2 - 1, N / 2, 0.6 * N + 1, (3 * N) / 4, 0.9 * N, N].map(Math.floor);
  const abs = [160, 200, 256, 441].filter((h) => h >= N / 8 && h <= N);
  return [...new Set([...rel, ...abs])].sort((a, b) => a - b);
}

const NFFTS = [256, 400, 512, 1024];
const WINDOWS: WindowName[] = ['hann', 'hamming', 'blackman', 'sqrt-hann', 'kaiser-8'];
const PADS: [boolean, PadMode][] = [
  [false, 'none'],
  [true, 'zeros'],
  [true, 'reflect'],
];
const REFS: PhaseReference[] = ['frame-start', 'window-centre', 'absolute-time'];
const SIGNS: PhaseSign[] = ['+', '-'];
const LAYOUTS: Layout[] = ['frame-major', 'bin-major'];
const DTYPES: Dtype[] = ['float32', 'float64'];
const SCALES: MagnitudeScale[] = ['linear', 'power', 'db'];
const SYMMETRIES: WindowSymmetry[] = ['periodic', 'symmetric'];

/**
 * Every (nfft, hop) of the list once per pass; the other fields drawn from a seeded generator, each value
 * cycled so all appear: window, padding, reference, sign and layout, plus nuisances (dtype, scale,
 * symmetry, a two-sided spectrum now and then).
 */
function gridCases(): Partial<StftConfig>[] {
  const r = rng(20240611);
  const pickOf = <T>(a: readonly T[], i: number): T => a[(i + Math.floor(r() * a.length)) % a.length];
  const out: Partial<StftConfig>[] = [];
  let i = 0;
  for (let pass = 0; pass < 2; pass++)
    for (const nfft of NFFTS)
      for (const hop of hopsFor(nfft)) {
        const [center, padMode] = PADS[i % PADS.length];
        const dtype = pickOf(DTYPES, i);
        const sided: Sided = i % 7 === 3 ? 'two' : 'one';
        out.push({
          nfft,
          hop,
          sided,
          window: WINDOWS[(i + pass) % WINDOWS.length],
          windowSymmetry: pickOf(SYMMETRIES, i),
          center,
          padMode,
          firstFrameStart: center ? -Math.floor(nfft / 2) : 0,
          phaseReference: REFS[Math.floor(i / 2) % REFS.length],
          phaseSign: SIGNS[Math.floor(i / 6) % SIGNS.length],
          layout: LAYOUTS[Math.floor(i / 3) % LAYOUTS.length],
          magnitudeScale: pickOf(SCALES, i),
          magnitudeFile: rawStorage({ dtype }),
          phaseFile: rawStorage({ dtype }),
        });
        i++;
      }
  return out;
}

describe('hop, phase convention and centring on a grid of synthetic STFTs', () => {
  it('rank the truth first on >= 95 % of the grid', () => {
    const cases = gridCases();
    const hits = { hop: 0, conv: 0, centre: 0 };
    const wrong = { hop: 0, conv: 0 };
    const ms = { hop: 0, conv: 0, centre: 0 };
    const misses: string[] = [];
    let truthRuledOut = 0;
    cases.forEach((over, i) => {
      const sc = make(over);
      const c = sc.config;
      const structure = phaseStructure.run(sc.evidence, fixedUpTo(c, BEFORE));
      if (structure.rejects !== undefined) {
        truthRuledOut++;
        misses.push(`${c.nfft}/${c.hop} ${c.layout}: the true reading ruled out (${structure.rejects})`);
      }
      const t0 = performance.now();
      const hop = hopAnalyzer.run(sc.evidence, fixedUpTo(c, BEFORE));
      const t1 = performance.now();
      const conv = phaseConvention.run(sc.evidence, fixedUpTo(c, FOR_CONVENTION));
      const t2 = performance.now();
      const centre = centring.run(sc.evidence, fixedUpTo(c, i % 2 ? FOR_CENTRING : [...FOR_CENTRING, ...WINDOW_FIELDS]));
      ms.hop += t1 - t0;
      ms.conv += t2 - t1;
      ms.centre += performance.now() - t2;
      const ok = { hop: top(hop)?.hop === c.hop, conv: convOk(conv, c), centre: centreOk(centre, sc) };
      if (ok.hop) hits.hop++;
      if (ok.conv) hits.conv++;
      if (ok.centre) hits.centre++;
      // A wrong value must stay far below the truth where the truth is measurable.
      wrong.hop = Math.max(wrong.hop, wrongScore(hop, 'hop', c.hop));
      if (c.hop < c.nfft) wrong.conv = Math.max(wrong.conv, wrongScore(conv, 'phaseReference', c.phaseReference));
      if (!ok.hop || !ok.conv || !ok.centre) {
        const label = `${c.nfft}/${c.hop} ${c.window} ${c.phaseReference}${c.phaseSign} ${c.center ? c.padMode : 'uncentred'} ${c.layout}`;
        misses.push(`${label}: hop ${show(hop)} | conv ${show(conv)} | centring ${show(centre)}`);
      }
      release(sc);
    });
    const n = cases.length;
    for (const m of misses) console.log(`miss: ${m}`);
    console.log(
      `transform grid: ${n} cases; hop ${hits.hop}/${n} (${((100 * hits.hop) / n).toFixed(1)} %, ${(ms.hop / n).toFixed(0)} ms), ` +
        `phase convention ${hits.conv}/${n} (${((100 * hits.conv) / n).toFixed(1)} %, ${(ms.conv / n).toFixed(0)} ms), ` +
        `centring ${hits.centre}/${n} (${((100 * hits.centre) / n).toFixed(1)} %, ${(ms.centre / n).toFixed(0)} ms); ` +
        `best wrong score: hop ${wrong.hop.toFixed(3)}, reference ${wrong.conv.toFixed(3)}; true readings ruled out by phase-structure ${truthRuledOut}`,
    );
    expect(truthRuledOut).toBe(0);
    expect(hits.hop / n).toBeGreaterThanOrEqual(0.95);
    expect(hits.conv / n).toBeGreaterThanOrEqual(0.95);
    expect(hits.centre / n).toBeGreaterThanOrEqual(0.95);
    expect(wrong.hop).toBeLessThan(0.1);
    expect(wrong.conv).toBeLessThan(0.1);
  });
});

/** uint8 dB magnitudes (20·log10|X| + 120, clipped at 0) and int16 phase: 1 dB steps, the coarsest storage makers use. */
const COARSE: Partial<StftConfig> = {
  magnitudeFile: rawStorage({ dtype: 'uint8' }),
  phaseFile: rawStorage({ dtype: 'int16' }),
  magnitudeScale: 'db',
  gain: 1e6,
  dbFloor: 0,
  phaseUnit: 'scaled-65536',
};

describe('coarse storage and flat windows', () => {
  it('uint8 dB / int16 phase: the truth first, with scores that admit the lower precision', () => {
    const windows: WindowName[] = ['hann', 'blackman', 'kaiser-8', 'gaussian-60', 'tukey-0.5', 'hamming'];
    let hits = 0;
    let n = 0;
    let wrongMax = 0;
    let best = { min: 1, max: 0 };
    const misses: string[] = [];
    for (const [i, nfft] of [256, 320, 400, 512].entries())
      for (const [j, f] of [0.25, 0.375, 0.5].entries()) {
        const k = 3 * i + j;
        const hop = Math.round(f * nfft);
        const winLength = k % 4 === 3 ? Math.round(0.75 * nfft) : nfft;
        const sc = make({
          ...COARSE,
          nfft,
          hop,
          winLength,
          window: windows[k % windows.length],
          phaseReference: REFS[k % 3],
          phaseSign: SIGNS[Math.floor(k / 3) % 2],
          layout: LAYOUTS[k % 2],
        });
        const c = sc.config;
        const { hop: h, conv } = runAll(sc, false);
        n++;
        const ok = top(h)?.hop === c.hop && convOk(conv, c);
        if (ok) hits++;
        else misses.push(`${nfft}/${hop} ${c.window} ${c.phaseReference}${c.phaseSign}: hop ${show(h)} | conv ${show(conv)}`);
        wrongMax = Math.max(
          wrongMax,
          wrongScore(h, 'hop', c.hop) / (h.hypotheses[0]?.score ?? 1),
          wrongScore(conv, 'phaseReference', c.phaseReference) / (conv.hypotheses[0]?.score ?? 1),
        );
        const s = h.hypotheses[0]?.score ?? 0;
        best = { min: Math.min(best.min, s), max: Math.max(best.max, s) };
        release(sc);
      }
    for (const m of misses) console.log(`coarse miss: ${m}`);
    console.log(
      `coarse grid: ${n} cases; hop and convention ${hits}/${n}; best hop scores ${best.min.toFixed(2)}–${best.max.toFixed(2)}; worst wrong/best ratio ${wrongMax.toFixed(3)}`,
    );
    expect(hits / n).toBeGreaterThanOrEqual(0.95);
    // Honest: agreement to within 1 dB steps is not agreement to round-off...
    expect(best.max).toBeLessThan(0.9);
    // ...but still far above every rival.
    expect(wrongMax).toBeLessThan(0.1);
  });

  it('rectangular windows at 50 % overlap: hop and convention under every reference, placement and pad', () => {
    const cases: Partial<StftConfig>[] = [
      { nfft: 511, sided: 'one', phaseReference: 'absolute-time', phaseSign: '+', center: true, padMode: 'reflect', firstFrameStart: -255 },
      {
        nfft: 512,
        sided: 'one-no-nyquist',
        winLength: 384,
        windowPlacement: 'start',
        phaseReference: 'absolute-time',
        phaseSign: '+',
        center: false,
        padMode: 'none',
        firstFrameStart: 0,
      },
      {
        nfft: 400,
        sided: 'two',
        windowSymmetry: 'symmetric',
        phaseReference: 'frame-start',
        phaseSign: '-',
        center: true,
        padMode: 'zeros',
        firstFrameStart: -200,
      },
      { nfft: 320, winLength: 240, phaseReference: 'window-centre', phaseSign: '+', layout: 'bin-major' },
      { ...COARSE, nfft: 512, sided: 'one-no-nyquist', phaseReference: 'absolute-time', phaseSign: '+' },
    ];
    for (const over of cases) {
      const L = over.winLength ?? over.nfft!;
      const sc = make({ ...over, window: 'rectangular', hop: Math.round(L / 2) });
      const c = sc.config;
      const { hop: h, conv } = runAll(sc, false);
      expect(top(h)?.hop, `${c.nfft}/${c.hop} ${c.phaseReference}${c.phaseSign}: ${show(h)}`).toBe(c.hop);
      expect(top(conv), show(conv)).toMatchObject({ phaseReference: c.phaseReference, phaseSign: c.phaseSign });
      release(sc);
    }
  });

  it('window-centre reference, short window, placement left open: a pad places the window; no pad leaves it tied', () => {
    for (const [windowPlacement, padMode] of [
      ['start', 'zeros'],
      ['centred', 'reflect'],
      ['start', 'reflect'],
    ] as const) {
      const sc = make({
        nfft: 512,
        hop: 128,
        winLength: 384,
        windowPlacement,
        window: 'hann',
        phaseReference: 'window-centre',
        center: true,
        padMode,
        firstFrameStart: -256,
      });
      const fixed = fixedUpTo(
        sc.config,
        FOR_CENTRING.filter((f) => f !== 'windowPlacement'),
      );
      const r = centring.run(sc.evidence, fixed);
      expect(top(r), show(r)).toMatchObject({ windowPlacement, padMode, firstFrameStart: -256 });
      // The other placement reads a pad no maker uses or a contradicted unpadded start.
      expect(
        Math.max(0, ...r.hypotheses.filter((h) => h.values.windowPlacement !== windowPlacement).map((h) => h.score)),
        `${windowPlacement} ${padMode} ` + r.hypotheses.map((h) => `${JSON.stringify(h.values)}@${h.score}`).join(' | '),
      ).toBeLessThan(0.35);
      release(sc);
    }
    const sc = make({
      nfft: 400,
      hop: 200,
      winLength: 300,
      windowPlacement: 'start',
      window: 'sqrt-hann',
      phaseReference: 'window-centre',
      center: false,
      padMode: 'none',
      firstFrameStart: 0,
    });
    const r = centring.run(
      sc.evidence,
      fixedUpTo(
        sc.config,
        FOR_CENTRING.filter((f) => f !== 'windowPlacement'),
      ),
    );
    // Unpadded, the data fix only offset + firstFrameStart: both placements read alike, unpadded, the
    // centred one first by a stated prior of 0.2 dB only.
    expect(r.hypotheses.slice(0, 2).map((h) => [h.values.windowPlacement, h.values.center])).toEqual([
      ['centred', false],
      ['start', false],
    ]);
    expect(r.hypotheses[1].score / r.hypotheses[0].score).toBeGreaterThan(0.9);
    release(sc);
  });
});

describe('cases that must not win', () => {
  it('hop nfft/2 ± 1: frame-start + is not read as window-centre − at nfft − hop', () => {
    for (const hop of [255, 257]) {
      const sc = make({ nfft: 512, hop, window: 'hann' });
      const { hop: h, conv } = runAll(sc, false);
      expect(top(h)?.hop, show(h)).toBe(hop);
      expect(wrongScore(h, 'hop', hop)).toBeLessThan(0.05);
      expect(top(conv)).toMatchObject({ phaseReference: 'frame-start', phaseSign: '+' });
      release(sc);
    }
  });
  it('a conjugated or absolute-time phase is not read as the common frame-start +', () => {
    for (const [phaseReference, phaseSign] of [
      ['frame-start', '-'],
      ['absolute-time', '+'],
      ['absolute-time', '-'],
    ] as [PhaseReference, PhaseSign][]) {
      const sc = make({ nfft: 512, hop: 128, phaseReference, phaseSign });
      const conv = phaseConvention.run(sc.evidence, fixedUpTo(sc.config, FOR_CONVENTION));
      expect(top(conv), show(conv)).toMatchObject({ phaseReference, phaseSign });
      const fsPlus = conv.hypotheses.find((h) => h.values.phaseReference === 'frame-start' && h.values.phaseSign === '+');
      expect(fsPlus?.score ?? 0).toBeLessThan(0.05);
      release(sc);
    }
  });
  it('under a wrong hop, centring refuses to rebuild the ends', () => {
    const sc = make({ nfft: 512, hop: 128 });
    const r = centring.run(sc.evidence, { ...fixedUpTo(sc.config, FOR_CENTRING), hop: 127 });
    expect(r.undecided, show(r)).toMatch(/do not overlap/);
    release(sc);
  });
  it('a signal that starts with silence leaves the start undecided rather than guessed', () => {
    const x = new Float64Array(SIGNAL.length);
    x.set(SIGNAL.subarray(0, SIGNAL.length - 3000), 3000);
    const sc = make({ nfft: 512, hop: 128 }, x);
    const r = centring.run(sc.evidence, fixedUpTo(sc.config, FOR_CENTRING));
    expect(unsure(r), show(r)).toBe(true);
    release(sc);
  });
});

/** A decodable float32 config over `frames` × 257 bins (nfft 512) for raw byte inputs. */
function rawFixed(frames: number): PartialStftConfig {
  return {
    magnitudeFile: rawStorage(),
    phaseFile: rawStorage(),
    frames,
    bins: 257,
    layout: 'frame-major',
    nfft: 512,
    sided: 'one',
    magnitudeScale: 'linear',
    dbFloor: null,
    phaseUnit: 'radians',
  };
}
const f32 = (v: Float64Array): Uint8Array => encodeValues(v, 'float32', 'little');
const filled = (n: number, f: (i: number) => number): Float64Array => Float64Array.from({ length: n }, (_, i) => f(i));

describe('noise, silence, constant and tiny inputs give no confident answer', () => {
  const r = rng(99);
  const n = 64 * 257;
  const inputs: [string, Uint8Array, Uint8Array][] = [
    ['random bytes', Uint8Array.from({ length: 4 * n }, () => Math.floor(r() * 256)), Uint8Array.from({ length: 4 * n }, () => Math.floor(r() * 256))],
    ['uniform noise', f32(filled(n, () => r())), f32(filled(n, () => (r() * 2 - 1) * Math.PI))],
    ['silence', new Uint8Array(4 * n), new Uint8Array(4 * n)],
    ['constant, zero phase', f32(filled(n, () => 1)), f32(filled(n, () => 0))],
    ['constant, constant phase', f32(filled(n, () => 0.5)), f32(filled(n, () => 1))],
  ];
  for (const [name, mag, phase] of inputs) {
    it(name, () => {
      const b = bytesCase(mag, phase);
      const fixed = rawFixed(64);
      const results = [
        hopAnalyzer.run(b.evidence, fixed),
        phaseConvention.run(b.evidence, { ...fixed, hop: 128 }),
        centring.run(b.evidence, { ...fixed, hop: 128, phaseReference: 'frame-start', phaseSign: '+', winLength: 512, windowPlacement: 'centred' }),
      ];
      for (const res of results) expect(unsure(res), `${name}: ${show(res)}`).toBe(true);
      console.log(`${name}: hop ${show(results[0])}; convention ${show(results[1])}; centring ${show(results[2])}`);
      b.cleanup();
    });
  }
  it('true magnitudes with random phase', () => {
    const sc = make({ nfft: 512, hop: 128 });
    const phase = f32(filled(sc.config.frames * sc.config.bins, () => (r() * 2 - 1) * Math.PI));
    const b = bytesCase(readFileSync(sc.magPath), phase);
    const fixed = fixedUpTo(sc.config, BEFORE);
    const h = hopAnalyzer.run(b.evidence, fixed);
    const conv = phaseConvention.run(b.evidence, { ...fixed, hop: 128 });
    expect(unsure(h), show(h)).toBe(true);
    expect(unsure(conv), show(conv)).toBe(true);
    // Neither DC cells nor overlap vouch for this reading: both analyzers rule it out.
    expect(h.rejects, show(h)).toMatch(/random or unusable phase/);
    expect(phaseStructure.run(b.evidence, fixed).rejects).toMatch(/DC\/Nyquist phase on 0\/±π in \d/);
    b.cleanup();
    release(sc);
  });
  it('a phase read in the wrong unit is ruled out; the right unit is kept', () => {
    const sc = make({ nfft: 512, hop: 128, phaseUnit: 'degrees' });
    const fixed = fixedUpTo(sc.config, BEFORE);
    expect(phaseStructure.run(sc.evidence, fixed).rejects).toBeUndefined();
    expect(phaseStructure.run(sc.evidence, { ...fixed, phaseUnit: 'radians' }).rejects).toMatch(/not a real signal's STFT/);
    release(sc);
  });
  it('rectangular frames that do not overlap: hop = nfft, not ruled out (their DC cells are real)', () => {
    const sc = make({ nfft: 256, hop: 256, window: 'rectangular', center: false, padMode: 'none', firstFrameStart: 0 });
    const h = hopAnalyzer.run(sc.evidence, fixedUpTo(sc.config, BEFORE));
    expect(h.rejects, show(h)).toBeUndefined();
    expect(top(h)?.hop, show(h)).toBe(256);
    expect(phaseStructure.run(sc.evidence, fixedUpTo(sc.config, BEFORE)).rejects).toBeUndefined();
    release(sc);
  });
  it('three frames', () => {
    const sc = make({ nfft: 512, hop: 128, center: false, padMode: 'none', firstFrameStart: 0 }, SIGNAL.subarray(0, 512 + 2 * 128));
    expect(sc.config.frames).toBe(3);
    const res = runAll(sc, false);
    for (const x of [res.hop, res.conv]) expect(unsure(x), show(x)).toBe(true);
    release(sc);
  });
});

describe('without phase', () => {
  it('the hop is only a weak guess, never confident', () => {
    let hits = 0;
    let total = 0;
    let maxScore = 0;
    for (const nfft of [512, 1024])
      for (const hop of [nfft / 8, nfft / 4, nfft / 2, (3 * nfft) / 4, nfft]) {
        const sc = make({ nfft, hop, phaseFile: null });
        expect(phaseConvention.applies(sc.evidence, fixedUpTo(sc.config, FOR_CONVENTION))).toBe(false);
        const h = hopAnalyzer.run(sc.evidence, fixedUpTo(sc.config, BEFORE));
        total++;
        if (top(h)?.hop === hop) hits++;
        maxScore = Math.max(maxScore, ...h.hypotheses.map((x) => x.score));
        release(sc);
      }
    console.log(`magnitude-only hop: ${hits}/${total} first (${((100 * hits) / total).toFixed(0)} %), highest score ${maxScore.toFixed(3)}`);
    expect(maxScore).toBeLessThanOrEqual(0.25);
  });
});

/** Other programs' conventions, as their makers would write them (DESIGN.md §4.8). */
const L16 = SIGNAL.length;
const FOREIGN: { name: string; recipe: string; over: Partial<StftConfig>; signal?: Float64Array; length: number | null }[] = [
  {
    name: 'scipy.signal.stft (÷Σw, first frame at −nfft/2, padded end)',
    recipe: 'scipy.signal.stft defaults',
    over: { nfft: 256, hop: 128, gain: 1 / 128, layout: 'bin-major', center: true, padMode: 'zeros', firstFrameStart: -128, frames: Math.ceil(L16 / 128) + 1 },
    length: L16,
  },
  {
    name: 'scipy ShortTimeFFT (window-centre phase, first slice −hop − nfft/2)',
    recipe: 'scipy.signal.ShortTimeFFT',
    over: {
      nfft: 512,
      hop: 128,
      layout: 'bin-major',
      center: true,
      padMode: 'zeros',
      firstFrameStart: -384,
      phaseReference: 'window-centre',
      frames: Math.ceil((L16 + 384) / 128),
    },
    length: L16,
  },
  {
    name: 'torch reflect 400/160 (Whisper), power, (freq, time)',
    recipe: 'Whisper front end (torch.stft 400/160 at 16 kHz)',
    over: { nfft: 400, hop: 160, layout: 'bin-major', center: true, padMode: 'reflect', firstFrameStart: -200, magnitudeScale: 'power' },
    length: L16,
  },
  {
    name: 'librosa 2048/512 at 22.05 kHz, (bins, frames)',
    recipe: 'librosa.stft defaults',
    over: { nfft: 2048, hop: 512, layout: 'bin-major', center: true, padMode: 'zeros', firstFrameStart: -1024, sampleRate: 22050 },
    signal: demoSignal(22050, 1, 3),
    length: 22050,
  },
  {
    name: 'MATLAB spectrogram: uncentred symmetric Hamming, 50 %, column-major float64',
    recipe: 'MATLAB spectrogram defaults',
    over: {
      nfft: 256,
      hop: 128,
      window: 'hamming',
      windowSymmetry: 'symmetric',
      center: false,
      padMode: 'none',
      firstFrameStart: 0,
      magnitudeFile: rawStorage({ dtype: 'float64' }),
      phaseFile: rawStorage({ dtype: 'float64' }),
    },
    length: null,
  },
  {
    name: 'Octave specgram: symmetric Hann, Nyquist dropped',
    recipe: 'Octave specgram defaults',
    over: { nfft: 256, hop: 128, window: 'hann', windowSymmetry: 'symmetric', sided: 'one-no-nyquist', center: false, padMode: 'none', firstFrameStart: 0 },
    length: null,
  },
];

describe("other programs' conventions", () => {
  for (const f of FOREIGN) {
    it(f.name, () => {
      const sc = make(f.over, f.signal);
      const c = sc.config;
      const { hop, conv, centre } = runAll(sc, false);
      expect(top(hop)?.hop, show(hop)).toBe(c.hop);
      expect(top(conv), show(conv)).toMatchObject({ phaseReference: c.phaseReference, phaseSign: c.phaseSign });
      expect(top(centre), show(centre)).toMatchObject({ center: c.center, padMode: c.padMode, firstFrameStart: c.firstFrameStart, originalLength: f.length });
      const named = matchRecipes(c).filter((m) => m.mismatched.length === 0);
      expect(named[0]?.name).toBe(f.recipe);
      console.log(
        `${f.name}: hop ${top(hop)?.hop}, ${top(conv)?.phaseReference} ${top(conv)?.phaseSign}, ${JSON.stringify(top(centre))}; recipe ${named.map((m) => m.name).join(' / ')}`,
      );
      release(sc);
    });
  }

  it("pads off the ⌊nfft/2⌋ + k·hop grid: a start-placed window's ⌊winLength/2⌋, a phase vocoder's nfft − hop", () => {
    // scipy.signal.stft(nperseg=400, noverlap=300, nfft=1024) pads nperseg/2; aubio's pvoc(1024, 300)
    // starts at hop − nfft. Both read as unpadded (the audio shifted by 200 and 724 samples) before.
    const cases: Partial<StftConfig>[] = [
      { nfft: 1024, hop: 100, winLength: 400, windowPlacement: 'start', layout: 'bin-major', center: true, padMode: 'zeros', firstFrameStart: -200 },
      { nfft: 1024, hop: 300, phaseReference: 'window-centre', layout: 'frame-major', center: true, padMode: 'zeros', firstFrameStart: -724 },
    ];
    for (const over of cases) {
      const sc = make(over);
      const { centre } = runAll(sc, false);
      expect(top(centre), show(centre)).toMatchObject({ center: true, padMode: 'zeros', firstFrameStart: over.firstFrameStart });
      release(sc);
    }
  });

  // Files written by numpy/scipy themselves (scripts/fixtures/foreign_stfts.py).
  const DIR = join(import.meta.dirname, 'fixtures', 'foreign');
  const truths = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Record<string, unknown>;
  for (const name of Object.keys(truths)) {
    it(`fixture ${name}`, () => {
      const c = completeConfig(parseConfigObject(truths[name], name), true, name);
      const ev = new Evidence(join(DIR, `${name}.mag`), join(DIR, `${name}.phase`));
      try {
        const hop = hopAnalyzer.run(ev, fixedUpTo(c, BEFORE));
        const conv = phaseConvention.run(ev, fixedUpTo(c, FOR_CONVENTION));
        const centre = centring.run(ev, fixedUpTo(c, FOR_CENTRING));
        expect(top(hop)?.hop, show(hop)).toBe(c.hop);
        expect(top(conv), show(conv)).toMatchObject({ phaseReference: c.phaseReference, phaseSign: c.phaseSign });
        expect(top(centre), show(centre)).toMatchObject({ center: c.center, padMode: c.padMode, firstFrameStart: c.firstFrameStart });
        if (c.originalLength !== null) expect(top(centre)?.originalLength).toBe(c.originalLength);
      } finally {
        ev.close();
      }
    });
  }
});

describe('recipe', () => {
  const full = (over: Partial<StftConfig>): PartialStftConfig => {
    const sc = make(over);
    // The synthesised file's rate stands for the search's input here: nothing has decided it yet.
    const { sampleRate: _rate, ...c } = sc.config;
    release(sc);
    return c;
  };
  it('names the preset and proposes its sample rate', () => {
    const cases: [Partial<StftConfig>, number | null, RegExp][] = [
      [{ nfft: 2048, hop: 512, layout: 'bin-major', firstFrameStart: -1024 }, 22050, /librosa\.stft defaults/],
      [{ nfft: 400, hop: 160, layout: 'bin-major', padMode: 'reflect', firstFrameStart: -200, magnitudeScale: 'power' }, 16000, /Whisper/],
      [{ nfft: 400, hop: 200, layout: 'bin-major', padMode: 'reflect', firstFrameStart: -200, magnitudeScale: 'power' }, 16000, /torchaudio/],
      [{ nfft: 1024, hop: 256, center: false, padMode: 'none', firstFrameStart: 0 }, 22050, /TTS front end 1024\/256/],
      [{ nfft: 2048, hop: 300, winLength: 1200, center: false, padMode: 'none', firstFrameStart: 0 }, 24000, /1200\/300/],
      [{ nfft: 256, hop: 128, gain: 1 / 128, layout: 'bin-major', firstFrameStart: -128 }, null, /scipy\.signal\.stft/],
    ];
    for (const [over, sampleRate, name] of cases) {
      const r = recipe.run(null as unknown as Evidence, full(over));
      expect(top(r)?.sampleRate, show(r)).toBe(sampleRate);
      expect(String(r.hypotheses[0].metrics?.recipe)).toMatch(name);
    }
    // A rate already decided (a labelled table states it) stands beside the named preset.
    const stated = recipe.run(null as unknown as Evidence, { ...full(cases[0][0]), sampleRate: 8000 });
    expect(top(stated)?.sampleRate).toBe(8000);
  });
  it('lists every matching recipe and says when none matches', () => {
    const both = matchRecipes({ nfft: 400, layout: 'bin-major', padMode: 'reflect', firstFrameStart: -200, center: true, magnitudeScale: 'power' });
    expect(
      both
        .slice(0, 2)
        .map((m) => m.name)
        .sort(),
    ).toEqual(['Whisper front end (torch.stft 400/160 at 16 kHz)', 'torchaudio.transforms.Spectrogram defaults']);
    const none = recipe.run(null as unknown as Evidence, { nfft: 300, hop: 77, window: 'blackman' });
    expect(none.hypotheses).toEqual([{ values: { sampleRate: null }, score: 1, reason: 'no recipe matches', metrics: { recipe: '' } }]);
    const m = matchRecipes({ nfft: 2048, hop: 512, padMode: 'reflect', window: 'hann' });
    const librosa = m.find((x) => x.name === 'librosa.stft defaults');
    expect(librosa?.mismatched).toEqual(['padMode "zeros"']);
  });
});
