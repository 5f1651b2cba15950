import type { Dtype, Endian } from '../../config/types.js';
import { InputError } from '../../errors.js';
import { valueBytes } from '../dtype.js';
import { RawFileSource, type ValueSource } from '../source.js';
import { dataView, FileBytes, withFile } from './fileio.js';
import { BytesSource } from './sources.js';
import { type ArrayEntry, type ContainerInfo, shapeCount, shapeText } from './types.js';
import { checkedPairs, pairedComplex, pairedNote } from './complex-pairs.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy itself refuses headers over 10000 bytes by default; allow more, but bounded. */
const MAX_HEADER_BYTES = 1 << 20;

export interface NpyHeader {
  dtype: Dtype;
  endian: Endian;
  shape: number[];
  order: 'C' | 'F';
  /** Bytes from the start of the .npy stream to its data. */
  headerBytes: number;
  count: number;
  /** Set when the stored type maps onto a Dtype with a caveat (bool read as uint8, (re, im) pairs as complex). */
  note: string | null;
  /** Whether a last axis of 2 reals is read as complex (complex-pairs.ts). */
  paired: boolean;
}

export function hasNpyMagic(b: Uint8Array): boolean {
  return NPY_MAGIC.every((v, i) => b[i] === v);
}

/**
 * Total header length (magic + version + length field + dict) from the first 12 bytes of a .npy
 * stream, so a caller can fetch exactly that much.
 */
export function npyHeaderLength(prefix: Uint8Array, file: string, what: string): number {
  if (prefix.length < 10 || !hasNpyMagic(prefix)) throw new InputError(file, `${what}: not a .npy stream (bad magic)`);
  const major = prefix[6];
  const dv = dataView(prefix);
  if (major === 1) return 10 + dv.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new InputError(file, `${what}: .npy header truncated`);
    const len = dv.getUint32(8, true);
    if (len > MAX_HEADER_BYTES) throw new InputError(file, `${what}: .npy header claims ${len} bytes (limit ${MAX_HEADER_BYTES})`);
    return 12 + len;
  }
  throw new InputError(file, `${what}: unsupported .npy version ${major}.${prefix[7]}`);
}

const KINDS: Record<string, Partial<Record<number, Dtype>>> = {
  f: { 2: 'float16', 4: 'float32', 8: 'float64' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32' },
  c: { 8: 'complex64', 16: 'complex128' },
  b: { 1: 'uint8' },
};

function parseDescr(descr: string, file: string, what: string): { dtype: Dtype; endian: Endian; note: string | null } {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const dtype = m ? KINDS[m[2]]?.[Number(m[3])] : undefined;
  if (!m || !dtype) {
    throw new InputError(file, `${what}: numpy dtype '${descr}' is not supported (need float16/32/64, (u)int8/16/32, complex64/128)`);
  }
  // '=' is native order; numpy writes it only on the host that made the file, practically little-endian.
  const endian: Endian = m[1] === '>' ? 'big' : 'little';
  return { dtype, endian, note: m[2] === 'b' ? `numpy bool array read as uint8` : null };
}

/** Parse a complete .npy header (`bytes` holds at least `npyHeaderLength` bytes). */
export function parseNpyHeader(bytes: Uint8Array, file: string, what: string): NpyHeader {
  const headerBytes = npyHeaderLength(bytes, file, what);
  if (bytes.length < headerBytes) throw new InputError(file, `${what}: .npy header truncated (${bytes.length} of ${headerBytes} bytes)`);
  const start = bytes[6] === 1 ? 10 : 12;
  // Version 3 headers are UTF-8; 1 and 2 are latin1. The fields we read are ASCII either way.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerBytes - start).toString('latin1');
  if (!text.trimStart().startsWith('{')) throw new InputError(file, `${what}: .npy header is not a dict`);
  const descrList = /['"]descr['"]\s*:\s*\[/.test(text);
  if (descrList) throw new InputError(file, `${what}: numpy structured dtype is not supported`);
  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shapeM) {
    throw new InputError(file, `${what}: .npy header lacks ${!descr ? "'descr'" : !fortran ? "'fortran_order'" : "'shape'"}`);
  }
  const parsed = parseDescr(descr[2], file, what);
  const { endian } = parsed;
  let { dtype, note } = parsed;
  let shape: number[] = [];
  for (const tok of shapeM[1].split(',')) {
    const t = tok.trim();
    if (t === '') continue;
    if (!/^\d{1,16}L?$/.test(t)) throw new InputError(file, `${what}: bad .npy shape (${shapeM[1]})`);
    shape.push(Number.parseInt(t, 10));
  }
  const order = fortran[1] === 'True' ? 'F' : 'C';
  const paired = pairedComplex(dtype, shape, order);
  if (paired) {
    note = pairedNote(what, shape);
    ({ dtype, shape } = paired);
  }
  const count = shapeCount(shape);
  if (!Number.isSafeInteger(count * valueBytes(dtype))) {
    throw new InputError(file, `${what}: .npy shape ${shapeText(shape)} is impossibly large`);
  }
  return { dtype, endian, shape, order, headerBytes, count, note, paired: paired !== null };
}

/** Check that a header's values fit in the `available` bytes that follow it. */
export function checkNpyFits(h: NpyHeader, available: number, file: string, what: string): void {
  const need = h.count * valueBytes(h.dtype);
  if (need > available) {
    throw new InputError(
      file,
      `${what}: header claims shape ${shapeText(h.shape)} ${h.dtype} = ${need} bytes but only ${available} bytes follow the header (truncated?)`,
    );
  }
}

function readNpyHeader(fb: FileBytes): NpyHeader {
  const first = fb.readUpTo(0, 12);
  const len = npyHeaderLength(first, fb.file, 'npy');
  const h = parseNpyHeader(fb.read(0, len, '.npy header'), fb.file, 'npy');
  checkNpyFits(h, fb.size - h.headerBytes, fb.file, 'npy');
  return h;
}

export function npyEntry(h: NpyHeader, name: string | null, dataOffset: number | null): ArrayEntry {
  return { name, dtype: h.dtype, endian: h.endian, shape: h.shape, order: h.order, dataOffset };
}

/** The source of an array's values: paired ones checked to be (re, im) (complex-pairs.ts). */
export function npySource(source: ValueSource, h: NpyHeader): ValueSource {
  return h.paired ? checkedPairs(source) : source;
}

export function sniffNpy(file: string): ContainerInfo {
  return withFile(file, (fb) => {
    const h = readNpyHeader(fb);
    // Pairs that are (magnitude, phase) are refused here, before any reading is tried on them.
    if (h.paired) npySource(new RawFileSource(file, h.dtype, h.endian, h.headerBytes, h.count), h).close();
    const notes = [`npy v${fb.readUpTo(6, 2).join('.')} header, ${h.headerBytes} bytes`];
    if (h.note) notes.push(h.note);
    const extra = fb.size - h.headerBytes - h.count * valueBytes(h.dtype);
    if (extra > 0) notes.push(`${extra} bytes after the array data (ignored)`);
    return { format: 'npy', arrays: [npyEntry(h, null, h.headerBytes)], notes };
  });
}

export function openNpy(file: string): { source: ValueSource; entry: ArrayEntry } {
  const h = withFile(file, readNpyHeader);
  return { source: npySource(new RawFileSource(file, h.dtype, h.endian, h.headerBytes, h.count), h), entry: npyEntry(h, null, h.headerBytes) };
}

/** An in-memory .npy stream (an inflated npz member). */
export function npyFromBytes(file: string, bytes: Uint8Array, what: string): { source: ValueSource; header: NpyHeader } {
  const h = parseNpyHeader(bytes, file, what);
  checkNpyFits(h, bytes.length - h.headerBytes, file, what);
  return { source: npySource(new BytesSource(file, bytes.subarray(h.headerBytes), h.dtype, h.endian, h.count), h), header: h };
}
