import { type EdgeSignal, type Extension, extensionMiss, mirrorCorrelation } from './edges.js';

/**
 * Reading the rebuilt ends (edges.ts): where a zero pad falls silent against the signal after it, where
 * a reflection mirrors, where the signal ends. The centring analyzer (index.ts) decides from these readings.
 */

/**
 * A pad of zeros rebuilds to the data's noise floor, not to exact zeros: measured relative to the signal
 * after it, 1e-7 (float32), 1e-3 (float16), 5e-3 (a dB floor 80 dB down), 0.05–0.1 (60 dB), 0.15–0.5
 * (int16 magnitudes, 40 dB floor); signal on both sides gives 0.3–3. Contrast (pad RMS / signal RMS over
 * CONTRAST_SPAN samples each side) under ZERO_CONTRAST reads as zeros, over SIGNAL_CONTRAST as signal.
 */
export const ZERO_CONTRAST = 0.1;
export const CLEAN_CONTRAST = 0.01;
export const SIGNAL_CONTRAST = 0.5;
const CONTRAST_SPAN = 64;
/** Reliable samples needed on the pad side (one zero crossing is not a pad). */
export const MIN_ZERO_RUN = 8;
/** Storage noise under which the rebuilt floor is rounding, not quantisation: float16 and finer. */
const PRECISE_STORAGE = 1e-3;
/** Trailing samples under this multiple of the end's noise floor are padding; the floor is read over END_SPAN. */
const NOISE_MARGIN = 10;
/**
 * How far above the storage's rounding (relative RMS) a real pad can rebuild: measured 0.3–7× in
 * float32 (Hann and Blackman, torch and scipy, divided by the window's tails). torch center=False on a
 * clip that ends in a quiet stretch of speech (3.3e-3 of its RMS) read that stretch as an end pad.
 */
const PAD_ROUNDING = 100;
const END_SPAN = 16;

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
export const MISPLACED_PAD = 0.02;
/** Clean pad contrasts (under CLEAN_CONTRAST) within this factor of the quietest are a tie: silent to rounding. */
const PAD_TIE = 3;
/** Samples and pairs a mirror correlation reads about a pad (see index.ts MIRROR_KNOWN). */
export const MIRROR_SPAN = 256;
export const MIRROR_PAIRS = 16;
const EXTENSIONS: Extension[] = ['edge', 'odd', 'symmetric'];

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

export interface Start {
  firstReliable: number;
  /** RMS of the first CONTRAST_SPAN reliable samples over that of the whole rebuilt start. */
  lead: number;
  /** The maker pad whose pad side is quietest against its signal side. */
  zeros: PadReading | null;
  mirror: { pad: number; r: number; pairs: number } | null;
  /** The maker pad and end extension (edge, odd, symmetric) the rebuilt pad side is nearest to. */
  extension: { pad: number; kind: Extension; miss: number; pairs: number } | null;
  /** Pad-side RMS over signal-side RMS at each maker pad (CONTRAST_SPAN each side; ∞ with no signal after it). */
  silence: Map<number, number>;
  /**
   * The least contrast at the quietest maker pad that reads as signal on both sides: SIGNAL_CONTRAST,
   * or ZERO_CONTRAST in float storage, where a real pad rebuilds at rounding (1e-8 to 6e-8 of the signal
   * measured, Hann and Blackman, torch and scipy) and speech that merely quietens toward its start sat at
   * 0.31 (torch center=False and scipy.signal.spectrogram on a clip cut mid-word: read as a 50/50 tie).
   */
  signalContrast: number;
}

export interface End {
  /** Last sample above the end's noise floor, in the tail's own index (−1: none). */
  last: number;
  zerosAfter: number;
  /** Noise floor of the last reliable samples over the tail's RMS. */
  contrast: number;
}

/**
 * The pads makers use: ⌊nfft/2⌋ + k·hop, k ≥ 0 (torch, librosa; scipy ShortTimeFFT's first slices),
 * shorter than a frame.
 * Every maker's frame 0 reaches into the signal; a longer "pad" is a silent start whose onset happens to
 * fall on one (a block FFT of speech starting at sample 702 read as zero padding by 768 = 256 + 512).
 * Zero pads only, where no maker reflects: the one that puts frame 0's window centre on sample 0
 * (⌊winLength/2⌋ for a window at the frame's start: scipy's stft with nfft > nperseg pads nperseg/2),
 * mne's stft's ⌊(nfft − hop)/2⌋ (it centres the first hop of signal in frame 0) and a phase vocoder's
 * nfft − hop (aubio's pvoc, whose first frame ends at sample hop: 724 at 1024/300, off the grid above).
 * Offered as reflections too, a window-centre file's start-placed window mirrored where the centred
 * one does (the placement only shifts the signal there), and start-placed grid windows misread.
 */
function makerPads(N: number, hop: number, centre: number): { pad: number; reflects: boolean }[] {
  const out: { pad: number; reflects: boolean }[] = [];
  for (let p = Math.floor(N / 2); p < N; p += hop) out.push({ pad: p, reflects: true });
  for (const pad of [centre, Math.floor((N - hop) / 2), N - hop]) {
    if (pad > 0 && pad < N && !out.some((o) => o.pad === pad)) out.push({ pad, reflects: false });
  }
  return out.sort((a, b) => a.pad - b.pad);
}

/**
 * `precision`: the storage noise ε of the rebuilt frames (relative RMS, shared/storage-noise.ts). A frame
 * that holds signal anywhere brings its rounding to every sample it covers, while only all-zero frames
 * rebuild exact zeros (a real pad always shares frame 0 with the signal, so it rebuilds as rounding):
 * where such frames meet the first frame with signal (a 50 % overlap file whose audio starts in digital
 * silence a frame in) the "pad" side is exactly 0 and the "signal" side is rounding; where two frames
 * holding the onset at different loudness meet (hop 128 on the same speech), one rounding level steps to
 * another. So a signal side within NOISE_MARGIN·ε of the start's RMS is silence too, not a signal a pad
 * precedes: against an exact zero always, and against anything in float storage (ε < PRECISE_STORAGE).
 * Coarse storage (whole-dB magnitudes: ε of 0.03–0.1) keeps the contrast test alone: a floor there put
 * real signal under it (the e2e grid fell to 134/150).
 */
export function readStart(e: EdgeSignal, N: number, hop: number, precision: number, centre: number): Start {
  let firstReliable = 0;
  while (firstReliable < e.x.length && !e.reliable[firstReliable]) firstReliable++;
  const all = rms(e, firstReliable, e.x.length).rms;
  const lead = all > 0 ? rms(e, firstReliable, firstReliable + CONTRAST_SPAN).rms / all : 0;
  const rounding = NOISE_MARGIN * precision * all;
  const silent: { pad: number; contrast: number; floor: number }[] = [];
  let mirror: Start['mirror'] = null;
  let extension: Start['extension'] = null;
  const silence = new Map<number, number>();
  for (const { pad, reflects } of makerPads(N, hop, centre)) {
    const before = rms(e, pad - CONTRAST_SPAN, pad);
    const after = rms(e, pad, pad + CONTRAST_SPAN);
    silence.set(pad, after.rms > 0 ? before.rms / after.rms : Infinity);
    if (before.n >= MIN_ZERO_RUN && after.n >= MIN_ZERO_RUN && after.rms > (before.rms === 0 || precision < PRECISE_STORAGE ? rounding : 0)) {
      silent.push({ pad, contrast: before.rms / after.rms, floor: before.rms });
    }
    const m = reflects ? mirrorCorrelation(e, pad, Math.min(pad, MIRROR_SPAN), MIRROR_PAIRS) : null;
    if (m && (!mirror || m.r > mirror.r)) mirror = { pad, ...m };
    // The makers that reflect also offer these; an edge of a near-silent first sample is a zero pad.
    for (const kind of reflects && after.rms > rounding ? EXTENSIONS : []) {
      if (kind === 'edge' && !(Math.abs(e.x[pad]) >= ZERO_CONTRAST * after.rms)) continue;
      const x = extensionMiss(e, pad, -1, kind, Math.min(pad, MIRROR_SPAN), MIRROR_PAIRS);
      if (x && (!extension || x.miss < extension.miss)) extension = { pad, kind, ...x };
    }
  }
  // Pads whose silence is equally clean (all at the rounding floor) tie: the maker's is the one the signal
  // follows at once (a start-placed 400 in 512 pads 200; mne's 176 was 5 % quieter, and 24 samples early).
  const best = Math.min(...silent.map((q) => q.contrast));
  const tie = best < CLEAN_CONTRAST ? PAD_TIE : 1;
  const zeros =
    silent
      .filter((q) => q.contrast <= tie * best)
      .map((q) => ({ pad: q.pad, contrast: q.contrast, overrun: overrun(e, q.pad, q.floor === 0 ? rounding / ONSET_FLOOR : q.floor, CONTRAST_SPAN) }))
      .sort((a, b) => a.overrun - b.overrun || a.contrast - b.contrast)[0] ?? null;
  return { firstReliable, lead, zeros, mirror, extension, silence, signalContrast: precision < PRECISE_STORAGE ? ZERO_CONTRAST : SIGNAL_CONTRAST };
}

/** The end read as the start is (readStart's `precision`: rounding is not signal). */
export function readEnd(e: EdgeSignal, precision: number): End {
  let t = e.x.length - 1;
  while (t >= 0 && !e.reliable[t]) t--;
  const all = rms(e, 0, e.x.length).rms;
  const tailRms = rms(e, t + 1 - END_SPAN, t + 1).rms;
  const noise = tailRms === 0 ? precision * all : tailRms;
  const contrast = all > 0 ? noise / all : 1;
  // In float storage a pad rebuilds at rounding: a tail far above it is quiet signal, not a pad.
  const aboveRounding = precision < PRECISE_STORAGE && contrast > PAD_ROUNDING * precision;
  if (contrast >= ZERO_CONTRAST || aboveRounding) return { last: -1, zerosAfter: 0, contrast };
  let zerosAfter = 0;
  for (; t >= 0; t--) {
    if (!e.reliable[t]) continue;
    if (Math.abs(e.x[t]) > NOISE_MARGIN * noise) break;
    zerosAfter++;
  }
  return { last: t, zerosAfter, contrast };
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
