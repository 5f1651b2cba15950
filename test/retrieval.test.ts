import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Evidence } from '../src/analysis/evidence.js';
import { assessPhase, knownCells, type PhaseKind } from '../src/analysis/phase-quality.js';
import { frameTrust } from '../src/analysis/frame-trust.js';
import type { StftConfig, WindowName } from '../src/config/types.js';
import { pghiLambda, windowLambda } from '../src/dsp/pghi.js';
import { type RetrievalOptions, retrievePhase, retrievePhaseBlocks } from '../src/dsp/retrieval.js';
import { binsFor, type ComplexFrames, geometryFromConfig, istft, type StftGeometry, stft } from '../src/dsp/stft.js';
import { makeWindow } from '../src/dsp/windows.js';
import { demoSignal } from '../src/synth/signals.js';
import { rng, snrDb } from './helpers.js';
import { synthCase } from './synth-evidence.js';

type GeomFields = Parameters<typeof geometryFromConfig>[0];

function geom(over: Partial<GeomFields> = {}): StftGeometry {
  const nfft = over.nfft ?? 512;
  return geometryFromConfig({
    nfft,
    hop: nfft / 4,
    sided: 'one',
    winLength: nfft,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    firstFrameStart: -Math.floor(nfft / 2),
    padMode: 'zeros',
    phaseReference: 'frame-start',
    phaseSign: '+',
    gain: 1,
    ...over,
  });
}

function magnitudes(X: ComplexFrames): Float64Array {
  const a = new Float64Array(X.re.length);
  for (let i = 0; i < a.length; i++) a[i] = Math.hypot(X.re[i], X.im[i]);
  return a;
}

/** SNR of a retrieval's signal against the original over [0, x.length). */
function signalSnr(x: Float64Array, signal: Float64Array, start: number): number {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = signal[i - start] ?? 0;
  return snrDb(x, y);
}

const x16k = demoSignal(16000, 1, 7);

describe('retrievePhase: spectral convergence', () => {
  const windows: WindowName[] = ['hann', 'hamming', 'blackman', 'sqrt-hann'];
  const overlaps = [0.5, 0.75, 0.875];
  it('PGHI + FGLA reaches low SC on every window and overlap, and beats a random start at equal iterations', () => {
    const rows: string[] = [];
    let wins = 0;
    let total = 0;
    for (const window of windows) {
      for (const ov of overlaps) {
        const nfft = 512;
        const g = geom({ nfft, hop: nfft * (1 - ov), window });
        const mag = magnitudes(stft(x16k, g));
        const opts: RetrievalOptions = { iterations: 32, init: 'pghi', lambda: pghiLambda(window, nfft) };
        const p = retrievePhase(mag, g, opts);
        const r = retrievePhase(mag, g, { ...opts, init: 'random' });
        rows.push(
          `${window}/${ov}: pghi start ${p.spectralConvergenceDb[0].toFixed(1)}, 32 it ${p.final.toFixed(1)} dB; random 32 it ${r.final.toFixed(1)} dB`,
        );
        total++;
        if (p.final < r.final) wins++;
        expect(p.final, `${window} overlap ${ov}`).toBeLessThan(-25);
        expect(p.spectralConvergenceDb).toHaveLength(33);
        // FGLA is not monotone, but 32 iterations must improve on the PGHI start.
        expect(p.final).toBeLessThan(p.spectralConvergenceDb[0]);
      }
    }
    console.log(`retrieval grid (${total} window×overlap cases, nfft 512, 1 s):\n  ${rows.join('\n  ')}\n  PGHI start beats random start in ${wins}/${total}`);
    expect(wins).toBe(total);
  });

  it('plain GLA (alpha 0) converges slower than FGLA from the same random start', () => {
    const g = geom();
    const mag = magnitudes(stft(x16k, g));
    const gla = retrievePhase(mag, g, { iterations: 40, init: 'random', alpha: 0 });
    const fgla = retrievePhase(mag, g, { iterations: 40, init: 'random' });
    expect(fgla.final).toBeLessThan(gla.final - 3);
  });

  it('the true phase is a fixed point: SC at round-off, and progress is reported per iteration', () => {
    const g = geom();
    const X = stft(x16k, g);
    const seen: number[] = [];
    const r = retrievePhase(magnitudes(X), g, { iterations: 3, init: X, onProgress: (it) => seen.push(it) });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(r.final).toBeLessThan(-200);
    expect(signalSnr(x16k, r.signal, r.signalStart)).toBeGreaterThan(200);
  });

  it('is deterministic for a seed', () => {
    const g = geom();
    const mag = magnitudes(stft(x16k.subarray(0, 4000), g));
    const a = retrievePhase(mag, g, { iterations: 5, init: 'random', seed: 3 });
    const b = retrievePhase(mag, g, { iterations: 5, init: 'random', seed: 3 });
    expect(a.re).toEqual(b.re);
  });

  it('handles every convention: sided, reference, sign, gain, odd and non-power-of-two nfft, short windows', () => {
    const cases: Partial<GeomFields>[] = [
      {},
      { sided: 'two' },
      { sided: 'one-no-nyquist' },
      { phaseReference: 'window-centre' },
      { phaseReference: 'absolute-time' },
      { phaseSign: '-' },
      { phaseSign: '-', phaseReference: 'window-centre', winLength: 300, windowPlacement: 'start' },
      { gain: 1 / 200 },
      { gain: -2 },
      { nfft: 401, winLength: 401, hop: 100 },
      { nfft: 400, hop: 160, sided: 'two', firstFrameStart: -200 },
      { winLength: 384 },
      { window: 'kaiser-8' },
    ];
    for (const c of cases) {
      const g = geom(c);
      const X = stft(x16k, g);
      const mag = magnitudes(X);
      const r = retrievePhase(mag, g, { iterations: 30, init: 'pghi' });
      const label = JSON.stringify(c);
      expect(r.final, label).toBeLessThan(-28);
      expect(r.re.length, label).toBe(mag.length);
      // The result carries the known magnitudes and, in the geometry's own convention, ISTFTs to `signal`.
      for (let i = 0; i < mag.length; i += 97) expect(Math.hypot(r.re[i], r.im[i]), label).toBeCloseTo(mag[i], 9);
      if (g.sided !== 'one-no-nyquist') {
        const y = istft({ frames: r.frames, bins: r.bins, re: r.re, im: r.im }, g, { start: r.signalStart, end: r.signalStart + r.signal.length }).signal;
        expect(snrDb(y, r.signal), label).toBeGreaterThan(200);
      }
    }
  });

  it('in blocks (bounded memory) it matches the whole-file result and the seams stay consistent', () => {
    for (const c of [{}, { phaseReference: 'absolute-time' as const, sided: 'two' as const }]) {
      const g = geom(c);
      const mag = magnitudes(stft(x16k, g));
      const bins = binsFor(g.nfft, g.sided);
      const frames = mag.length / bins;
      const whole = retrievePhase(mag, g, { iterations: 40, init: 'pghi' });
      const re = new Float64Array(mag.length);
      const im = new Float64Array(mag.length);
      let emitted = 0;
      const progress: number[] = [];
      const sc = retrievePhaseBlocks(
        frames,
        g,
        (m0, count) => ({ mag: mag.subarray(m0 * bins, (m0 + count) * bins) }),
        { iterations: 40, blockFrames: 32, onProgress: (f) => progress.push(f) },
        (m0, count, r, i) => {
          expect(m0).toBe(emitted);
          re.set(r, m0 * bins);
          im.set(i, m0 * bins);
          emitted += count;
        },
      );
      expect(emitted).toBe(frames);
      expect(progress[progress.length - 1]).toBeCloseTo(1, 9);
      // The assembled STFT, judged as a whole: seams included.
      const assembled = retrievePhase(mag, g, { iterations: 0, init: { re, im } }).final;
      console.log(
        `blocks of 32 frames (${JSON.stringify(c)}): SC ${assembled.toFixed(1)} dB assembled (${sc.toFixed(1)} reported) vs ${whole.final.toFixed(1)} dB whole`,
      );
      expect(assembled).toBeLessThan(whole.final + 3);
      expect(Math.abs(sc - assembled)).toBeLessThan(3);
    }
  });

  it('window λ: the moment fit lands within 2 % of the paper table for Hann/Hamming/Blackman', () => {
    for (const w of ['hann', 'hamming', 'blackman'] as const) {
      const fit = windowLambda(makeWindow(w, 1024, 'periodic'));
      expect(Math.abs(fit / pghiLambda(w, 1024) - 1), w).toBeLessThan(0.025);
    }
    // A Gaussian's λ is exact: e^{-πt²/λ} with σ = 64 has λ = 2πσ².
    expect(windowLambda(makeWindow('gaussian-64', 1024, 'symmetric')) / (2 * Math.PI * 64 * 64)).toBeCloseTo(1, 3);
  });
});

describe('retrievePhase: partial knowledge', () => {
  const x = demoSignal(16000, 1.5, 5);
  const g = geom();
  const X = stft(x, g);
  const mag = magnitudes(X);

  it('keeps trusted phase (30 % of frames corrupt, found by frameTrust): beats both pure retrieval and the corrupt phase', () => {
    const r = rng(7);
    const bad = new Uint8Array(X.frames);
    const corrupt = { re: X.re.slice(), im: X.im.slice() };
    for (let m = 0; m < X.frames; m++) {
      if (r() >= 0.3) continue;
      bad[m] = 1;
      for (let k = 0; k < X.bins; k++) {
        const i = m * X.bins + k;
        const p = 2 * Math.PI * r();
        corrupt.re[i] = mag[i] * Math.cos(p);
        corrupt.im[i] = mag[i] * Math.sin(p);
      }
    }
    // Detection: every corrupt frame is flagged; good frames are kept unless both sides are corrupt.
    const trust = frameTrust({ frames: X.frames, bins: X.bins, ...corrupt }, g);
    let missed = 0;
    let lost = 0;
    for (let m = 0; m < X.frames; m++) {
      if (bad[m] && trust.trusted[m] && !trust.silent[m]) missed++;
      if (!bad[m] && !trust.trusted[m]) lost++;
    }
    const nBad = bad.reduce((a, b) => a + b, 0);
    expect(missed).toBe(0);
    expect(lost).toBeLessThan(0.1 * (X.frames - nBad));

    const known = knownCells(X.frames, X.bins, 'frame-major', { trustedFrames: trust.trusted });
    const asIs = retrievePhase(mag, g, { iterations: 0, init: corrupt });
    const pure = retrievePhase(mag, g, { iterations: 100, init: 'pghi' });
    const partial = retrievePhase(mag, g, { iterations: 100, init: 'pghi', known, knownPhase: corrupt });
    const snr = (q: { signal: Float64Array; signalStart: number }): number => signalSnr(x, q.signal, q.signalStart);
    console.log(
      `partial phase (${nBad}/${X.frames} frames corrupt, ${lost} good frames lost): SNR as is ${snr(asIs).toFixed(1)} dB, pure retrieval ${snr(pure).toFixed(1)} dB, partial ${snr(partial).toFixed(1)} dB; SC ${asIs.final.toFixed(1)} / ${pure.final.toFixed(1)} / ${partial.final.toFixed(1)} dB`,
    );
    expect(snr(partial)).toBeGreaterThan(snr(asIs) + 20);
    expect(snr(partial)).toBeGreaterThan(snr(pure) + 20);
    expect(partial.final).toBeLessThan(pure.final);
    expect(partial.final).toBeLessThan(asIs.final);
  });

  it('truncated phase: the frames present are kept exactly, the rest retrieved consistently', () => {
    const keep = Math.floor(X.frames * 0.6);
    const have = keep * X.bins + 17;
    const known = knownCells(X.frames, X.bins, 'frame-major', { availableValues: have });
    const phase = { re: X.re.slice(), im: X.im.slice() };
    phase.re.fill(0, have);
    phase.im.fill(0, have);
    const asIs = retrievePhase(mag, g, { iterations: 0, init: phase });
    const partial = retrievePhase(mag, g, { iterations: 60, init: 'pghi', known, knownPhase: phase });
    // Waveform SNR cannot judge the retrieved part (any consistent phase is as good as the true one to
    // the ear, and scores worse than a mushy inconsistent one): judge consistency there, exactness here.
    expect(partial.final).toBeLessThan(asIs.final - 20);
    const end = g.firstFrameStart + (keep - 1) * g.hop; // samples covered by trusted frames only
    const ref = x.subarray(0, end);
    const got = partial.signal.subarray(-partial.signalStart, -partial.signalStart + end);
    expect(snrDb(ref, got)).toBeGreaterThan(100);
  });

  it('dB-floor cells are unknown, not zeros: the same fit on known cells, far closer to the truth under the floor', () => {
    let max = 0;
    for (const v of mag) max = Math.max(max, v);
    const floorLevel = max * 10 ** (-40 / 20);
    const unknown = new Uint8Array(mag.length);
    const clipped = new Float64Array(mag.length);
    const zeros = new Float64Array(mag.length);
    for (let i = 0; i < mag.length; i++) {
      unknown[i] = mag[i] <= floorLevel ? 1 : 0;
      clipped[i] = Math.max(mag[i], floorLevel);
      zeros[i] = unknown[i] ? 0 : mag[i];
    }
    const asUnknown = retrievePhase(clipped, g, { iterations: 60, init: 'pghi', unknownMagnitude: unknown });
    const asZero = retrievePhase(zeros, g, { iterations: 60, init: 'pghi' });
    // Judge both against the true magnitudes: SC on the known cells, log distance on the floor cells.
    const judge = (q: { signal: Float64Array }): { knownSc: number; floorDb: number } => {
      const Y = stft(q.signal, { ...g, firstFrameStart: 0 }, X.frames);
      let e = 0;
      let s = 0;
      let l = 0;
      let n = 0;
      for (let i = 0; i < mag.length; i++) {
        const a = Math.hypot(Y.re[i], Y.im[i]);
        if (unknown[i]) {
          l += (20 * Math.log10((a + 1e-9) / (mag[i] + 1e-9))) ** 2;
          n++;
        } else {
          e += (a - mag[i]) ** 2;
          s += mag[i] ** 2;
        }
      }
      return { knownSc: 10 * Math.log10(e / s), floorDb: Math.sqrt(l / n) };
    };
    const u = judge(asUnknown);
    const z = judge(asZero);
    console.log(
      `dB floor at max−40 dB (${((100 * unknown.reduce((a, b) => a + b, 0)) / mag.length).toFixed(0)} % of cells): SC on known cells ${u.knownSc.toFixed(1)} dB as unknown vs ${z.knownSc.toFixed(1)} dB as zeros; rms log error on floor cells ${u.floorDb.toFixed(1)} vs ${z.floorDb.toFixed(1)} dB`,
    );
    // Same fit where the magnitude is known; far closer to the truth under the floor (no spectral holes).
    expect(u.knownSc).toBeLessThan(z.knownSc + 1);
    expect(u.floorDb).toBeLessThan(z.floorDb - 10);
    // Unknown cells never exceed their cap.
    for (let i = 0; i < mag.length; i++) if (unknown[i]) expect(Math.hypot(asUnknown.re[i], asUnknown.im[i])).toBeLessThanOrEqual(floorLevel * (1 + 1e-12));
  });
});

describe('assessPhase', () => {
  /** A synthCase whose phase file is replaced by `edit(phase values) → new values` (float32 raw). */
  function editedCase(edit: (p: Float32Array, c: StftConfig, mag: Float32Array) => Float32Array, swap = false, over: Partial<StftConfig> = {}) {
    const sc = synthCase({ hop: 256, ...over }, demoSignal(22050, 1.5, 3));
    const phase = new Float32Array(new Uint8Array(readFileSync(sc.phasePath as string)).buffer);
    const mag = new Float32Array(new Uint8Array(readFileSync(sc.magPath)).buffer);
    const edited = edit(phase, sc.config, mag);
    const p2 = join(sc.dir, 'edited.phase');
    writeFileSync(p2, new Uint8Array(edited.buffer, edited.byteOffset, edited.byteLength));
    const evidence = swap ? new Evidence(p2, sc.magPath) : new Evidence(sc.magPath, p2);
    return { ...sc, evidence, cleanup: () => (evidence.close(), sc.cleanup()) };
  }

  const r = rng(11);
  const cases: [string, PhaseKind, (p: Float32Array, c: StftConfig, mag: Float32Array) => Float32Array, boolean?][] = [
    ['true phase', 'ok', (p) => p],
    ['all zeros', 'all-zero', (p) => new Float32Array(p.length)],
    ['all NaN', 'non-finite', (p) => new Float32Array(p.length).fill(NaN)],
    ['constant', 'constant', (p) => new Float32Array(p.length).fill(1.25)],
    ['uniform random', 'random', (p) => p.map(() => (r() - 0.5) * 2 * Math.PI)],
    ['magnitudes written as phase', 'out-of-bounds', (_p, _c, mag) => mag.map((v) => v * 1000)],
    ['files swapped', 'swapped', (p) => p, true],
    [
      "another signal's phase",
      'inconsistent',
      (p, c) => {
        // The demo signal's notes do not depend on the seed: play it backwards for a different phase.
        const other = stft(demoSignal(22050, 1.5, 3).reverse(), geometryFromConfig(c), c.frames);
        return Float32Array.from(p, (_v, i) => Math.atan2(other.im[i], other.re[i]));
      },
    ],
    ['too many values', 'size-mismatch', (p, c) => Float32Array.from({ length: p.length + 3 * c.bins }, (_v, i) => p[i % p.length])],
    ['truncated at 60 %', 'partial', (p, c) => p.slice(0, Math.floor(c.frames * 0.6) * c.bins + 5)],
    [
      '30 % of frames corrupt',
      'partial',
      (p, c) => {
        const q = p.slice();
        for (let m = 0; m < c.frames; m++) if (m % 10 < 3) for (let k = 0; k < c.bins; k++) q[m * c.bins + k] = (r() - 0.5) * 2 * Math.PI;
        return q;
      },
    ],
    [
      'NaN in a few frames',
      'partial',
      (p, c) => {
        const q = p.slice();
        for (let m = 0; m < c.frames; m += 7) q[m * c.bins + 3] = NaN;
        return q;
      },
    ],
  ];
  for (const [name, kind, edit, swap] of cases) {
    it(`${name} → ${kind}`, () => {
      const c = editedCase(edit, swap);
      try {
        const t = performance.now();
        const a = assessPhase(c.evidence, c.config);
        const ms = performance.now() - t;
        console.log(`assessPhase(${name}): ${a.kind} (${ms.toFixed(0)} ms): ${a.reason}`);
        expect(a.kind).toBe(kind);
        expect(a.usable).toBe(kind === 'ok' || kind === 'partial');
        if (name.startsWith('truncated')) {
          expect(a.trustedFrames?.reduce((s, v) => s + v, 0)).toBe(Math.floor(c.config.frames * 0.6));
        }
      } finally {
        c.cleanup();
      }
    });
  }

  it('works under other conventions: bin-major float64, window-centre, scipy-like gain, degrees', () => {
    const variants: Partial<StftConfig>[] = [
      {
        layout: 'bin-major',
        magnitudeFile: { format: 'raw', dtype: 'float64', endian: 'little', headerBytes: 0, variable: null },
        phaseFile: { format: 'raw', dtype: 'float64', endian: 'little', headerBytes: 0, variable: null },
      },
      { phaseReference: 'window-centre', gain: 1 / 256 },
      { phaseUnit: 'degrees', sided: 'one-no-nyquist' },
      { nfft: 400, hop: 160, winLength: 400, bins: 201, phaseReference: 'absolute-time' },
      // Lossy storage: dB magnitudes clipped at a floor with float16 phase; int16-scaled phase.
      { magnitudeScale: 'db', dbFloor: -20, phaseFile: { format: 'raw', dtype: 'float16', endian: 'little', headerBytes: 0, variable: null } },
      { phaseUnit: 'scaled-65534', phaseFile: { format: 'raw', dtype: 'int16', endian: 'big', headerBytes: 0, variable: null } },
    ];
    for (const v of variants) {
      const c = synthCase({ hop: 128, ...v }, demoSignal(22050, 1, 4));
      try {
        const a = assessPhase(c.evidence, c.config);
        expect(a.kind, `${JSON.stringify(v)}: ${a.reason}`).toBe('ok');
      } finally {
        c.cleanup();
      }
    }
  });

  it('a truncated bin-major phase file is partial, with the values present counted', () => {
    const c = editedCase((p, cfg) => p.slice(0, cfg.frames * 300), false, { layout: 'bin-major' });
    try {
      const a = assessPhase(c.evidence, c.config);
      expect(a.kind, a.reason).toBe('partial');
      expect(a.availableValues).toBe(c.config.frames * 300);
      const known = knownCells(c.config.frames, c.config.bins, 'bin-major', a);
      expect(known[299]).toBe(1);
      expect(known[300]).toBe(0);
    } finally {
      c.cleanup();
    }
  });

  it('absent phase', () => {
    const c = synthCase({ phaseFile: null }, demoSignal(22050, 0.5, 4));
    try {
      expect(assessPhase(c.evidence, c.config).kind).toBe('absent');
    } finally {
      c.cleanup();
    }
  });

  it('bin-major truncation loses the upper bins of every frame: knownCells keeps the rest exactly', () => {
    const g = geom({ nfft: 1024, hop: 256, firstFrameStart: -512 });
    const x = demoSignal(22050, 1.5, 3);
    const X = stft(x, g);
    const mag = magnitudes(X);
    const have = Math.floor(X.frames / 2) * X.bins;
    const known = knownCells(X.frames, X.bins, 'bin-major', { availableValues: have });
    expect(known[0]).toBe(1);
    expect(known[X.bins - 1]).toBe(0);
    const phase = { re: X.re.map((v, i) => (known[i] ? v : mag[i])), im: X.im.map((v, i) => (known[i] ? v : 0)) };
    const asIs = retrievePhase(mag, g, { iterations: 0, init: phase });
    const partial = retrievePhase(mag, g, { iterations: 50, init: 'pghi', known, knownPhase: phase });
    expect(partial.final).toBeLessThan(asIs.final - 20);
    for (let i = 0; i < known.length; i += 31) {
      if (!known[i] || mag[i] === 0) continue;
      expect(Math.atan2(partial.im[i], partial.re[i])).toBeCloseTo(Math.atan2(X.im[i], X.re[i]), 9);
    }
  });
});
