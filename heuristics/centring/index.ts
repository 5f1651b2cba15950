import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { makeWindow, placeWindow } from '../../src/dsp/windows.js';
import { type EdgeSignal, frameStartSegments, imprintWindow, mirrorCorrelation, rebuild } from './edges.js';
import {
  type Convention,
  conventionName,
  hasPhase,
  round4,
  TRANSFORM_NEEDS,
  type TransformInput,
  transformInput,
  windowCentreOf,
} from '../shared/transform-input.js';
import { NO_OVERLAP } from '../shared/overlap-rank.js';
import { rawSegments } from '../shared/overlap-exactness.js';
import { overlapPairs } from '../shared/overlap-pairs.js';
import { overlapFits } from '../shared/detrended-overlap.js';
import { collectSegments } from '../shared/window-imprint.js';
import { storageNoise } from '../shared/storage-noise.js';
import { eitherPlacement, placementsToTry } from './placement.js';
import { ambiguousStart } from './ambiguous.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import { estimateWindow } from '../window/index.js';

/**
 * Centring, padding and the exact original length from the ends of the STFT (DESIGN.md §4.7). The first
 * and last frames are overlap-added back to signal: zero padding leaves exact zeros before the signal's
 * first sample (and after its last), reflect padding a mirror image about them, no padding neither.
 * The pad must be one a maker uses: ⌊nfft/2⌋ (librosa, torch, scipy.signal.stft) or ⌊nfft/2⌋ + k·hop
 * (scipy ShortTimeFFT's first slices); the last non-padded sample gives the original length.
 */

/**
 * A pad of zeros rebuilds to the data's noise floor, not to exact zeros: measured relative to the signal
 * after it, 1e-7 (float32), 1e-3 (float16), 5e-3 (a dB floor 80 dB down), 0.05–0.1 (60 dB), 0.15–0.5
 * (int16 magnitudes, 40 dB floor); signal on both sides gives 0.3–3. Contrast (pad RMS / signal RMS over
 * CONTRAST_SPAN samples each side) under ZERO_CONTRAST reads as zeros, over SIGNAL_CONTRAST as signal.
 */
const ZERO_CONTRAST = 0.1;
const CLEAN_CONTRAST = 0.01;
const SIGNAL_CONTRAST = 0.5;
const CONTRAST_SPAN = 64;
/** Reliable samples needed on the pad side (one zero crossing is not a pad). */
const MIN_ZERO_RUN = 8;
/** Trailing samples under this multiple of the end's noise floor are padding; the floor is read over END_SPAN. */
const NOISE_MARGIN = 10;
const END_SPAN = 16;
/** Frames imprinted for a window measured here: 8 × 32 (the 64 of the overlap test leave 5 % noise). */
const IMPRINT_BLOCK = 32;
const IMPRINT_BLOCKS = 8;
/** Edge frames this far below the interior's energy are silence: nothing to place. */
const SILENT_EDGE = 1e-6;
/**
 * Mirror correlation that reads as reflect padding, and the pairs it needs. Measured: 1 to round-off
 * with the true window, 0.987–0.9998 with a window measured from the imprint; 0.30–0.54 at the usual
 * pads of unpadded files (an unrestricted scan over the end finds 0.96–0.98 somewhere: harmonic signals
 * are locally symmetric about their extrema, so the end is only scanned where a maker would end).
 * Under NO_MIRROR an unpadded reading may be confident.
 */
const MIRROR_KNOWN = 0.999;
const MIRROR_MEASURED = 0.95;
const NO_MIRROR = 0.9;
const MIRROR_SPAN = 256;
const MIRROR_PAIRS = 16;

export const centring: Analyzer = {
  name: 'centring',
  stage: 'transform',
  // The placement too, when the window analyzer could not see it (see placementsToTry).
  decides: ['center', 'padMode', 'firstFrameStart', 'originalLength', 'windowPlacement'],
  // The window's length (and placement, when known) fix where a window-centre frame starts, hence firstFrameStart.
  needs: [...TRANSFORM_NEEDS, 'hop', 'phaseReference', 'phaseSign', 'winLength'],
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  reads: ['binOrder'],
  applies: (evidence: Evidence, fixed: PartialStftConfig) => hasPhase(evidence, fixed) && typeof transformInput(fixed) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const c = transformInput(fixed);
    if (typeof c === 'string') return undecided(c);
    const hop = fixed.hop as number;
    const conv: Convention = { reference: fixed.phaseReference!, sign: fixed.phaseSign! };
    const N = c.nfft;
    const centre = windowCentreOf(fixed, N);
    const interior = rawSegments(evidence, c);
    const pairs = overlapPairs(interior);
    if (typeof pairs === 'string') return undecided(pairs);
    // The ends are rebuilt under this hop and convention: they must make consecutive frames overlap.
    const fit = hop < N ? (overlapFits(interior, pairs, [{ hop, conv }], centre)[0]?.fit ?? null) : null;
    if (hop < N && !(fit && fit.fit >= NO_OVERLAP)) {
      return undecided(
        `frames do not overlap as hop ${hop} with ${conventionName(conv)} phase says (fit ${fit ? fit.fit.toFixed(2) : 'untestable'}): no real STFT to rebuild`,
      );
    }
    const typical = mean(interior.energy);
    const placements = placementsToTry(fixed, N);
    if (!placements) return readEdges(evidence, fixed, c, hop, conv, typical);
    return eitherPlacement(placements.map((p) => ({ placement: p, result: readEdges(evidence, { ...fixed, windowPlacement: p }, c, hop, conv, typical) })));
  },
};

/** Rebuild both ends under the fixed window (or one measured here) and read the padding off them. */
function readEdges(evidence: Evidence, fixed: PartialStftConfig, c: TransformInput, hop: number, conv: Convention, typical: number): AnalyzerResult {
  const N = c.nfft;
  const centre = windowCentreOf(fixed, N);
  const known = knownWindow(fixed, N);
  const w = known ?? measuredWindow(evidence, fixed, c, hop, conv, centre);
  // Enough frames to cover the largest pad a maker uses (⌊nfft/2⌋ + a few hops) and its mirror.
  const K = Math.min(c.frames, Math.ceil((2 * N + 2 * hop) / hop));
  let silentEnd: string | null = null;
  const ends = [0, c.frames - K].map((m0) => frameStartSegments(evidence, c, m0, K, hop, conv, centre));
  for (const [i, y] of ends.entries()) {
    let e = 0;
    for (let n = 0; n < y.length; n++) e += y[n] * y[n];
    if (!(e / K > typical * SILENT_EDGE)) {
      const under = e > 0 ? `${(-10 * Math.log10(e / K / typical)).toFixed(0)} dB under the interior` : 'all zero';
      const why = `the ${i === 0 ? 'first' : 'last'} ${K} frames are silent (${under})`;
      // A silent start hides where frame 0 starts: every maker's start, tied (DESIGN.md §4.13).
      if (i === 0) return ambiguousStart(fixed, N, hop, why);
      // A silent end still leaves the start to read; only the length stays unknown (readEnd finds no signal).
      silentEnd = why;
    }
  }
  const head = rebuild(ends[0], K, N, hop, w);
  const tail = rebuild(ends[1], K, N, hop, w);
  const precision = Math.sqrt(storageNoise(evidence, c, [0], K));
  return decide(readStart(head, N, hop, precision), readEnd(tail, precision), tail, c, hop, K, known ? MIRROR_KNOWN : MIRROR_MEASURED, silentEnd, fixed);
}

/**
 * The window measured from the data: the window analyzer's estimate when the config says 'estimated',
 * else √ of this analyzer's own imprint over more frames than the overlap test reads.
 */
function measuredWindow(evidence: Evidence, fixed: PartialStftConfig, c: TransformInput, hop: number, conv: Convention, centre: number): Float64Array {
  if (fixed.window === 'estimated' && fixed.winLength !== undefined && fixed.winLength <= c.nfft) {
    try {
      return placeWindow(estimateWindow(evidence, fixed), c.nfft, fixed.windowPlacement ?? 'centred');
    } catch (e) {
      // Its search found no usable imprint: fall back to this analyzer's own.
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return imprintWindow(collectSegments(evidence, { ...c, phaseSign: '+' }, IMPRINT_BLOCK, IMPRINT_BLOCKS), hop, conv, centre);
}

/** The fixed named window placed in the frame, or null when it is not fixed (or only estimated). */
function knownWindow(fixed: PartialStftConfig, N: number): Float64Array | null {
  const name = fixed.window;
  if (name === undefined || name === 'estimated') return null;
  const L = fixed.winLength ?? N;
  if (L > N) return null;
  return placeWindow(makeWindow(name, L, fixed.windowSymmetry ?? 'periodic'), N, fixed.windowPlacement ?? 'centred');
}

interface PadReading {
  pad: number;
  /** Pad-side RMS over signal-side RMS. */
  contrast: number;
  /** Samples after the pad that stay at the pad's floor before the signal sets in (see overrun). */
  overrun: number;
}

/** Short span that must already hold signal right after a zero pad; a floor this far under it is silence. */
const ONSET_SPAN = 16;
const ONSET_FLOOR = 4;
/** Score of a zero pad the signal does not start at (see overrun): it speaks against the window. */
const MISPLACED_PAD = 0.02;

/**
 * How far the silence runs on past a zero pad: the first sample from which ONSET_SPAN samples reach
 * ONSET_FLOOR × the pad's RMS. A maker pads the signal itself, so with the right window the signal sets
 * in at the pad; silence running on by d samples means frame 0 was rebuilt d samples early, i.e. the
 * window's centre is d samples off (a window of another length, or placed otherwise, under a
 * window-centre reference). Measured on uint8 dB files: 0–2 samples for the true window, 50 for a
 * 400-sample window where a 300-sample one at the frame start was used.
 */
function overrun(e: EdgeSignal, pad: number, floor: number, limit: number): number {
  for (let d = 0; d < limit; d++) {
    if (rms(e, pad + d, pad + d + ONSET_SPAN).rms > ONSET_FLOOR * floor) return d;
  }
  return limit;
}

interface Start {
  firstReliable: number;
  /** RMS of the first CONTRAST_SPAN reliable samples over that of the whole rebuilt start. */
  lead: number;
  /** The maker pad whose pad side is quietest against its signal side. */
  zeros: PadReading | null;
  mirror: { pad: number; r: number; pairs: number } | null;
}

interface End {
  /** Last sample above the end's noise floor, in the tail's own index (−1: none). */
  last: number;
  zerosAfter: number;
  /** Noise floor of the last reliable samples over the tail's RMS. */
  contrast: number;
}

/**
 * The pads makers use: ⌊nfft/2⌋ + k·hop, k ≥ 0, shorter than a frame. Every maker's frame 0 reaches into
 * the signal (torch/librosa ⌊nfft/2⌋, scipy ShortTimeFFT's first slice, a phase vocoder's nfft − hop); a
 * longer "pad" is a silent start whose onset happens to fall on one (a block FFT of speech starting at
 * sample 702 read as zero padding by 768 = 256 + 512). mne's stft zero-pads by ⌊(nfft − hop)/2⌋ (it
 * centres the first hop of signal in frame 0): a zero pad only, no maker reflects by it.
 */
function makerPads(N: number, hop: number): { pad: number; reflects: boolean }[] {
  const out: { pad: number; reflects: boolean }[] = [];
  const mne = Math.floor((N - hop) / 2);
  if (mne > 0 && mne < Math.floor(N / 2)) out.push({ pad: mne, reflects: false });
  for (let p = Math.floor(N / 2); p < N; p += hop) out.push({ pad: p, reflects: true });
  return out;
}

/**
 * `precision`: the storage noise ε of the rebuilt frames (relative RMS, shared/storage-noise.ts). A frame
 * that holds signal anywhere brings its rounding to every sample it covers, while only all-zero frames
 * rebuild exact zeros (a real pad always shares frame 0 with the signal, so it rebuilds as rounding):
 * where such frames meet the first frame with signal (a 50 % overlap file whose audio starts in digital
 * silence a frame in) the "pad" side is exactly 0 and the "signal" side is rounding. Against an exact
 * zero, a signal side within NOISE_MARGIN·ε of the start's RMS is silence too, not a signal a pad precedes.
 */
function readStart(e: EdgeSignal, N: number, hop: number, precision: number): Start {
  let firstReliable = 0;
  while (firstReliable < e.x.length && !e.reliable[firstReliable]) firstReliable++;
  const all = rms(e, firstReliable, e.x.length).rms;
  const lead = all > 0 ? rms(e, firstReliable, firstReliable + CONTRAST_SPAN).rms / all : 0;
  const rounding = NOISE_MARGIN * precision * all;
  let quietest: { pad: number; contrast: number; floor: number } | null = null;
  let mirror: Start['mirror'] = null;
  for (const { pad, reflects } of makerPads(N, hop)) {
    const before = rms(e, pad - CONTRAST_SPAN, pad);
    const after = rms(e, pad, pad + CONTRAST_SPAN);
    if (before.n >= MIN_ZERO_RUN && after.n >= MIN_ZERO_RUN && after.rms > (before.rms === 0 ? rounding : 0)) {
      const contrast = before.rms / after.rms;
      if (!quietest || contrast < quietest.contrast) quietest = { pad, contrast, floor: before.rms };
    }
    const m = reflects ? mirrorCorrelation(e, pad, Math.min(pad, MIRROR_SPAN), MIRROR_PAIRS) : null;
    if (m && (!mirror || m.r > mirror.r)) mirror = { pad, ...m };
  }
  const zeros = quietest && {
    pad: quietest.pad,
    contrast: quietest.contrast,
    overrun: overrun(e, quietest.pad, quietest.floor === 0 ? rounding / ONSET_FLOOR : quietest.floor, CONTRAST_SPAN),
  };
  return { firstReliable, lead, zeros, mirror };
}

/** The end read as the start is (readStart's `precision`: rounding is not signal). */
function readEnd(e: EdgeSignal, precision: number): End {
  let t = e.x.length - 1;
  while (t >= 0 && !e.reliable[t]) t--;
  const all = rms(e, 0, e.x.length).rms;
  const tailRms = rms(e, t + 1 - END_SPAN, t + 1).rms;
  const noise = tailRms === 0 ? precision * all : tailRms;
  const contrast = all > 0 ? noise / all : 1;
  if (contrast >= ZERO_CONTRAST) return { last: -1, zerosAfter: 0, contrast };
  let zerosAfter = 0;
  for (; t >= 0; t--) {
    if (!e.reliable[t]) continue;
    if (Math.abs(e.x[t]) > NOISE_MARGIN * noise) break;
    zerosAfter++;
  }
  return { last: t, zerosAfter, contrast };
}

/**
 * Where the end mirrors, for a reflect pad of `pad`: a maker that pads both ends alike and keeps every
 * frame that starts inside the padded signal (torch, librosa) ends the signal within the last hop before
 * the last frame's centre, i.e. at tail index (K−1)·hop + pad − 1 .. K·hop + pad − 1.
 */
function endMirror(e: EdgeSignal, pad: number, hop: number, K: number): { at: number; r: number; pairs: number } | null {
  let best: { at: number; r: number; pairs: number } | null = null;
  const from = Math.max(1, (K - 1) * hop + pad - 2);
  const to = Math.min(e.x.length - 2, K * hop + pad + 1);
  for (let at = from; at <= to; at++) {
    const m = mirrorCorrelation(e, at, MIRROR_SPAN, MIRROR_PAIRS);
    if (m && (!best || m.r > best.r)) best = { at, ...m };
  }
  return best;
}

function decide(
  start: Start,
  end: End,
  tail: EdgeSignal,
  c: TransformInput,
  hop: number,
  K: number,
  MIRROR: number,
  silentEnd: string | null,
  fixed: PartialStftConfig,
): AnalyzerResult {
  // Original index of the tail's sample 0 is firstFrameStart + (frames − K)·hop.
  const tailStart = (c.frames - K) * hop;
  const endZeros = end.zerosAfter >= MIN_ZERO_RUN && end.last >= 0;
  const lengthFrom = (ffs: number, padMode: 'zeros' | 'reflect' | 'none'): { L: number | null; why: string } => {
    const mirror = padMode === 'reflect' ? endMirror(tail, -ffs, hop, K) : null;
    if (mirror && mirror.r >= MIRROR) {
      return { L: ffs + tailStart + mirror.at + 1, why: `the end mirrors about its last sample (r ${mirror.r.toFixed(4)} over ${mirror.pairs} pairs)` };
    }
    if (padMode !== 'reflect' && endZeros) {
      return {
        L: ffs + tailStart + end.last + 1,
        why: `${end.zerosAfter} samples at the noise floor (${end.contrast.toExponential(1)} of the signal) follow the last signal sample`,
      };
    }
    if (silentEnd) return { L: null, why: `${silentEnd}: the length cannot be read (export keeps every covered sample)` };
    return { L: null, why: 'the last frame ends inside the signal: length follows from frames and hop' };
  };
  const { zeros, mirror, firstReliable, lead } = start;
  const hyp = (ffs: number, padMode: 'zeros' | 'reflect' | 'none', score: number, reason: string): Hypothesis => {
    const len = lengthFrom(ffs, padMode);
    return {
      values: { center: ffs < 0, padMode, firstFrameStart: ffs, originalLength: len.L },
      score,
      reason: `${reason}; ${len.why}`,
      metrics: {
        zeroPad: zeros?.pad ?? 0,
        zeroContrast: round4(zeros?.contrast ?? 1),
        mirrorPad: mirror?.pad ?? 0,
        mirror: round4(mirror?.r ?? 0),
        endContrast: round4(end.contrast),
        zerosAfter: end.zerosAfter,
      },
    };
  };
  const unpadded = (score: number, why: string): Hypothesis => hyp(0, endZeros ? 'zeros' : 'none', score, why);
  if (mirror && mirror.r >= MIRROR) {
    return {
      hypotheses: [
        hyp(
          -mirror.pad,
          'reflect',
          0.9,
          `the rebuilt start mirrors about sample ${mirror.pad} of frame 0 (r ${mirror.r.toFixed(4)} over ${mirror.pairs} pairs): reflect padding by ${mirror.pad}`,
        ),
        unpadded(0.01, `no padding would not mirror (r ${mirror.r.toFixed(4)})`),
      ],
    };
  }
  const zc = zeros ? `${zeros.contrast.toExponential(1)}` : 'unmeasured';
  if (zeros && zeros.contrast < ZERO_CONTRAST) {
    const why = `the rebuilt start before sample ${zeros.pad} of frame 0 is ${zc} of the signal after it`;
    if (zeros.overrun >= MIN_ZERO_RUN) {
      // Zero padding, but not where this window puts it: the state's window is off, not the padding.
      return {
        hypotheses: [
          hyp(
            -zeros.pad,
            'zeros',
            MISPLACED_PAD,
            `${why}, but the silence runs ${zeros.overrun} samples past it: zero padding read through a window whose centre is off by that much (another length or placement fits)`,
          ),
        ],
      };
    }
    return {
      hypotheses: [
        hyp(-zeros.pad, 'zeros', zeros.contrast < CLEAN_CONTRAST ? 0.9 : 0.6, `${why}: zero padding by ${zeros.pad}`),
        unpadded(0.02, `${why}: an unpadded signal would not fall silent there`),
      ],
    };
  }
  const mr = mirror ? mirror.r.toFixed(3) : 'unmeasured';
  // An unpadded frame 0 holds signal from its first sample; silence there is a pad no maker would use
  // (or a frame misplaced by a wrong window placement), not an unpadded start.
  if (zeros && zeros.contrast >= SIGNAL_CONTRAST && firstReliable <= zeros.pad - MIN_ZERO_RUN && (mirror?.r ?? 0) < NO_MIRROR && lead >= ZERO_CONTRAST) {
    return {
      hypotheses: [
        unpadded(
          0.85,
          `signal on both sides of every usual pad (quietest ${zc} at ${zeros.pad}), from the first sample on (lead ${lead.toFixed(2)} of its RMS), and no mirror (best r ${mr}): frame 0 starts at the signal`,
        ),
        ...(mirror ? [hyp(-mirror.pad, 'reflect', 0.01, `reflect padding by ${mirror.pad} would mirror; r is ${mr}`)] : []),
      ],
    };
  }
  // No clean pad, no mirror, and silence at the data's clean floor from the first reliable sample on
  // (lead: the first samples' RMS over the start's): the audio itself starts in digital silence, which
  // hides the start (DESIGN.md §4.13). A merely quiet onset (lead 0.01–0.1: a fade-in) is signal.
  if (lead < CLEAN_CONTRAST && (mirror?.r ?? 0) < NO_MIRROR) {
    const ambiguous = ambiguousStart(fixed, c.nfft, hop, `the rebuilt start is silent at every usual pad (lead ${lead.toFixed(2)} of its RMS)`);
    return {
      hypotheses: ambiguous.hypotheses.map((h) => {
        // The end may still give the length; the flag and spread stay for the placement and the report.
        const read = hyp(h.values.firstFrameStart as number, h.values.padMode as 'zeros' | 'reflect' | 'none', h.score, h.reason);
        return { ...read, metrics: { ...read.metrics, ...h.metrics } };
      }),
    };
  }
  // A noisy floor (coarse quantisation, a high dB floor), a quiet start or a blurred mirror: no clean reading.
  const hyps = [unpadded(0.3, `start contrast ${zc}, lead ${lead.toFixed(2)} and mirror r ${mr}: neither a clean pad nor clear signal`)];
  if (zeros) hyps.push(hyp(-zeros.pad, 'zeros', 0.3, `start contrast ${zc} at ${zeros.pad}: perhaps zero padding under a noisy floor`));
  if (mirror && mirror.r >= NO_MIRROR) hyps.unshift(hyp(-mirror.pad, 'reflect', 0.3, `mirror r ${mr} about ${mirror.pad}: perhaps reflect padding`));
  return { hypotheses: hyps };
}

function rms(e: EdgeSignal, from: number, to: number): { rms: number; n: number } {
  let s = 0;
  let n = 0;
  for (let t = Math.max(0, from); t < Math.min(to, e.x.length); t++) {
    if (!e.reliable[t]) continue;
    s += e.x[t] * e.x[t];
    n++;
  }
  return { rms: n > 0 ? Math.sqrt(s / n) : 0, n };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length > 0 ? s / a.length : 0;
}
