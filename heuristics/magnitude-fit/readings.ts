import type { PartialStftConfig, WindowName, WindowPlacement, WindowSymmetry } from '../../src/config/types.js';
import { DURATION_LENGTHS } from '../shared/durations.js';

/**
 * The readings magnitude-fit tries: the common window lengths, hops and windows real makers use. A
 * magnitude file is only scored against these (an FGLA run per reading), so the lists are priors in
 * themselves; a field the user pinned narrows its list to that value.
 */

/** 10 / 12.5 ms hops at common rates (DESIGN.md §4.6), with 8 kHz's 80 and 100 (telephone-band speech, Octave examples). */
const ABSOLUTE_HOPS = [80, 100, 160, 200, 220, 256, 275, 300, 441, 512];
/** Above this nfft only the full-frame window length is tried (each FGLA run grows with nfft). */
const MAX_NFFT_FOR_LENGTHS = 1024;

/** Window lengths: nfft itself, then the common durations at common rates that fill at least half the frame. */
export function windowLengths(N: number, fixed: PartialStftConfig): number[] {
  if (fixed.winLength !== undefined) return [fixed.winLength];
  const out = new Set([N]);
  if (N <= MAX_NFFT_FOR_LENGTHS) {
    if (N % 2 === 0) out.add(N / 2);
    for (const L of DURATION_LENGTHS) out.add(L);
  }
  return [...out].filter((L) => L >= N / 2 && L <= N).sort((a, b) => b - a);
}

/**
 * Hops for a window of length L in an nfft frame: fractions of both (the makers' overlaps: 50 %, 75 %,
 * scipy spectrogram's L − ⌊L/8⌋), then the absolute 10 / 12.5 ms values. Only hops below L: frames that
 * do not overlap are consistent under any phase (DESIGN.md §4.12), so magnitudes cannot rank them.
 */
export function hops(L: number, N: number, fixed: PartialStftConfig): number[] {
  if (fixed.hop !== undefined) return fixed.hop < L ? [fixed.hop] : [];
  const out = new Set<number>();
  for (const f of [1 / 8, 1 / 4, 1 / 2, 3 / 4]) {
    if (Number.isInteger(f * N)) out.add(f * N);
    if (Number.isInteger(f * L)) out.add(f * L);
  }
  out.add(L - Math.floor(L / 8));
  for (const h of ABSOLUTE_HOPS) out.add(h);
  return [...out].filter((h) => h >= Math.max(1, L / 16) && h < L).sort((a, b) => a - b);
}

export interface WindowChoice {
  window: WindowName;
  windowSymmetry: WindowSymmetry;
}

/** Shapes the coarse scan tries: one without a pedestal (Hann) and one with (Hamming), each in its usual symmetry. */
export const PROBE_WINDOWS: WindowChoice[] = [
  { window: 'hann', windowSymmetry: 'periodic' },
  { window: 'hamming', windowSymmetry: 'symmetric' },
];

/** Every named window tried once the lengths are settled: the common families, both symmetries. */
export function windows(fixed: PartialStftConfig): WindowChoice[] {
  const names: WindowName[] = fixed.window !== undefined ? [fixed.window] : ['hann', 'hamming', 'blackman', 'tukey-0.25', 'sqrt-hann'];
  const syms: WindowSymmetry[] = fixed.windowSymmetry !== undefined ? [fixed.windowSymmetry] : ['periodic', 'symmetric'];
  return names.filter((w) => w !== 'estimated').flatMap((window) => syms.map((windowSymmetry) => ({ window, windowSymmetry })));
}

/**
 * Where a shorter window sits. |FFT| does not change under a circular shift, so magnitudes cannot show
 * it: the makers' convention decides. MATLAB/Octave (symmetric windows, Nyquist-less spectra) and scipy
 * put the segment at the frame start; librosa and torch centre a shorter (periodic) window.
 */
export function placementConvention(fixed: PartialStftConfig, w: WindowChoice, L: number, N: number): WindowPlacement {
  if (fixed.windowPlacement !== undefined) return fixed.windowPlacement;
  if (L >= N) return 'centred';
  return fixed.sided === 'one-no-nyquist' || w.windowSymmetry === 'symmetric' ? 'start' : 'centred';
}
