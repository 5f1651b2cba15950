import type { Evidence } from '../../src/analysis/evidence.js';
import type { PadMode, PartialStftConfig } from '../../src/config/types.js';
import { makeWindow, placeWindow } from '../../src/dsp/windows.js';
import {
  copyMiss,
  type EdgeSignal,
  type Extension,
  extensionMiss,
  frameStartSegments,
  imprintWindow,
  mirrorCorrelation,
  rebuild,
  selfRepeatMiss,
} from './edges.js';
import { CLEAN_CONTRAST, type End, MIN_ZERO_RUN, MIRROR_PAIRS, MIRROR_SPAN, MISPLACED_PAD, readEnd, readStart, type Start, ZERO_CONTRAST } from './read.js';
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
import { underUsualSign } from './usual-sign.js';
import { ambiguousStart, startPadCentre } from './ambiguous.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import { estimateWindow } from '../window/index.js';

/**
 * Centring, padding and the exact original length from the ends of the STFT (DESIGN.md §4.7). The first
 * and last frames are overlap-added back to signal: zero padding leaves exact zeros before the signal's
 * first sample (and after its last), reflect padding a mirror image about them, no padding neither.
 * The pad must be one a maker uses: ⌊nfft/2⌋ (librosa, torch, scipy.signal.stft) or ⌊nfft/2⌋ + k·hop
 * (scipy ShortTimeFFT's first slices); the last non-padded sample gives the original length.
 */

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
/** An extension pad (edge, odd, symmetric, wrap) must explain the pad this much better than silence does to be read as one. */
const EXTENSION_OVER_SILENCE = 0.1;
/** Edge-padded ends whose misses are within this factor are a tie (both round-off). */
const EDGE_TIE = 0.5;

export const centring: Analyzer = {
  name: 'centring',
  stage: 'transform',
  // The placement too, when the window analyzer could not see it (see placementsToTry).
  // The sign only where frames do not overlap and nothing read it (see run).
  decides: ['center', 'padMode', 'firstFrameStart', 'originalLength', 'windowPlacement', 'phaseSign'],
  // The window's length (and placement, when known) fix where a window-centre frame starts, hence firstFrameStart.
  needs: [...TRANSFORM_NEEDS, 'hop', 'phaseReference', 'winLength'],
  // Every frame it reads is put in ascending order by the bin order (src/decode/bin-order.ts).
  // The maker's convention that decides a silent start (recipe edgeConvention) reads the window and its
  // symmetry and the segment detrend: a result cached across them gave a numpy np.hamming file the
  // convention a periodic window had in another state (centred, where np.hamming blocks start at 0).
  // The phase sign too: not needed (see run), but every reading of the edges depends on it.
  reads: ['binOrder', 'window', 'windowSymmetry', 'detrend', 'phaseSign'],
  applies: (evidence: Evidence, fixed: PartialStftConfig) => hasPhase(evidence, fixed) && typeof transformInput(fixed) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const c = transformInput(fixed);
    if (typeof c === 'string') return undecided(c);
    const hop = fixed.hop as number;
    const N = c.nfft;
    if (fixed.phaseSign === undefined && hop < N) return undecided('the phase sign is open: consecutive frames did not show it');
    if (fixed.phaseSign === undefined) return underUsualSign(centring.run(evidence, { ...fixed, phaseSign: '+' }));
    const conv: Convention = { reference: fixed.phaseReference!, sign: fixed.phaseSign };
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
  return decide(
    readStart(head, N, hop, precision, startPadCentre(fixed, N)),
    readEnd(tail, precision),
    head,
    tail,
    c,
    hop,
    K,
    known ? MIRROR_KNOWN : MIRROR_MEASURED,
    silentEnd,
    fixed,
  );
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

/**
 * Where a maker that pads both ends alike ends the signal, in tail index: torch and librosa keep every
 * frame that starts inside the padded signal, so it ends within the last hop before the last frame's
 * centre ((K−1)·hop + pad − 1 .. K·hop + pad − 1); scipy.signal.stft (padded=True) zero-fills after its
 * end pad up to the last frame's end, so within the hop before that. A sample either side to spare.
 */
function endScan(e: EdgeSignal, pad: number, hop: number, K: number): number[] {
  const out: number[] = [];
  for (let at = Math.max(1, (K - 2) * hop + pad - 2); at <= Math.min(e.x.length - 2, K * hop + pad + 1); at++) out.push(at);
  return out;
}

/** Where the end mirrors, for a reflect pad of `pad` (scanned by endScan). */
function endMirror(e: EdgeSignal, pad: number, hop: number, K: number): { at: number; r: number; pairs: number } | null {
  let best: { at: number; r: number; pairs: number } | null = null;
  for (const at of endScan(e, pad, hop, K)) {
    const m = mirrorCorrelation(e, at, MIRROR_SPAN, MIRROR_PAIRS);
    if (m && (!best || m.r > best.r)) best = { at, ...m };
  }
  return best;
}

/** Where the end is best explained by an edge, odd or symmetric extension after it, or (wrap) where the start's pad copies it. */
function endExtension(head: EdgeSignal, tail: EdgeSignal, kind: Extension | 'wrap', pad: number, hop: number, K: number): { at: number; miss: number } | null {
  let best: { at: number; miss: number } | null = null;
  const span = Math.min(pad, MIRROR_SPAN);
  for (const at of endScan(tail, pad, hop, K)) {
    const m = kind === 'wrap' ? copyMiss(head, pad, tail, at + 1, span, MIRROR_PAIRS) : extensionMiss(tail, at, 1, kind, span, MIRROR_PAIRS);
    // An edge pad also fits one sample later (the first pad sample repeats the last): the earlier end wins a tie.
    if (m && (!best || m.miss < (kind === 'edge' ? EDGE_TIE : 1) * best.miss)) best = { at, miss: m.miss };
  }
  return best;
}

function decide(
  start: Start,
  end: End,
  head: EdgeSignal,
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
  // A pad that extends the signal must copy it as closely as a reflection mirrors it.
  const MISS = Math.sqrt(2 * (1 - MIRROR));
  const lengthFrom = (ffs: number, padMode: PadMode): { L: number | null; why: string } => {
    const mirror = padMode === 'reflect' ? endMirror(tail, -ffs, hop, K) : null;
    if (mirror && mirror.r >= MIRROR) {
      return { L: ffs + tailStart + mirror.at + 1, why: `the end mirrors about its last sample (r ${mirror.r.toFixed(4)} over ${mirror.pairs} pairs)` };
    }
    const extended =
      padMode === 'edge' || padMode === 'odd' || padMode === 'symmetric' || padMode === 'wrap' ? endExtension(head, tail, padMode, -ffs, hop, K) : null;
    if (extended && extended.miss <= MISS) {
      return { L: ffs + tailStart + extended.at + 1, why: `the end's ${padMode} pad fits after its last sample (miss ${extended.miss.toExponential(1)})` };
    }
    // Zeros after an extended end are a second pad (scipy's padded=True), not where the signal ends.
    if ((padMode === 'zeros' || padMode === 'none') && endZeros) {
      return {
        L: ffs + tailStart + end.last + 1,
        why: `${end.zerosAfter} samples at the noise floor (${end.contrast.toExponential(1)} of the signal) follow the last signal sample`,
      };
    }
    if (silentEnd) return { L: null, why: `${silentEnd}: the length cannot be read (export keeps every covered sample)` };
    return { L: null, why: 'the last frame ends inside the signal: length follows from frames and hop' };
  };
  const { zeros, mirror, firstReliable, lead } = start;
  const hyp = (ffs: number, padMode: PadMode, score: number, reason: string): Hypothesis => {
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
  const extended = extendedStart(start, head, tail, c.nfft, hop, K, MISS);
  if (extended) {
    return {
      hypotheses: [
        hyp(
          -extended.pad,
          extended.kind,
          0.9,
          `the rebuilt start before sample ${extended.pad} of frame 0 ${extended.what}: ${extended.kind} padding by ${extended.pad}`,
        ),
        unpadded(0.01, `an unpadded signal would not ${extended.kind === 'wrap' ? 'repeat its end there' : 'extend its first sample'}`),
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
  if (zeros && zeros.contrast >= start.signalContrast && firstReliable <= zeros.pad - MIN_ZERO_RUN && (mirror?.r ?? 0) < NO_MIRROR && lead >= ZERO_CONTRAST) {
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
        const read = hyp(h.values.firstFrameStart as number, h.values.padMode as PadMode, h.score, h.reason);
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

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length > 0 ? s / a.length : 0;
}

/**
 * The start's pad read as an extension of the signal (edge, odd, symmetric, or wrap: the signal's end
 * before its start, at ⌊nfft/2⌋, where torch and librosa pad) within `miss`, and closer than silence is:
 * an edge of a quiet first sample, or a wrap of a silent end, is also a zero pad, the common reading.
 */
function extendedStart(
  start: Start,
  head: EdgeSignal,
  tail: EdgeSignal,
  N: number,
  hop: number,
  K: number,
  miss: number,
): { pad: number; kind: Extension | 'wrap'; what: string } | null {
  const { extension } = start;
  const wrapPad = Math.floor(N / 2);
  const span = Math.min(wrapPad, MIRROR_SPAN);
  // A steady signal repeats itself, so its end fits a wrap pad wherever the scan meets its period: no reading.
  const repeats = selfRepeatMiss(head, wrapPad, span, MIRROR_PAIRS) <= miss;
  const wrap = repeats ? null : endExtension(head, tail, 'wrap', wrapPad, hop, K);
  // Every pad here is a maker pad, whose silence readStart measured.
  const beatsSilence = (pad: number, m: number): boolean => m < EXTENSION_OVER_SILENCE * (start.silence.get(pad) ?? Infinity);
  const best = [
    ...(extension ? [{ pad: extension.pad, kind: extension.kind, miss: extension.miss }] : []),
    ...(wrap ? [{ pad: wrapPad, kind: 'wrap' as const, miss: wrap.miss }] : []),
  ]
    .filter((x) => x.miss <= miss && beatsSilence(x.pad, x.miss))
    .sort((a, b) => a.miss - b.miss)[0];
  if (!best) return null;
  const off = `(miss ${best.miss.toExponential(1)} of its RMS)`;
  const what = {
    wrap: `repeats the signal's last ${best.pad} samples ${off}`,
    edge: `repeats the first signal sample ${off}`,
    odd: `is the signal turned about its first sample ${off}`,
    symmetric: `mirrors the signal, its first sample repeated ${off}`,
  }[best.kind];
  return { pad: best.pad, kind: best.kind, what };
}
