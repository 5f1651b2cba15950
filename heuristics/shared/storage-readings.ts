import { BYTES_PER_ELEMENT, type Dtype, type Endian, type RealDtype } from '../../src/config/types.js';
import { componentDtype, decodeComponents } from '../../src/io/dtype.js';

/**
 * Shared measurements for the storage analyzers (DESIGN 4.2): decoding a byte sample under a numeric
 * interpretation, the statistics that separate a right interpretation from a wrong one, and the small
 * integers a hand-written header stores (the dims).
 */

/** The storage fields of both files as analyzers name them ('magnitudeFile.dtype', ...). */
export function storageFields(parts: readonly string[]): string[] {
  return ['magnitudeFile', 'phaseFile'].flatMap((f) => parts.map((p) => `${f}.${p}`));
}

/** One way to read bytes as numbers. 1-byte types have no endianness: they are listed once, as 'little'. */
export interface Interpretation {
  dtype: Dtype;
  endian: Endian;
}

/** Bytes per stored value (a complex value counts once, as in FileStorage). */
export function valueSize(d: Dtype): number {
  return BYTES_PER_ELEMENT[d];
}

export function interpretations(dtypes: readonly Dtype[]): Interpretation[] {
  const out: Interpretation[] = [];
  for (const dtype of dtypes) {
    out.push({ dtype, endian: 'little' });
    if (BYTES_PER_ELEMENT[componentDtype(dtype)] > 1) out.push({ dtype, endian: 'big' });
  }
  return out;
}

export function label(i: Interpretation): string {
  return BYTES_PER_ELEMENT[componentDtype(i.dtype)] > 1 ? `${i.dtype} ${i.endian}` : i.dtype;
}

/**
 * Decode whole components of `bytes` starting at byte `skip` (complex types decode as their
 * interleaved real components: the statistics below look at the component stream).
 */
export function decodeStream(bytes: Uint8Array, skip: number, i: Interpretation): Float64Array {
  const comp: RealDtype = componentDtype(i.dtype);
  const size = BYTES_PER_ELEMENT[comp];
  const n = Math.max(0, Math.floor((bytes.length - skip) / size));
  const out = new Float64Array(n);
  if (n > 0) decodeComponents(bytes.subarray(skip, skip + n * size), comp, i.endian, n, out);
  return out;
}

/** Smallest normal number of each float type (below it: denormals). */
const TINY_NORMAL: Partial<Record<RealDtype, number>> = {
  float16: 6.103515625e-5,
  float32: 1.1754943508222875e-38,
  float64: 2.2250738585072014e-308,
};

/** Smallest normal magnitude of a float type (undefined for integers): below it lie denormals, what small integers read as floats look like. */
export function tinyNormal(d: Dtype): number | undefined {
  return TINY_NORMAL[componentDtype(d)];
}

export function isFloat(d: Dtype): boolean {
  return componentDtype(d).startsWith('float');
}

/** What a sample of decoded values looks like; every fraction is over all values of the sample. */
export interface StreamStats {
  /** Values in the sample (non-finite ones included). */
  count: number;
  nonFinite: number;
  /**
   * Non-zero values below the normal range of a float type: float32/64 data never lands there; float16
   * power spectra do (callers weigh that).
   */
  denormal: number;
  /** |v| > 1e12 or 0 < |v| < 1e-20: what random exponent bits produce, never STFT values. */
  wild: number;
  zeros: number;
  negative: number;
  /** Robust range: the 0.5 % and 99.5 % quantiles of the finite values, and the extremes. */
  lo: number;
  hi: number;
  min: number;
  max: number;
  median: number;
  /** 10 %–90 % spread of log2|v| over non-zero finite values (binary orders of magnitude). */
  exponentSpread: number;
  /**
   * Rank roughness: mean |rank(v[i+1]) − rank(v[i])| between neighbours, over its value for unrelated
   * values (n/3). About 1 for noise, well below for data that varies smoothly along the stream; it is
   * blind to monotone transforms, which is why it is paired with the range tests.
   */
  roughness: number;
  /** Fraction of neighbour pairs (both non-zero) with opposite signs: 0.5 for re/im streams. */
  signFlips: number;
  /** Largest empty stretch between sorted finite values, over the robust range (a sign misread leaves a hole). */
  gap: number;
}

/**
 * Statistics of `chunks` (decoded runs of consecutive values; neighbours are only taken inside a chunk).
 * `dtype` tells which float limits apply.
 */
export function streamStats(chunks: readonly Float64Array[], dtype: Dtype): StreamStats {
  let count = 0;
  for (const c of chunks) count += c.length;
  const tiny = tinyNormal(dtype);
  const finite = new Float64Array(count);
  const logs = new Float64Array(count);
  let nf = 0;
  let nLog = 0;
  let nonFinite = 0;
  let denormal = 0;
  let wild = 0;
  let zeros = 0;
  let negative = 0;
  let flips = 0;
  let pairs = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      if (!Number.isFinite(v)) {
        nonFinite++;
        continue;
      }
      finite[nf++] = v;
      const a = Math.abs(v);
      if (v === 0) zeros++;
      else {
        logs[nLog++] = Math.log2(a);
        if (tiny !== undefined && (a > 1e12 || a < 1e-20)) wild++;
        if (tiny !== undefined && a < tiny) denormal++;
      }
      if (v < 0) negative++;
      if (i > 0 && v !== 0 && c[i - 1] !== 0 && Number.isFinite(c[i - 1])) {
        pairs++;
        if (v < 0 !== c[i - 1] < 0) flips++;
      }
    }
  }
  const sorted = finite.slice(0, nf).sort();
  const q = (p: number): number => (nf === 0 ? 0 : sorted[Math.min(nf - 1, Math.max(0, Math.floor(p * (nf - 1))))]);
  const lo = q(0.005);
  const hi = q(0.995);
  let gap = 0;
  const range = hi - lo;
  if (range > 0) {
    for (let i = 1; i < nf; i++) {
      const a = sorted[i - 1];
      const b = sorted[i];
      if (a < lo || b > hi) continue;
      if (b - a > gap) gap = b - a;
    }
    gap /= range;
  }
  return {
    count,
    nonFinite: nonFinite / Math.max(1, count),
    denormal: denormal / Math.max(1, count),
    wild: wild / Math.max(1, count),
    zeros: zeros / Math.max(1, count),
    negative: negative / Math.max(1, count),
    lo,
    hi,
    min: nf ? sorted[0] : 0,
    max: nf ? sorted[nf - 1] : 0,
    median: q(0.5),
    exponentSpread: spread(logs.subarray(0, nLog)),
    // Readings that are mostly garbage need no smoothness measure (the costliest statistic).
    roughness: (wild + nonFinite) / Math.max(1, count) > 0.25 ? 1 : rankRoughness(chunks, sorted),
    signFlips: pairs ? flips / pairs : 0,
    gap,
  };
}

/** 10 %–90 % range of binary exponents, from a histogram (whole orders are precise enough). */
function spread(logs: Float64Array): number {
  if (logs.length === 0) return 0;
  const off = 1100;
  const hist = new Uint32Array(2 * off + 1);
  for (const l of logs) hist[Math.max(0, Math.min(2 * off, Math.floor(l) + off))]++;
  const at = (p: number): number => {
    const want = p * logs.length;
    let acc = 0;
    for (let i = 0; i < hist.length; i++) {
      acc += hist[i];
      if (acc >= want) return i - off;
    }
    return off;
  };
  return at(0.9) - at(0.1);
}

/** Mean neighbour rank distance over n/3 (the expectation for independent values); ties share a rank. */
function rankRoughness(chunks: readonly Float64Array[], sorted: Float64Array): number {
  const n = sorted.length;
  if (n < 16) return 1;
  // Binary search for the mid-rank of a value among the sorted finite values.
  const rankOf = (v: number): number => {
    let a = 0;
    let b = n;
    while (a < b) {
      const m = (a + b) >> 1;
      if (sorted[m] < v) a = m + 1;
      else b = m;
    }
    let c = a;
    let d = n;
    while (c < d) {
      const m = (c + d) >> 1;
      if (sorted[m] <= v) c = m + 1;
      else d = m;
    }
    return (a + c - 1) / 2;
  };
  let sum = 0;
  let pairs = 0;
  for (const c of chunks) {
    let prev = NaN;
    for (let i = 0; i < c.length; i++) {
      if (!Number.isFinite(c[i])) {
        prev = NaN;
        continue;
      }
      const r = rankOf(c[i]);
      if (!Number.isNaN(prev)) {
        sum += Math.abs(r - prev);
        pairs++;
      }
      prev = r;
    }
  }
  // Ties (quantised or constant data) shrink the expected distance too: measure it on the same ranks.
  let ref = 0;
  const step = Math.max(1, Math.floor(n / 2048));
  let refPairs = 0;
  for (let i = 0; i + step < n; i += step) {
    const j = (i * 7919 + 13) % n;
    ref += Math.abs(rankOf(sorted[i]) - rankOf(sorted[j]));
    refPairs++;
  }
  const expected = refPairs ? ref / refPairs : n / 3;
  return pairs && expected > 0 ? sum / pairs / expected : 1;
}

/**
 * How far phase-like values are from uniform on their range: the Kolmogorov distance to the uniform
 * law on [−M, M] or [0, M] (whichever fits; M = max |v|), ignoring exact zeros and exact ±M (the DC and
 * Nyquist bins, and silence). STFT phases are close to uniform; misread bytes are not.
 */
export function uniformDistance(values: Float64Array, lo: number, hi: number): number {
  const buf = new Float64Array(values.length);
  let n = 0;
  for (const v of values) if (v !== 0 && v > lo && v < hi) buf[n++] = v;
  if (n < 32 || !(hi > lo)) return 1;
  const xs = buf.subarray(0, n).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = (xs[i] - lo) / (hi - lo);
    d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
  }
  return d;
}

/** Chunks of a file sampled at evenly spread offsets in [from, size), each `bytes` long, 16-byte aligned. */
export interface ByteSample {
  offset: number;
  bytes: Uint8Array;
}

export function sampleBytes(read: (offset: number, length: number) => Uint8Array, size: number, from: number, chunks: number, bytes: number): ByteSample[] {
  const span = size - from;
  if (span <= 0) return [];
  if (span <= chunks * bytes) return [{ offset: from, bytes: read(from, span) }];
  const out: ByteSample[] = [];
  for (let i = 0; i < chunks; i++) {
    const at = from + Math.floor(((span - bytes) * i) / Math.max(1, chunks - 1));
    const aligned = at - (at % 16);
    out.push({ offset: aligned, bytes: read(aligned, bytes) });
  }
  return out;
}

/**
 * The byte windows of a sample that hold whole values starting on offsets ≡ `align` (mod the value
 * size), at most `maxValues` components in all (narrow types would otherwise give many more values
 * than wide ones). Complex types keep whole (re, im) pairs.
 */
export function sampleWindows(sample: readonly ByteSample[], i: Interpretation, align: number, maxValues: number): Uint8Array[] {
  const size = BYTES_PER_ELEMENT[componentDtype(i.dtype)];
  const step = valueSize(i.dtype);
  const per = Math.max(16, Math.floor(maxValues / Math.max(1, sample.length)));
  const take = Math.max(step, Math.floor((per * size) / step) * step);
  return sample.map((s, n) => {
    // The first whole value at or after the chunk start whose offset is ≡ align (mod the stored value size).
    const first = (((align - s.offset) % step) + step) % step;
    const whole = Math.floor((s.bytes.length - first) / step) * step;
    // The last chunk is read from its end, where a bin-major file keeps its Nyquist run.
    const from = n === sample.length - 1 && n > 0 ? first + Math.max(0, whole - take) : first;
    return s.bytes.subarray(from, from + Math.min(take, Math.max(0, whole - (from - first))));
  });
}

export function decodeWindows(windows: readonly Uint8Array[], i: Interpretation): Float64Array[] {
  return windows.map((w) => decodeStream(w, 0, i));
}

/**
 * Fraction of multi-byte values (neither 0 nor −1) whose least significant byte is 0x00 or 0xFF.
 * Small integers read with the wrong byte order put their sign-extension byte there; real data
 * (integers of any size, float mantissas) has a busy low byte.
 */
export function lowByteSaturation(windows: readonly Uint8Array[], i: Interpretation): number {
  const size = BYTES_PER_ELEMENT[componentDtype(i.dtype)];
  if (size === 1) return 0;
  const lowAt = i.endian === 'little' ? 0 : size - 1;
  let n = 0;
  let sat = 0;
  for (const w of windows) {
    for (let o = 0; o + size <= w.length; o += size) {
      let all0 = true;
      let allF = true;
      for (let b = 0; b < size; b++) {
        if (w[o + b] !== 0) all0 = false;
        if (w[o + b] !== 0xff) allF = false;
      }
      if (all0 || allF) continue;
      n++;
      const low = w[o + lowAt];
      if (low === 0 || low === 0xff) sat++;
    }
  }
  return n ? sat / n : 0;
}

/** An integer a header states: where, how it was encoded, and its value. */
export interface HeaderInt {
  offset: number;
  width: number;
  encoding: string;
  value: number;
}

const INT_ENCODINGS: { name: string; width: number; get(dv: DataView, o: number): number }[] = [
  { name: 'uint32 little', width: 4, get: (dv, o) => dv.getUint32(o, true) },
  { name: 'uint32 big', width: 4, get: (dv, o) => dv.getUint32(o, false) },
  { name: 'uint16 little', width: 2, get: (dv, o) => dv.getUint16(o, true) },
  { name: 'uint16 big', width: 2, get: (dv, o) => dv.getUint16(o, false) },
  { name: 'int64 little', width: 8, get: (dv, o) => Number(dv.getBigUint64(o, true)) },
  { name: 'int64 big', width: 8, get: (dv, o) => Number(dv.getBigUint64(o, false)) },
  { name: 'float64 little', width: 8, get: (dv, o) => dv.getFloat64(o, true) },
  { name: 'float64 big', width: 8, get: (dv, o) => dv.getFloat64(o, false) },
  { name: 'float32 little', width: 4, get: (dv, o) => dv.getFloat32(o, true) },
  { name: 'float32 big', width: 4, get: (dv, o) => dv.getFloat32(o, false) },
];

/** Header fields are looked for in the first bytes only: dims come first in every ad-hoc format seen. */
const HEADER_SCAN_BYTES = 256;

/**
 * Integers ≥ 2 stored at aligned offsets of the first `HEADER_SCAN_BYTES` bytes, under each common
 * encoding (u16/u32/u64 both endians, integral float32/float64).
 */
export function headerInts(bytes: Uint8Array): HeaderInt[] {
  const n = Math.min(bytes.length, HEADER_SCAN_BYTES);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  const out: HeaderInt[] = [];
  for (const e of INT_ENCODINGS) {
    for (let o = 0; o + e.width <= n; o += e.width) {
      const v = e.get(dv, o);
      if (Number.isInteger(v) && v >= 2 && v < 2 ** 31) out.push({ offset: o, width: e.width, encoding: e.name, value: v });
    }
  }
  return out;
}

/** Two consecutive integers of one encoding: what "frames, bins" (or "rows, cols") headers look like. */
export interface HeaderPair {
  a: HeaderInt;
  b: HeaderInt;
  product: number;
  /** Bytes up to the end of the pair: the header is at least this long. */
  end: number;
}

export function headerPairs(ints: readonly HeaderInt[]): HeaderPair[] {
  const byKey = new Map<string, HeaderInt>();
  for (const x of ints) byKey.set(`${x.encoding}@${x.offset}`, x);
  const out: HeaderPair[] = [];
  for (const a of ints) {
    const b = byKey.get(`${a.encoding}@${a.offset + a.width}`);
    if (b) out.push({ a, b, product: a.value * b.value, end: b.offset + b.width });
  }
  return out;
}
