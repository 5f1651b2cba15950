import { decodeStream, headerInts, headerPairs, isFloat, tinyNormal, valueSize } from '../shared/storage-readings.js';
import { phaseBound, type Reading } from './judge.js';

/**
 * Header length of a raw file under one reading: decisively, the length whose stored integers
 * (frames, bins as u16/u32/u64/float, either order) multiply to the values that remain; otherwise
 * where the leading values stop breaking the pattern of the body, and where zero padding after them ends.
 */

/** Score of a header, and of none, when a single leading value breaks the body's pattern: a tie the shape stage decides. */
const LONE_BREAK = 0.3;

/** Largest header the leading-bytes scan considers. */
export const HEADER_SCAN = 4096;

export interface HeaderOption {
  bytes: number;
  score: number;
  why: string;
}

/** Index of the first value that starts `run` consecutive values typical of the body, or -1. */
function firstTypicalRun(values: Float64Array, typical: (v: number) => boolean, run: number): number {
  let streak = 0;
  for (let j = 0; j < values.length; j++) {
    streak = typical(values[j]) ? streak + 1 : 0;
    if (streak >= Math.min(run, values.length)) return j - streak + 1;
  }
  return -1;
}

/**
 * Header candidates for one reading: lengths whose stored integers multiply to the remaining value
 * count (decisive), else where the leading values stop breaking the body's pattern (and, when zeros
 * follow, where the zero padding ends).
 */
export function headerOptions(lead: Uint8Array, size: number, r: Reading): HeaderOption[] {
  const s = valueSize(r.interp.dtype);
  const align = size % s;
  const out = new Map<number, HeaderOption>();
  const put = (bytes: number, score: number, why: string): void => {
    const prev = out.get(bytes);
    if (!prev || prev.score < score) out.set(bytes, { bytes, score, why });
  };
  const st = r.stats;
  const range = Math.max(st.max - st.min, 1e-300);
  const maxAbs = Math.max(Math.abs(st.min), Math.abs(st.max));
  const float = isFloat(r.interp.dtype);
  // Stored integers read as float32/64 are denormals. A normal value, however small, can be data: the
  // power of a near-silent frame (5e-26 in scipy's psd of speech that starts in silence) is not a header.
  const floor = Math.min(tinyNormal(r.interp.dtype) ?? 0, 1e-20);
  // A phase sample may miss the exact bound (π, 180, full scale) that DC runs sit on: allow the unit's bound.
  const bound = r.role === 'phase' ? phaseBound(r.interp.dtype, maxAbs) : maxAbs;
  const typical = (v: number): boolean => {
    if (!Number.isFinite(v)) return false;
    const a = Math.abs(v);
    if (float && v !== 0 && (a > 1e12 || a < floor)) return false;
    if (r.role === 'phase') return a <= bound;
    return v >= st.min - 0.25 * range && v <= st.max + 0.25 * range;
  };
  const values = decodeStream(lead, align, r.interp);
  const j0 = firstTypicalRun(values, typical, 32);
  let z = 0;
  while (j0 >= 0 && j0 + z < values.length && values[j0 + z] === 0) z++;
  // Where the body's first non-zero typical value sits: a header cannot end later than that.
  const settled = j0 >= 0 ? align + (j0 + z) * s : lead.length;
  for (const p of headerPairs(headerInts(lead))) {
    const h = size - p.product * s;
    if (h < p.end || h > HEADER_SCAN || h % s !== align || p.a.offset > 64) continue;
    // Dims must be followed by zero padding or by more of the header, not by data that looks like the body.
    if (h > settled && !lead.subarray(p.end, h).every((b) => b === 0)) continue;
    put(
      h,
      1,
      `the header stores ${p.a.value} × ${p.b.value} = ${p.product} (${p.a.encoding} at bytes ${p.a.offset}–${p.end}), exactly the values after ${h} bytes`,
    );
  }
  const dimsFound = out.size > 0;
  if (j0 >= 0) {
    const hBreak = align + j0 * s;
    // One leading value outside the body's range is as likely data as a header: the DC bin of a first
    // frame padded by reflection, or of audio with an offset, is often the file's largest value.
    const lone = j0 === 1;
    const hZero = hBreak + z * s;
    // Zeros pad a header only after something that is one: zeros from the first byte on are the body's own
    // (a block FFT of audio that starts in digital silence stores a whole first frame of exact zeros).
    const padded = hBreak > align && z > 0 && z * s >= 8 && hZero <= HEADER_SCAN;
    if (hBreak <= HEADER_SCAN) {
      // Most files have no header; one that nothing marks, forced only by the file size, is unlikely.
      const marked = hBreak > align;
      const why = marked
        ? `the first ${hBreak} bytes break the pattern of the body`
        : hBreak === 0
          ? 'no leading bytes break the pattern of the body'
          : `${hBreak} bytes before the data (the file size leaves them), nothing marks a header`;
      put(hBreak, dimsFound ? 0.03 : padded ? 0.35 : marked ? (lone ? LONE_BREAK : 0.6) : hBreak === 0 ? 0.9 : 0.15, why);
    }
    if (padded) put(hZero, dimsFound ? 0.03 : 0.6, `the leading ${hBreak} bytes break the pattern and zero padding runs to byte ${hZero}`);
    if (hBreak > align) put(align, lone && !padded ? LONE_BREAK : 0.03, 'no header (though the leading values look unlike the body)');
  } else {
    put(align, dimsFound ? 0.03 : 0.3, 'no header found (the leading bytes never settle into the body pattern)');
  }
  return [...out.values()].sort((a, b) => b.score - a.score);
}
