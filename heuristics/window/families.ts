import type { WindowSymmetry } from '../../src/config/types.js';
import { sharedWindow, WindowStore } from '../../src/dsp/windows.js';

/**
 * The named window families the imprint is matched against, their parameter ranges, and the 1-D
 * refinement of a parametrised family's parameter (kaiser β, gaussian σ, tukey α).
 */

/** Families of named windows; parametrised ones carry their parameter range for the 1-D refinement. */
export type Family = 'hann' | 'hamming' | 'blackman' | 'rectangular' | 'sqrt-hann' | 'cosine' | 'kaiser' | 'gaussian' | 'tukey';
export const FIXED_FAMILIES: readonly Family[] = ['hann', 'hamming', 'blackman', 'rectangular', 'sqrt-hann', 'cosine'];
export const PARAM_FAMILIES: readonly Family[] = ['kaiser', 'gaussian', 'tukey'];

export function windowName(family: Family, param: number | null): string {
  return param === null ? family : `${family}-${param}`;
}

/** The window of a family (shared: the fits only read it). */
export function shape(family: Family, param: number | null, L: number, symmetry: WindowSymmetry): Float64Array {
  return sharedWindow(windowName(family, param), L, symmetry);
}

/**
 * A refinement probe's window (shared: the fits only read it). The golden-section paths of one file's
 * searches retrace each other (a 30 s pair: 3192 probes, 427 distinct), so probes keep a store of their
 * own, apart from sharedWindow's, whose few windows every candidate asks for they would push out. It
 * outlives the analysis (a batch job keeps it), so it holds one file's probes: 2^20 samples, 8 MB,
 * against 874k distinct probe samples at nfft 2048.
 */
export function probeShape(family: Family, param: number, L: number, symmetry: WindowSymmetry): Float64Array {
  return probes.get(windowName(family, param), L, symmetry);
}

const probes = new WindowStore(1 << 20);

/** Windows are fitted under several layouts of the same length: each is computed once per search. */
export class ShapeCache {
  private readonly map = new Map<string, Float64Array>();
  get(family: Family, param: number | null, L: number, symmetry: WindowSymmetry): Float64Array {
    const key = `${family}|${param}|${L}|${symmetry}`;
    let w = this.map.get(key);
    if (!w) {
      w = shape(family, param, L, symmetry);
      this.map.set(key, w);
    }
    return w;
  }
}

/** Coarse grid for the first pass over layouts. */
export function coarseParams(family: Family, L: number): number[] {
  switch (family) {
    case 'kaiser':
      return [2, 5, 8, 11, 14, 18];
    case 'gaussian':
      return [L / 3, L / 5, L / 7, L / 10];
    case 'tukey':
      return [0.25, 0.5, 0.75];
    default:
      return [];
  }
}

/** Search range of the refinement (log scale for kaiser β and gaussian σ). */
export function paramRange(family: Family, L: number): { lo: number; hi: number; log: boolean } {
  switch (family) {
    case 'kaiser':
      return { lo: 0.5, hi: 40, log: true };
    case 'gaussian':
      return { lo: Math.max(0.5, L / 40), hi: 2 * L, log: true };
    default:
      return { lo: TUKEY_MIN, hi: TUKEY_MAX, log: false };
  }
}

/**
 * Values a maker would have typed near a refined parameter, simplest first: round numbers, and for
 * gaussian σ the fractions of the length people use (L/k, MATLAB gausswin's (L−1)/(2α)). Exact
 * arithmetic on L keeps the names equal to what `${L/6}` prints.
 */
export function snapParams(family: Family, p: number, L: number): number[] {
  const out: number[] = [];
  const add = (v: number, rel: number): void => {
    if (v > 0 && Math.abs(v - p) <= rel * p && !out.includes(v)) out.push(v);
  };
  if (family === 'kaiser') {
    for (const v of [Math.round(p), Math.floor(p), Math.ceil(p)]) add(v, 0.2);
    add(Math.round(p * 2) / 2, 0.2);
    add(8.6, 0.1);
  } else if (family === 'gaussian') {
    const fractions = [2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16].map((k) => L / k);
    for (const a of [2, 2.5, 3, 3.5, 4, 5]) fractions.push((L - 1) / (2 * a));
    fractions.sort((a, b) => Math.abs(a - p) - Math.abs(b - p));
    // The closest fraction, then the round numbers, then the other fractions.
    add(fractions[0], 0.15);
    add(Math.round(p), 0.15);
    add(Math.round(p * 2) / 2, 0.15);
    for (const v of fractions) add(v, 0.15);
  } else {
    for (const step of [4, 10, 20]) add(Math.min(TUKEY_MAX, Math.max(TUKEY_MIN, Math.round(p * step) / step)), 1);
  }
  return out;
}

/** Tukey α stays inside (0, 1): α = 0 is the rectangular window and α = 1 the Hann window. */
const TUKEY_MIN = 0.05;
const TUKEY_MAX = 0.95;

/** Golden-section minimisation of f over [lo, hi] (on a log axis when asked), starting bracket around x0. */
export function refine(f: (x: number) => number, x0: number, lo: number, hi: number, log: boolean, iterations = 18): number {
  const to = (x: number): number => (log ? Math.log(x) : x);
  const from = (v: number): number => (log ? Math.exp(v) : v);
  const span = (to(hi) - to(lo)) / 6;
  let a = Math.max(to(lo), to(Math.max(x0, lo)) - span);
  let b = Math.min(to(hi), to(Math.max(x0, lo)) + span);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(from(c));
  let fd = f(from(d));
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(from(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(from(d));
    }
  }
  return from(fc < fd ? c : d);
}
