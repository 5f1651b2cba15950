import { BYTES_PER_ELEMENT, type Dtype, type Endian, type RealDtype } from '../config/types.js';

export const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The real component type of a dtype (complex64 -> float32). */
export function componentDtype(d: Dtype): RealDtype {
  if (d === 'complex64') return 'float32';
  if (d === 'complex128') return 'float64';
  return d;
}

/** Decode one IEEE-754 binary16 value. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

let halfTable: Float64Array | null = null;
function getHalfTable(): Float64Array {
  if (!halfTable) {
    halfTable = new Float64Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i);
  }
  return halfTable;
}

/**
 * Decode `count` real components of type `dtype` from `bytes` (starting at byte 0) into `out[outOffset..]`,
 * taking every `stride`-th component (stride 2 picks re or im of interleaved complex data).
 * Typed-array views are used when alignment and host endianness allow; otherwise a byte swap into a
 * reusable scratch buffer: no per-value DataView calls on the hot path.
 */
export function decodeComponents(
  bytes: Uint8Array,
  dtype: RealDtype,
  endian: Endian,
  count: number,
  out: Float64Array,
  outOffset = 0,
  stride = 1,
  first = 0,
): void {
  const size = BYTES_PER_ELEMENT[dtype];
  const need = (first + (count - 1) * stride + 1) * size;
  if (count > 0 && bytes.byteLength < need) {
    throw new RangeError(`decodeComponents: need ${need} bytes, have ${bytes.byteLength}`);
  }
  let src = bytes;
  const swap = size > 1 && (endian === 'little') !== HOST_LITTLE;
  const aligned = bytes.byteOffset % size === 0;
  if (swap || !aligned) {
    src = scratchCopy(bytes, need, swap ? size : 1);
  }
  const n = count;
  const buf = src.buffer;
  const off = src.byteOffset;
  const len = need / size;
  switch (dtype) {
    case 'float64':
      copyStrided(new Float64Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'float32':
      copyStrided(new Float32Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'int8':
      copyStrided(new Int8Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'uint8':
      copyStrided(new Uint8Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'int16':
      copyStrided(new Int16Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'uint16':
      copyStrided(new Uint16Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'int32':
      copyStrided(new Int32Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'uint32':
      copyStrided(new Uint32Array(buf, off, len), out, outOffset, n, stride, first);
      return;
    case 'float16': {
      const t = getHalfTable();
      const u = new Uint16Array(buf, off, len);
      for (let i = 0, j = first; i < n; i++, j += stride) out[outOffset + i] = t[u[j]];
      return;
    }
  }
}

type NumericArray = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

function copyStrided(src: NumericArray, out: Float64Array, outOffset: number, n: number, stride: number, first: number): void {
  if (stride === 1) {
    // A native converting copy: an element loop here sees every array type and goes megamorphic.
    out.set(src.subarray(first, first + n), outOffset);
  } else {
    for (let i = 0, j = first; i < n; i++, j += stride) out[outOffset + i] = src[j];
  }
}

let scratch = new Uint8Array(0);
function scratchCopy(bytes: Uint8Array, need: number, swapSize: number): Uint8Array {
  if (scratch.byteLength < need) scratch = new Uint8Array(Math.max(need, scratch.byteLength * 2));
  const s = scratch;
  if (swapSize === 1) {
    s.set(bytes.subarray(0, need));
  } else {
    for (let i = 0; i < need; i += swapSize) {
      for (let b = 0; b < swapSize; b++) s[i + b] = bytes[i + swapSize - 1 - b];
    }
  }
  return s.subarray(0, need);
}

/** Encode float64 values into bytes of `dtype`/`endian` (used by sample generation and tests). */
export function encodeValues(values: ArrayLike<number>, dtype: Dtype, endian: Endian): Uint8Array {
  const comp = componentDtype(dtype);
  const size = BYTES_PER_ELEMENT[comp];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  const le = endian === 'little';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * size;
    switch (comp) {
      case 'float64':
        dv.setFloat64(o, v, le);
        break;
      case 'float32':
        dv.setFloat32(o, v, le);
        break;
      case 'float16':
        dv.setUint16(o, floatToHalf(v), le);
        break;
      case 'int8':
        dv.setInt8(o, clampInt(v, -128, 127));
        break;
      case 'uint8':
        dv.setUint8(o, clampInt(v, 0, 255));
        break;
      case 'int16':
        dv.setInt16(o, clampInt(v, -32768, 32767), le);
        break;
      case 'uint16':
        dv.setUint16(o, clampInt(v, 0, 65535), le);
        break;
      case 'int32':
        dv.setInt32(o, clampInt(v, -2147483648, 2147483647), le);
        break;
      case 'uint32':
        dv.setUint32(o, clampInt(v, 0, 4294967295), le);
        break;
    }
  }
  return out;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

/** Round-to-nearest-even float64 -> binary16 bits. */
export function floatToHalf(v: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** Bytes per stored value (a complex value counts once). */
export function valueBytes(d: Dtype): number {
  return BYTES_PER_ELEMENT[d];
}
