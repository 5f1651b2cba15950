import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { ALL_FIELD_NAMES, completeConfig, parseConfigObject } from '../src/config/parse.js';
import type { Detrend, StftConfig } from '../src/config/types.js';
import { trendOrder } from '../src/dsp/detrend.js';
import { reconstruct } from '../src/export/index.js';
import { analyze } from '../src/analyze/index.js';
import type { Candidate } from '../src/analyze/types.js';
import { binsFor, FrameAnalyzer, geometryFromConfig } from '../src/dsp/stft.js';
import { windowOffset } from '../src/dsp/windows.js';
import { readWav, siSnrDb } from './helpers.js';

/**
 * Issue #11 section 1: STFT files written by the real programs (torch.stft, aubio.pvoc, scipy.signal
 * stft/spectrogram, matplotlib.mlab.specgram, mne.time_frequency.stft, Octave specgram/stft, plain numpy
 * block FFTs, mixed storage), made by scripts/real-fixtures/make_real_fixtures.py, whose truths were checked there
 * against an independent numpy STFT. For each fixture: analyze, compare the rank-1 config with the
 * truth, export rank 1 and the truth config, and measure the audio against the reference signal.
 *
 * Field comparison: every truth field the rank-1 config also has, except `sampleRate` (not stored in an
 * STFT: a prior, reported only), `originalLength` unless the frames are centred (only padding shows it),
 * `windowPlacement` unless winLength < nfft, `padMode` unless centred, `windowSymmetry` between two
 * rectangular windows; `gain` within 0.1 %. An abstention (gain `unknown`, originalLength `null`) is not
 * a wrong value: it is listed as "undetermined" and does not count against the rank (export runs at
 * unit gain / keeps every covered sample, as DESIGN §1 says). So is a field the candidate itself
 * declares the data cannot show, decided by the recipe's convention (DESIGN §4.13: `center`,
 * `firstFrameStart` and `padMode` when `ambiguousStart` is set); the summary also prints the rate that
 * counts those wrong. Windows are name + symmetry + winLength. A truth field the
 * config type does not have yet (channels, binOrder, detrend) is reported as "not in vocabulary yet";
 * it counts as wrong only where the truth differs from what its absence implies (1, ascending, none).
 *
 * Per fixture: truth within the top 3; rank-1 export SI-SNR >= 60 dB (lossless with phase) or >= 15 dB
 * (lossy with phase), spectral convergence <= 0.2 (magnitude only: textbook SC, the export's magnitudes
 * under the truth's own STFT against the reference's, so a wrong config cannot meet it; the SC against a
 * fixed Hann 256/64 STFT of the signal is printed beside it); the truth config's own export >= 60 dB
 * (lossless with phase) or SC <= 0.2 (magnitude only: phase retrieval cannot give the waveform back); no
 * wrong rank 1 with confidence > 0.9. The summary `it` holds the rates to issue #11's Done-means.
 *
 * Many fixtures fail today: that is the point of the set (the per-fixture `it`s say which, and why).
 */
const DIR = join(import.meta.dirname, 'fixtures', 'real');
interface Entry {
  name: string;
  dir: string;
  magnitude: string;
  phase: string | null;
  truth: string;
  signal: string;
  signalLength: number;
  producer: string;
  lossless: boolean;
  /** Why a lossy fixture cannot give its signal back whole (what the file does not hold). */
  lossyBecause?: string;
  hasPhase: boolean;
  issue: number;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'fixtures.json'), 'utf8')) as { fixtures: Entry[] };
const fixtures = manifest.fixtures.filter((f) => f.issue === 11);
const tmp = mkdtempSync(join(tmpdir(), 'sd-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const IMPLIED: Record<string, unknown> = { channels: 1, binOrder: 'ascending', detrend: 'none' };
type Truth = Record<string, unknown>;

function signalOf(f: Entry): Float64Array {
  const b = readFileSync(join(DIR, f.signal));
  const s = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  return Float64Array.from(s.subarray(0, f.signalLength));
}

/** Fields of `got` that differ from the truth (see the comment at the top), and truth fields it lacks. */
function compare(
  truth: Truth,
  got: StftConfig,
  declared: readonly string[] = [],
): { wrong: string[]; notInVocabulary: string[]; undetermined: string[]; declaredWrong: string[] } {
  const g = got as unknown as Record<string, unknown>;
  const wrong: string[] = [];
  const notInVocabulary: string[] = [];
  const undetermined: string[] = [];
  const declaredWrong: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const [k, tv] of Object.entries(truth)) {
    if (declared.includes(k) && k in g && !same(tv, g[k])) {
      // The analysis said the data cannot show this field and took the recipe's convention (DESIGN §4.13).
      undetermined.push(`${k}=${JSON.stringify(g[k])}, declared undetermined (truth ${JSON.stringify(tv)})`);
      declaredWrong.push(k);
      continue;
    }
    if (!(k in g)) {
      notInVocabulary.push(`${k}=${JSON.stringify(tv)}`);
      if (!same(tv, IMPLIED[k])) wrong.push(`${k} (not in vocabulary yet; truth ${JSON.stringify(tv)})`);
      continue;
    }
    const gv = g[k];
    if (k === 'sampleRate') continue;
    if ((k === 'gain' && gv === 'unknown' && tv !== 'unknown') || (k === 'originalLength' && gv === null && tv !== null)) {
      undetermined.push(`${k} (truth ${JSON.stringify(tv)})`);
      continue;
    }
    if (k === 'originalLength' && !truth.center) continue;
    if (k === 'windowPlacement' && !((truth.winLength as number) < (truth.nfft as number))) continue;
    if (k === 'padMode' && !truth.center) continue;
    if (k === 'windowSymmetry' && truth.window === 'rectangular' && g.window === 'rectangular') continue;
    if (k === 'magnitudeFile' || k === 'phaseFile') {
      const t = tv as Record<string, unknown> | null;
      const o = gv as Record<string, unknown> | null;
      if (t === null || o === null) {
        if (t !== o) wrong.push(`${k}=${JSON.stringify(o)} (truth ${JSON.stringify(t)})`);
        continue;
      }
      for (const sub of ['format', 'dtype', 'endian', 'headerBytes']) {
        if (sub === 'endian' && ['int8', 'uint8'].includes(String(t.dtype))) continue;
        if (!same(t[sub], o[sub])) wrong.push(`${k}.${sub}=${JSON.stringify(o[sub])} (truth ${JSON.stringify(t[sub])})`);
      }
      continue;
    }
    if (k === 'gain' && typeof tv === 'number' && typeof gv === 'number') {
      if (Math.abs(gv - tv) > 1e-3 * Math.abs(tv)) wrong.push(`gain=${gv.toPrecision(4)} (truth ${tv.toPrecision(4)})`);
      continue;
    }
    if (!same(tv, gv)) wrong.push(`${k}=${JSON.stringify(gv)} (truth ${JSON.stringify(tv)})`);
  }
  return { wrong, notInVocabulary, undetermined, declaredWrong };
}

/** The truth as the current parser takes it: fields it does not know yet are dropped. */
function parsableTruth(truth: Truth): Truth {
  return Object.fromEntries(Object.entries(truth).filter(([k]) => ALL_FIELD_NAMES.includes(k)));
}

/** |STFT| with a fixed periodic Hann 256 / hop 64 (no padding): a config-free view of the retrieved audio, printed only. */
function fixedMagnitudes(x: ArrayLike<number>): Float64Array[] {
  const N = 256;
  const H = 64;
  const w = Array.from({ length: N }, (_, j) => 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / N));
  const cos = Float64Array.from({ length: N }, (_, j) => Math.cos((2 * Math.PI * j) / N));
  const sin = Float64Array.from({ length: N }, (_, j) => Math.sin((2 * Math.PI * j) / N));
  const out: Float64Array[] = [];
  const seg = new Float64Array(N);
  for (let o = 0; o + N <= x.length; o += H) {
    for (let j = 0; j < N; j++) seg[j] = w[j] * x[o + j];
    const m = new Float64Array(N / 2 + 1);
    for (let k = 0; k <= N / 2; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0, p = 0; j < N; j++, p = (p + k) % N) {
        re += seg[j] * cos[p];
        im -= seg[j] * sin[p];
      }
      m[k] = Math.hypot(re, im);
    }
    out.push(m);
  }
  return out;
}

/** Spectral convergence ‖a·|Y| − |X|‖/‖X‖ over frames of magnitudes, with the best gain a (linear; 0.2 ≈ −14 dB). */
function bestGainConvergence(X: readonly Float64Array[], Y: readonly Float64Array[]): number {
  let xy = 0;
  let yy = 0;
  let xx = 0;
  for (let m = 0; m < X.length; m++) {
    for (let k = 0; k < X[m].length; k++) {
      xy += X[m][k] * Y[m][k];
      yy += Y[m][k] ** 2;
      xx += X[m][k] ** 2;
    }
  }
  if (xx === 0) return Infinity;
  const a = yy > 0 ? xy / yy : 0;
  let e = 0;
  for (let m = 0; m < X.length; m++) for (let k = 0; k < X[m].length; k++) e += (a * Y[m][k] - X[m][k]) ** 2;
  return Math.sqrt(e / xx);
}

/** Spectral convergence of y against x under the fixed Hann 256/64 STFT. */
function spectralConvergence(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return bestGainConvergence(fixedMagnitudes(x), fixedMagnitudes(y));
}

/**
 * Spectral convergence in its textbook sense (DESIGN §4.11): ‖a·|Y| − |X|‖/‖X‖ over the truth's own
 * frames, |X| from the reference signal (what the file holds, checked by the generator) and |Y| from the
 * export placed on the same samples, best gain a. Only frames inside [lo, hi) count. Each segment is
 * detrended as the truth's maker did, over the window's support, then windowed.
 */
function truthSpectralConvergence(truth: StftConfig, x: Float64Array, y: Float64Array, lo: number, hi: number): number {
  const g = geometryFromConfig(truth);
  const ana = new FrameAnalyzer(g);
  const order = trendOrder(truth.detrend);
  const off = windowOffset(g.nfft, truth.winLength, truth.windowPlacement);
  const seg = new Float64Array(g.nfft);
  const bins = binsFor(g.nfft, g.sided);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const magsOf = (v: Float64Array, m: number, start: number): Float64Array => {
    seg.fill(0);
    seg.set(withoutTrend(v.slice(start + off, start + off + truth.winLength), order), off);
    for (let n = 0; n < g.nfft; n++) seg[n] *= g.window[n];
    ana.analyze(m, seg, re, im, 0);
    return Float64Array.from(re, (r, k) => Math.hypot(r, im[k]));
  };
  const X: Float64Array[] = [];
  const Y: Float64Array[] = [];
  for (let m = 0; m < truth.frames; m++) {
    const start = g.firstFrameStart + m * g.hop;
    if (start < lo || start + g.nfft > hi) continue;
    X.push(magsOf(x, m, start));
    Y.push(magsOf(y, m, start));
  }
  return bestGainConvergence(X, Y);
}

/**
 * A copy of v without its mean (order 1) or least-squares line (order 2). A maker that detrended its
 * segments removed exactly that from the file (x and x + c, or x + c + d·n, give the same STFT), so
 * the comparison must not count it: export returns the minimum-norm answer (zero mean, no slope).
 */
function withoutTrend(v: Float64Array, order: number): Float64Array {
  if (order === 0) return v;
  const n = v.length;
  const tm = (n - 1) / 2;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - tm) * v[i];
    den += (i - tm) ** 2;
  }
  const slope = order > 1 && den > 0 ? num / den : 0;
  return v.map((a, i) => a - mean - slope * (i - tm));
}

/**
 * Export a config as the CLI exports it (`startAmbiguous`: the candidate's ambiguous start, see
 * Candidate.ambiguousStart) and measure it against the reference over the interior (nfft samples in from
 * both ends of what was written, and only where the reference exists): SI-SNR with phase, SC without;
 * both up to the trend the truth's `detrend` made unobservable. The WAV is placed on the reference by
 * frame 0, the one sample both readings agree on: a config that reads the start otherwise numbers the
 * same samples otherwise (its `start` is in its own reading), and the audio, not the numbering, is measured.
 */
function measure(
  config: StftConfig,
  f: Entry,
  x: Float64Array,
  tag: string,
  truth: Truth,
  truthConfig: StftConfig | null,
  startAmbiguous = false,
): { snr: number; sc: number | null; scSignal: number | null; note: string } {
  const out = join(tmp, `${f.name}-${tag}.wav`);
  const mag = join(DIR, f.dir, f.magnitude);
  const phase = f.phase ? join(DIR, f.dir, f.phase) : null;
  const r = reconstruct(config, mag, phase, { output: out, bits: 32, normalize: 'none', force: true, parallel: false, startAmbiguous });
  const y = readWav(out).samples;
  const edge = config.nfft;
  // The true index of y[0]: frame 0 starts at truth.firstFrameStart, and y[0] is r.start − firstFrameStart after it.
  const at = r.start - config.firstFrameStart + (truth.firstFrameStart as number);
  const from = Math.max(edge, -at);
  const to = Math.min(y.length - edge, x.length - at);
  if (to - from < 64)
    return { snr: -Infinity, sc: phase ? null : Infinity, scSignal: null, note: `no interior to compare (start ${r.start}, ${y.length} samples)` };
  const order = trendOrder(truth.detrend as Detrend);
  const ref = withoutTrend(x.subarray(at + from, at + to), order);
  const got = withoutTrend(y.subarray(from, to), order);
  const why = r.phaseUse === 'file' ? '' : `: ${r.phaseReason}`;
  const shifted = at !== r.start ? ` (true index ${at})` : '';
  if (phase) return { snr: siSnrDb(ref, got), sc: null, scSignal: null, note: `${r.phaseUse} phase${why}; start ${r.start}${shifted}, ${y.length} samples` };
  const onGrid = new Float64Array(x.length);
  onGrid.set(y.subarray(from, to), at + from);
  return {
    snr: siSnrDb(ref, got),
    sc: truthConfig ? truthSpectralConvergence(truthConfig, x, onGrid, at + from, at + to) : Infinity,
    scSignal: spectralConvergence(ref, got),
    note: `${r.phaseUse} phase${why}; start ${r.start}${shifted}, ${y.length} samples`,
  };
}

interface Row {
  name: string;
  lossless: boolean;
  hasPhase: boolean;
  rank1Right: boolean;
  /** Fields rank 1 got otherwise than the truth but declared undetermined (see declaredUndetermined). */
  rank1Declared: string[];
  /** Whether rank 1's wrong fields are all ones it said a prior chose (Candidate.fromPrior: the data did not decide them). */
  rank1WrongFromPrior: boolean;
  truthRank: number;
  confidence: number;
  snr: number;
  sc: number | null;
  truthSnr: number;
  truthSc: number | null;
  error?: string;
}
const rows: Row[] = [];

/** Issue #11's per-fixture bar: truth in the top 3, the rank-1 export and the truth's export good enough. */
function meetsBar(r: Row): boolean {
  const rank1 = r.hasPhase ? r.snr >= (r.lossless ? 60 : 15) : (r.sc ?? Infinity) <= 0.2;
  const truth = r.hasPhase ? !r.lossless || r.truthSnr >= 60 : (r.truthSc ?? Infinity) <= 0.2;
  return r.error === undefined && r.truthRank > 0 && r.truthRank <= 3 && rank1 && truth;
}
const fmt = (v: number | null, d = 1) => (v === null ? '-' : Number.isFinite(v) ? v.toFixed(d) : String(v));
const scText = (m: { sc: number | null; scSignal: number | null }) =>
  m.sc === null ? '' : `, SC ${fmt(m.sc, 3)} (the signal's Hann 256/64 STFT: ${fmt(m.scSignal, 3)})`;

/**
 * Fields a candidate says its files could not show, where its config gives the maker's convention: the
 * start when hidden (DESIGN §4.13), and what magnitudes alone cannot hold (Candidate.unobservable).
 */
function declaredUndetermined(c: Candidate): string[] {
  return [...(c.ambiguousStart ? ['center', 'firstFrameStart', 'padMode'] : []), ...c.unobservable];
}

/**
 * Fixtures that do not meet issue #11's bar yet, each with its cause. They are still analysed and
 * printed, must never come out confidently wrong, and must keep failing the bar: one that passes has
 * been fixed and leaves this list (so the list can only shrink, and a fixture that regresses fails).
 */
/*
 * Off the list although rank 1 is not every field right: torch-400-160-nocenter-normalized-npy starts in
 * digital silence, so center cannot be read from the edges (DESIGN.md §4.13) and the Whisper preset's
 * convention (torch pads by default) reads it centred, with the truth at rank 3. The start is reported
 * ambiguous and its export keeps frame 0 whole, so either reading writes the same audio (the bar is met).
 * The "every field right" rate counts those declared fields undetermined; the strict rate printed beside
 * it counts them wrong.
 */
/*
 * The held-out magnitude-only sets (generator steps magonly2 and magonly3: tools and settings magnitude-fit
 * was not tuned on when they were made). magonly2 failed 5 of 6; the scale read from local minima (heuristics/
 * magnitude-scale/local-minima.ts) and detrend declared unobservable without phase left 2. magonly3 (8 short
 * files) failed 6 of 8: one was a header misread (raw-dtype), and magnitude-fit now judges a contrast against
 * the median reading and no longer counts a preset's window family or detrend twice, which settled 3 more
 * (scan.ts). Each cause below is from `analyze --json` (reason and metrics) and the scan's readings:
 */
const KNOWN_OPEN: Record<string, string> = {
  'torch-power-400-160-magonly-npy':
    "magonly2: 26 frames; no reading stands out (the best, hop 220 sqrt-Hann at -17.6 dB, is 7.2 dB below the median reading), so presets decide: torchaudio's defaults (hop 200, power: 7 of 12 properties) over the Whisper front end (hop 160, the truth: 6 of 11), which ties the scipy preset at rank 2-3",
  'torch-abs-512-160-win400-magonly':
    'magonly3: no reading stands out (best - median -5.4 dB: hop 448 Tukey 512, its 12.5 % overlap inside the tapers, -16.1 dB), so the scipy preset decides; the truth, 400 at hop 160 centred in 512, is not reached by the coarse scan (-14.4 dB, the best of its length, when winLength is pinned) and no preset names it',
  'scipy-spectrogram-psd-speech-magonly':
    "magonly3: no reading stands out (the hop-64 readings within 0.6 dB of -22.0, 6.1 dB below the median), so presets decide: mlab.specgram's defaults (NFFT 256, hop 128: 8 of 12 properties) over scipy.signal.spectrogram's (the truth, hop 224: 6 of 10, at rank 2)",
  'mlab-specgram-psd-128-64-magonly':
    'magonly3: no reading stands out (hop 112 Tukey 128, 12.5 % overlap inside the tapers, -21.2 dB, 9.6 below the median), so the scipy preset decides; no preset names mlab.specgram at NFFT 128 (its defaults are 256/128) and the truth (hop 64, symmetric Hann) is not in the top 5',
  'octave-specgram-hanning200-nfft256-magonly':
    'magonly3: a plucked chord: no reading beats its shuffle by more than 4.9 dB, so the Octave specgram defaults preset decides (256/128); the truth (hanning(200) at hop 80) is not among the readings the coarse scan reaches',
};

describe('issue #11: fixtures made by the real programs', () => {
  for (const f of fixtures) {
    it(`${f.name} (${f.producer}${f.hasPhase ? '' : ', magnitude only'}${f.lossless ? '' : ', lossy'})`, () => {
      const truth = JSON.parse(readFileSync(join(DIR, f.dir, f.truth), 'utf8')) as Truth;
      const x = signalOf(f);
      const mag = join(DIR, f.dir, f.magnitude);
      const phase = f.phase ? join(DIR, f.dir, f.phase) : null;
      const row: Row = {
        name: f.name,
        lossless: f.lossless,
        hasPhase: f.hasPhase,
        rank1Right: false,
        rank1Declared: [],
        rank1WrongFromPrior: false,
        truthRank: 0,
        confidence: NaN,
        snr: -Infinity,
        sc: null,
        truthSnr: -Infinity,
        truthSc: null,
      };
      rows.push(row);
      const lines: string[] = [];
      // The truth config's own export first: it says whether the reader/inverse can do the file at all.
      let truthConfig: StftConfig | null = null;
      try {
        truthConfig = completeConfig(parseConfigObject(parsableTruth(truth), `${f.name}/truth.json`), f.hasPhase, f.name);
        const t = measure(truthConfig, f, x, 'truth', truth, truthConfig);
        row.truthSnr = t.snr;
        row.truthSc = t.sc;
        lines.push(`  truth-config export: SI-SNR ${fmt(t.snr)} dB${scText(t)} (${t.note})`);
      } catch (e) {
        lines.push(`  truth-config export FAILED: ${(e as Error).message}`);
      }
      try {
        const r = analyze(mag, phase, { top: 5 });
        const cmp = r.candidates.map((c) => compare(truth, c.config, declaredUndetermined(c)));
        const top = r.candidates[0];
        row.rank1Right = cmp[0].wrong.length === 0;
        row.rank1Declared = cmp[0].declaredWrong;
        row.rank1WrongFromPrior = !row.rank1Right && compare(truth, top.config, [...declaredUndetermined(top), ...top.fromPrior]).wrong.length === 0;
        row.truthRank = cmp.findIndex((c) => c.wrong.length === 0) + 1;
        row.confidence = top.confidence;
        const m = measure(top.config, f, x, 'rank1', truth, truthConfig, top.ambiguousStart !== null);
        row.snr = m.snr;
        row.sc = m.sc;
        lines.unshift(
          `  rank 1 ${row.rank1Right ? 'right' : `wrong: ${cmp[0].wrong.join('; ')}`}`,
          `  truth rank ${row.truthRank || 'not in top 5'}; rank-1 confidence ${top.confidence.toFixed(3)}; ranked by ${r.rankedBy}; ${r.elapsedMs.toFixed(0)} ms`,
          ...(top.ambiguousStart ? [`  start ambiguous at rank 1: the readings differ by up to ${top.ambiguousStart.spreadSamples} samples`] : []),
          `  rank-1 export: SI-SNR ${fmt(m.snr)} dB${scText(m)} (${m.note})`,
          ...(cmp[0].undetermined.length ? [`  undetermined at rank 1: ${cmp[0].undetermined.join(', ')}`] : []),
          ...(top.fromPrior.length ? [`  taken from a prior at rank 1 (the data did not decide): ${top.fromPrior.join(', ')}`] : []),
          ...(cmp[0].notInVocabulary.length ? [`  not in vocabulary yet: ${cmp[0].notInVocabulary.join(', ')}`] : []),
        );
      } catch (e) {
        row.error = (e as Error).message;
        lines.unshift(`  analyze FAILED: ${row.error}`);
      }
      if (f.lossyBecause) lines.push(`  lossy because ${f.lossyBecause}`);
      console.log(`${f.name} [${f.producer}; ${f.lossless ? 'lossless' : 'lossy'}; ${f.hasPhase ? 'with phase' : 'magnitude only'}]\n${lines.join('\n')}`);

      expect.soft(truthConfig, 'the truth config parses').not.toBeNull();
      if (!row.rank1Right && !row.error) expect.soft(row.confidence, 'a wrong rank 1 is not confident').toBeLessThanOrEqual(0.9);
      const open = KNOWN_OPEN[f.name];
      if (open) {
        console.log(`  open: ${open}`);
        expect(meetsBar(row), `${f.name} meets the bar now: take it off KNOWN_OPEN`).toBe(false);
        return;
      }
      expect.soft(row.error, 'analyze throws').toBeUndefined();
      expect.soft(row.truthRank, 'truth within the top 3').toBeGreaterThan(0);
      expect.soft(row.truthRank, 'truth within the top 3').toBeLessThanOrEqual(3);
      if (f.hasPhase) expect.soft(row.snr, 'rank-1 export SI-SNR (dB)').toBeGreaterThanOrEqual(f.lossless ? 60 : 15);
      else expect.soft(row.sc ?? Infinity, 'rank-1 export spectral convergence').toBeLessThanOrEqual(0.2);
      if (f.hasPhase && f.lossless) expect.soft(row.truthSnr, 'truth-config export SI-SNR (dB)').toBeGreaterThanOrEqual(60);
      if (!f.hasPhase) expect.soft(row.truthSc ?? Infinity, 'truth-config export spectral convergence').toBeLessThanOrEqual(0.2);
    });
  }

  it('meets the rates of issue #11', () => {
    const n = rows.length;
    expect(n).toBe(fixtures.length);
    const pct = (k: number, of = n) => `${k}/${of} (${of ? ((100 * k) / of).toFixed(1) : '-'} %)`;
    const withPhase = rows.filter((r) => r.hasPhase && r.lossless);
    const lossy = rows.filter((r) => r.hasPhase && !r.lossless);
    const magOnly = rows.filter((r) => !r.hasPhase);
    const lossless = rows.filter((r) => r.lossless && r.hasPhase);
    const r1 = rows.filter((r) => r.rank1Right).length;
    const r1Strict = rows.filter((r) => r.rank1Right && r.rank1Declared.length === 0).length;
    const t3 = rows.filter((r) => r.truthRank > 0 && r.truthRank <= 3).length;
    const confidentWrong = rows.filter((r) => !r.rank1Right && r.confidence > 0.9);
    console.log(
      [
        `real fixtures (issue #11): ${n}`,
        `  every field right at rank 1: ${pct(r1)}   (Done: >= 97 %; a field rank 1 declared undetermined is not counted wrong)`,
        `    the same, declared-undetermined fields counted wrong: ${pct(r1Strict)}`,
        `    wrong at rank 1 only in fields it said a prior chose: ${
          rows
            .filter((r) => r.rank1WrongFromPrior)
            .map((r) => r.name)
            .join(', ') || 'none'
        }`,
        `  truth within the top 3:      ${pct(t3)}   (Done: all)`,
        `  SI-SNR >= 60 dB, lossless with phase: ${pct(withPhase.filter((r) => r.snr >= 60).length, withPhase.length)}`,
        `  SI-SNR >= 15 dB, lossy with phase:    ${pct(lossy.filter((r) => r.snr >= 15).length, lossy.length)}`,
        `  SC <= 0.2, magnitude only:            ${pct(magOnly.filter((r) => (r.sc ?? Infinity) <= 0.2).length, magOnly.length)}`,
        `  truth-config export >= 60 dB, lossless with phase: ${pct(lossless.filter((r) => r.truthSnr >= 60).length, lossless.length)}`,
        `  truth-config export SC <= 0.2, magnitude only:      ${pct(magOnly.filter((r) => (r.truthSc ?? Infinity) <= 0.2).length, magOnly.length)}`,
        `  wrong rank 1 with confidence > 0.9: ${confidentWrong.length ? confidentWrong.map((r) => `${r.name} (${r.confidence.toFixed(3)})`).join(', ') : 'none'}`,
      ].join('\n'),
    );
    // The Done rates hold on every fixture off KNOWN_OPEN (asserted per fixture above); none is confidently wrong.
    const settled = rows.filter((r) => !KNOWN_OPEN[r.name]);
    console.log(`  open (issue #11 not done on these): ${Object.keys(KNOWN_OPEN).length}; the other ${settled.length} meet the bar`);
    expect(settled.filter((r) => !meetsBar(r)).map((r) => r.name)).toEqual([]);
    // Issue #11's Done rates themselves, over the fixtures off KNOWN_OPEN (the whole-set rates are printed above:
    // while KNOWN_OPEN is not empty, issue #11 is not done on the whole set).
    const settledRight = settled.filter((r) => r.rank1Right).length;
    expect(settledRight / settled.length, 'every field right at rank 1 (off KNOWN_OPEN)').toBeGreaterThanOrEqual(0.97);
    expect(settled.filter((r) => r.truthRank > 0 && r.truthRank <= 3).length, 'truth within the top 3 (off KNOWN_OPEN)').toBe(settled.length);
    expect(
      confidentWrong.map((r) => r.name),
      'confident wrong rank 1',
    ).toEqual([]);
  });
});

describe('issue #11: the CLI exports a real fixture from its truth.json', () => {
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
    return { code, out, err };
  }
  const picks = ['torch-400-160-reflect-f32-binmajor', 'scipy-stft-default', 'aubio-pvoc-512-128'];
  for (const name of picks) {
    const f = fixtures.find((e) => e.name === name);
    if (!f) continue;
    const truthPath = join(DIR, f.dir, f.truth);
    const args = (cfg: string, out: string) => [
      'export',
      join(DIR, f.dir, f.magnitude),
      ...(f.phase ? [join(DIR, f.dir, f.phase)] : []),
      '--config',
      cfg,
      '-o',
      out,
      '--bits',
      '32',
      '--normalize',
      'none',
      '--force',
    ];
    it(`${name}: export --config truth.json as written (with the fields the parser does not know yet)`, async () => {
      const out = join(tmp, `cli-${name}.wav`);
      const r = await cli(...args(truthPath, out));
      expect(r.code, r.err).toBe(0);
    });
    it(`${name}: export --config with the truth's known fields >= 60 dB`, async () => {
      const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as Truth;
      const cfg = join(tmp, `cli-${name}.json`);
      writeFileSync(cfg, JSON.stringify(parsableTruth(truth)));
      const out = join(tmp, `cli-known-${name}.wav`);
      const r = await cli(...args(cfg, out));
      expect(r.code, r.err).toBe(0);
      const wav = readWav(out);
      expect(wav.sampleRate).toBe(truth.sampleRate);
      const x = signalOf(f);
      const start = truth.center ? 0 : (truth.firstFrameStart as number);
      const edge = truth.nfft as number;
      const n = Math.min(wav.samples.length, x.length - start) - edge;
      expect(siSnrDb(x.subarray(start + edge, start + n), wav.samples.subarray(edge, n))).toBeGreaterThanOrEqual(60);
    });
  }
});
