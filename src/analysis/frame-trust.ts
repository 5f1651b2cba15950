/**
 * Per-frame trust of a phase from the overlap of neighbouring frames: overlapping frames see the same
 * samples, so with y_m = IFFT(X_m) = w·x(segment m) the overlap of frames m and m+j satisfies
 * y_m[n+jh]·w[n] = y_{m+j}[n]·w[n+jh]. The relative mismatch of a pair is round-off for a true phase
 * and ~0 dB (1) when either frame's phase is wrong: a per-frame verdict, which is what finds the
 * corrupt frames of a partly good file. Frames that share no windowed sample with a neighbour (a block
 * FFT, hop ≥ nfft: DESIGN.md 4.12) and silent frames carry no evidence either way: they are trusted
 * and marked, never condemned.
 */
import { type ComplexFrames, FrameSynthesizer, type StftGeometry } from '../dsp/stft.js';
import { PairMismatch } from './pair-mismatch.js';

/** A pair of overlapping frames agrees when its mismatch is below this (true phase: round-off or quantisation, < −35 dB). */
export const PAIR_CONSISTENT_DB = -15;
/**
 * Frames with less energy than this fraction of the loudest carry no evidence either way: their
 * stored values are round-off of digital silence, and their phase cannot matter to the audio.
 */
export const SILENT_FRACTION = 1e-10;

export interface FrameTrust {
  /** 1 = the frame agrees with at least one overlapping neighbour, or nothing can judge it (silent, unpaired). */
  trusted: Uint8Array;
  /** Best pair mismatch of each frame in dB (NaN: no evaluable pair, −Infinity: exact). */
  pairErrorDb: Float64Array;
  /** 1 = silent frame (trusted by default: its phase cannot matter). */
  silent: Uint8Array;
  /** 1 = the frame had at least one pair to compare: only these are evidence about the phase. */
  paired: Uint8Array;
  /** Energy of each segment y_m (0 for a non-finite frame): lets a caller judge silence file-wide. */
  energy: Float64Array;
}

/** Whether consecutive frames share windowed samples at all (hop < the window's support). */
export function framesOverlap(g: StftGeometry): boolean {
  let first = -1;
  let last = -1;
  for (let n = 0; n < g.nfft; n++) {
    if (g.window[n] !== 0) {
      if (first < 0) first = n;
      last = n;
    }
  }
  return first >= 0 && g.hop <= last - first;
}

/**
 * Per-frame trust of a complex STFT under a geometry, from the overlap agreement of each frame with
 * its neighbours at lags 1..⌈nfft/hop⌉−1. A frame is trusted when any of its pairs agrees: a good frame
 * beside a corrupt one still has a good partner on the other side. A finite frame with no evaluable
 * pair is trusted but not `paired`. Silence is judged against `referenceEnergy` when given (the file's
 * loudest frame: a quiet block's dust is still dust), else the block's loudest. Streams with a ring of
 * segments, so a whole file costs one inverse FFT per frame and O(nfft) memory.
 */
export function frameTrust(X: ComplexFrames, g: StftGeometry, thresholdDb = PAIR_CONSISTENT_DB, referenceEnergy = 0): FrameTrust {
  const { frames, bins } = X;
  const { nfft, hop } = g;
  const lags = framesOverlap(g) ? Math.max(0, Math.ceil(nfft / hop) - 1) : 0;
  const ring = new Float64Array((lags + 1) * nfft);
  const energy = new Float64Array(frames);
  const finite = new Uint8Array(frames);
  const best = new Float64Array(frames).fill(Infinity);
  const syn = new FrameSynthesizer(g);
  const pairs = new PairMismatch(g);
  let maxEnergy = referenceEnergy;
  for (let m = 0; m < frames; m++) {
    const o = m * bins;
    let ok = 1;
    for (let k = 0; k < bins; k++) if (!Number.isFinite(X.re[o + k]) || !Number.isFinite(X.im[o + k])) ok = 0;
    finite[m] = ok;
    const slot = (m % (lags + 1)) * nfft;
    if (!ok) {
      ring.fill(0, slot, slot + nfft);
      continue;
    }
    const y = syn.synth(m, X.re, X.im, o, bins);
    ring.set(y, slot);
    let e = 0;
    for (let n = 0; n < nfft; n++) e += y[n] * y[n];
    energy[m] = e;
    if (e > maxEnergy) maxEnergy = e;
    for (let j = 1; j <= lags && j <= m; j++) {
      const p = m - j;
      if (!finite[p]) continue;
      const ps = (p % (lags + 1)) * nfft;
      // A pair that shares only silence (an onset past the overlap) says nothing about either phase.
      const r = pairs.ratio(ring, ps, ring, slot, j * hop, SILENT_FRACTION * (energy[p] + e));
      if (Number.isNaN(r)) continue;
      if (r < best[m]) best[m] = r;
      if (r < best[p]) best[p] = r;
    }
  }
  const trusted = new Uint8Array(frames);
  const silent = new Uint8Array(frames);
  const paired = new Uint8Array(frames);
  const pairErrorDb = new Float64Array(frames);
  const thr = 10 ** (thresholdDb / 10);
  for (let m = 0; m < frames; m++) {
    silent[m] = finite[m] && energy[m] <= maxEnergy * SILENT_FRACTION ? 1 : 0;
    paired[m] = best[m] === Infinity ? 0 : 1;
    pairErrorDb[m] = paired[m] ? 10 * Math.log10(best[m]) : NaN;
    trusted[m] = finite[m] && (silent[m] || !paired[m] || best[m] <= thr) ? 1 : 0;
  }
  return { trusted, pairErrorDb, silent, paired, energy };
}
