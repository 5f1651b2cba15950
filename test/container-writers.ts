import { deflateSync } from 'node:zlib';
import type { Endian } from '../src/config/types.js';
import { encodeValues } from '../src/io/dtype.js';

/** Container files written byte by byte as numpy and MATLAB write them, for tests that need exact control. */

/** A .npy stream (v1.0 header padded to 64 bytes) of float64/float32 values in the given order. */
export function npy(values: Float64Array, dtype: 'float32' | 'float64', endian: Endian, shape: [number, number], fortran: boolean): Uint8Array {
  const descr = `${endian === 'little' ? '<' : '>'}${dtype === 'float32' ? 'f4' : 'f8'}`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape[0]}, ${shape[1]}), }`;
  dict = dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const head = new Uint8Array(10 + dict.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, dict.length, true);
  head.set(Buffer.from(dict, 'latin1'), 10);
  const body = encodeValues(values, dtype, endian);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/**
 * A MAT v5 file (little-endian) holding one double matrix (rows × cols), column-major values; with
 * `compressed`, its element deflated in a miCOMPRESSED element, as MATLAB's and scipy's savemat(do_compression=True) write.
 */
export function mat5(name: string, values: Float64Array, rows: number, cols: number, compressed = false): Uint8Array {
  const pad8 = (n: number): number => Math.ceil(n / 8) * 8;
  const nameBytes = Buffer.from(name, 'latin1');
  const sub = 16 + 16 + 8 + pad8(nameBytes.length) + 8 + values.length * 8;
  const out = new Uint8Array(128 + 8 + sub);
  const dv = new DataView(out.buffer);
  out.set(Buffer.from('MATLAB 5.0 MAT-file, written by the spec-detect storage test'.padEnd(116, ' '), 'latin1'));
  dv.setUint16(124, 0x0100, true);
  out.set(Buffer.from('IM', 'latin1'), 126);
  let p = 128;
  const u32 = (v: number): void => {
    dv.setUint32(p, v, true);
    p += 4;
  };
  u32(14); // miMATRIX
  u32(sub);
  u32(6); // array flags (miUINT32, 8 bytes): class double
  u32(8);
  u32(6);
  u32(0);
  u32(5); // dims (miINT32)
  u32(8);
  u32(rows);
  u32(cols);
  u32(1); // name (miINT8)
  u32(nameBytes.length);
  out.set(nameBytes, p);
  p += pad8(nameBytes.length);
  u32(9); // real part (miDOUBLE)
  u32(values.length * 8);
  out.set(encodeValues(values, 'float64', 'little'), p);
  if (!compressed) return out;
  const z = deflateSync(out.subarray(128));
  const packed = new Uint8Array(128 + 8 + z.length);
  packed.set(out.subarray(0, 128));
  const pv = new DataView(packed.buffer);
  pv.setUint32(128, 15, true); // miCOMPRESSED
  pv.setUint32(132, z.length, true);
  packed.set(z, 136);
  return packed;
}
