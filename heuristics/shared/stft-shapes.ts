import type { FileEvidence } from '../../src/analysis/evidence.js';
import type { FileStorage, Sided } from '../../src/config/types.js';
import { type ArrayEntry, pickArrays } from '../../src/io/containers/index.js';

/**
 * Which (frames, bins, nfft, sided) a value count allows and how likely each is (DESIGN 4.3): used by
 * the storage analyzers (container, raw-dtype) to judge a reading's count and by dims to enumerate shapes.
 */

export const MIN_BINS = 3;
export const MAX_BINS = 65537;

/** Divisors of n in [lo, hi], ascending. */
export function divisors(n: number, lo: number, hi: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    small.push(d);
    if (d * d !== n) large.push(n / d);
  }
  return [...small, ...large.reverse()].filter((d) => d >= lo && d <= hi);
}

/** Whether n values can be an STFT matrix at all (some bins in range with at least 2 frames). */
export function plausibleCount(n: number): boolean {
  return divisors(n, MIN_BINS, Math.min(MAX_BINS, Math.floor(n / 2))).length > 0;
}

export interface Transform {
  nfft: number;
  sided: Sided;
}

/** Every (nfft, sided) that stores `bins` bins: one-sided even/odd, one-no-nyquist, two-sided. */
export function transformsFor(bins: number): Transform[] {
  return [
    { nfft: 2 * (bins - 1), sided: 'one' },
    { nfft: 2 * bins - 1, sided: 'one' },
    { nfft: 2 * bins, sided: 'one-no-nyquist' },
    { nfft: bins, sided: 'two' },
  ];
}

function smooth235(n: number): boolean {
  for (const p of [2, 3, 5]) while (n % p === 0) n /= p;
  return n === 1;
}

/**
 * Prior cost (nats) of an nfft and sidedness: powers of two are the norm, 2·3·5-smooth sizes (400,
 * 1200) common, other sizes rarer; one-sided is the usual output. Kept mild (a nat is 4.3 dB of search
 * cost): twins such as nfft 511 one-sided and 512 one-no-nyquist must both reach the consistency ranking.
 */
export function transformPrior(t: Transform): number {
  const n = t.nfft;
  let c = (n & (n - 1)) === 0 ? 0 : n % 2 === 0 ? (smooth235(n) ? 1 : 2.5) : smooth235(n) ? 1.5 : 2.5;
  if (n < 16 || n > 65536) c += 4;
  else if (n > 16384) c += 2;
  if (t.sided !== 'one') c += 1;
  return c;
}

/** Prior cost (nats) of a frame count: an STFT of a handful of frames is rare (and usually a misreading). */
export function framesPrior(frames: number): number {
  return frames < 4 ? 3 : frames < 16 ? 1 : 0;
}

/** The array a container storage refers to (by variable; the picked one when unnamed). */
export function containerArray(f: FileEvidence, storage: Partial<FileStorage> | null | undefined): ArrayEntry | null {
  const info = f.container;
  if (info.format === 'raw' || info.arrays.length === 0) return null;
  const name = storage?.variable;
  if (name !== undefined && name !== null) return info.arrays.find((a) => a.name === name) ?? null;
  if (info.arrays.length === 1) return info.arrays[0];
  const pick = pickArrays(info);
  return pick.complex ?? pick.magnitude ?? pick.phase ?? null;
}

/** Values in a container's array, or null for raw files. */
export function containerCount(f: FileEvidence, storage: Partial<FileStorage> | null | undefined): number | null {
  const a = containerArray(f, storage);
  if (!a) return null;
  let n = 1;
  for (const d of a.shape) n *= d;
  return n;
}
