import type { Dtype, Endian, RealDtype } from '../../config/types.js';
import { InputError } from '../../errors.js';
import { valueBytes } from '../dtype.js';
import { RawFileSource, type ValueSource } from '../source.js';
import { type ByteReader, dataView, type FileBytes, inflateExact, inflatePrefix, MAX_DEFLATE_RATIO, MemBytes, withFile } from './fileio.js';
import { BytesSource, SplitComplexSource } from './sources.js';
import { type ArrayEntry, type ContainerInfo, shapeCount } from './types.js';

/** MAT v5 (and v6/v7, which share it): a 128-byte text header, then tagged data elements. */
const MAT5_TEXT = 'MATLAB 5.0 MAT-file';
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
/** Storage types of numeric data (miINT8..miDOUBLE); 12/13 are 64-bit integers, not read. */
const MI_DTYPE: Partial<Record<number, RealDtype>> = {
  1: 'int8',
  2: 'uint8',
  3: 'int16',
  4: 'uint16',
  5: 'int32',
  6: 'uint32',
  7: 'float32',
  9: 'float64',
};
const MX_NAMES: Record<number, string> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse matrix',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
  16: 'function handle',
  17: 'opaque',
};
const MX_DOUBLE = 6;
const MX_SINGLE = 7;
const MX_UINT32 = 13;
const MX_OPAQUE = 17;
/** The dtype each numeric class stores natively (MATLAB may use a smaller one per variable). */
const CLASS_DTYPE: Partial<Record<number, RealDtype>> = {
  6: 'float64',
  7: 'float32',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
};
/** MATLAB's subsystem data (function handles, objects): a uint8 matrix with this or an empty name. */
const SUBSYSTEM_NAMES = new Set(['', '__function_workspace__']);
const MAX_ELEMENTS = 100_000;
const MAX_RANK = 32;
/** Compressed bytes inflated to read a variable's header (its name, dims and type come first). */
const HEADER_PROBES = [4096, 64 * 1024];

/** The v5 header text, or any 'MATLAB...' text with the v5 version word (0x0100; v7.3 has 0x0200). */
export function isMat5(prefix: Uint8Array): boolean {
  if (prefix.length < 128) return false;
  const text = Buffer.from(prefix.buffer, prefix.byteOffset, 116).toString('latin1');
  if (text.startsWith(MAT5_TEXT)) return true;
  const ind = String.fromCharCode(prefix[126], prefix[127]);
  const version = dataView(prefix).getUint16(124, ind === 'IM');
  return text.startsWith('MATLAB') && (ind === 'IM' || ind === 'MI') && version === 0x0100;
}

interface Tag {
  type: number;
  nbytes: number;
  data: number;
  /** Offset of the next element (8-byte aligned except after a compressed element). */
  next: number;
}

function readTag(r: ByteReader, p: number, end: number, le: boolean, what: string): Tag {
  if (p + 8 > end) throw new InputError(r.file, `${what}: element tag at byte ${p} runs past its container (byte ${end})`);
  const dv = dataView(r.read(p, 8, what));
  const first = dv.getUint32(0, le);
  if (first >>> 16 !== 0) {
    // Small data element: type and size share the first word, data in the second.
    const nbytes = first >>> 16;
    if (nbytes > 4) throw new InputError(r.file, `${what}: small data element at byte ${p} claims ${nbytes} bytes`);
    return { type: first & 0xffff, nbytes, data: p + 4, next: p + 8 };
  }
  const nbytes = dv.getUint32(4, le);
  if (p + 8 + nbytes > end) {
    throw new InputError(r.file, `${what}: element at byte ${p} claims ${nbytes} bytes, past its container (byte ${end})`);
  }
  return { type: first, nbytes, data: p + 8, next: p + 8 + nbytes + ((8 - (nbytes % 8)) % 8) };
}

interface Part {
  dtype: RealDtype;
  offset: number;
}

/** A variable that is not read, and why. */
interface SkippedHeader {
  name: string;
  skip: string;
}

interface NumericHeader {
  name: string;
  skip: null;
  klass: number;
  complex: boolean;
  dims: number[];
  real: Part;
  /** null when not complex or (sniffing a compressed prefix) not reached. */
  imag: Part | null;
}

type MatHeader = SkippedHeader | NumericHeader;

/** A numeric part (real or imaginary): its storage type must hold exactly `count` values. */
function readPart(r: ByteReader, p: number, end: number, le: boolean, count: number, what: string): { part: Part; next: number } {
  const tag = readTag(r, p, end, le, what);
  const dtype = MI_DTYPE[tag.type];
  if (!dtype) throw new InputError(r.file, `${what}: data stored as MAT type ${tag.type} (64-bit or unknown) is not supported`);
  if (tag.nbytes !== count * valueBytes(dtype)) {
    throw new InputError(r.file, `${what}: ${tag.nbytes} data bytes for ${count} ${dtype} values`);
  }
  return { part: { dtype, offset: tag.data }, next: tag.next };
}

/**
 * The header of a miMATRIX element whose content spans [start, end): flags, dims, name, then the
 * real (and, if `withImag`, imaginary) part's type and offset. Reads only tags, never the data.
 */
function readMatrixHeader(r: ByteReader, start: number, end: number, le: boolean, withImag: boolean, label: string): MatHeader {
  const flagsTag = readTag(r, start, end, le, label);
  if (flagsTag.type !== 6 || flagsTag.nbytes !== 8) throw new InputError(r.file, `${label}: bad array flags element`);
  const flags = dataView(r.read(flagsTag.data, 4, label)).getUint32(0, le);
  const klass = flags & 0xff;
  const complex = (flags & 0x800) !== 0;
  if (klass === MX_OPAQUE) {
    // MATLAB objects (string, table, ...) have no dims element: the name follows the flags.
    const nameTag = readTag(r, flagsTag.next, end, le, label);
    const name = nameTag.type === 1 ? Buffer.from(r.read(nameTag.data, nameTag.nbytes, label)).toString('utf8') : '?';
    return { name, skip: 'is a MATLAB object' };
  }
  const dimsTag = readTag(r, flagsTag.next, end, le, label);
  if (dimsTag.type !== 5 || dimsTag.nbytes % 4 !== 0 || dimsTag.nbytes < 8 || dimsTag.nbytes > 4 * MAX_RANK) {
    throw new InputError(r.file, `${label}: bad dimensions element`);
  }
  const ddv = dataView(r.read(dimsTag.data, dimsTag.nbytes, label));
  const dims: number[] = [];
  for (let i = 0; i < dimsTag.nbytes; i += 4) {
    const d = ddv.getInt32(i, le);
    if (d < 0) throw new InputError(r.file, `${label}: negative dimension ${d}`);
    dims.push(d);
  }
  const nameTag = readTag(r, dimsTag.next, end, le, label);
  if (nameTag.type !== 1 || nameTag.nbytes > 4096) throw new InputError(r.file, `${label}: bad array name element`);
  const name = Buffer.from(r.read(nameTag.data, nameTag.nbytes, label)).toString('utf8');
  const kind = MX_NAMES[klass] ?? `class ${klass}`;
  const count = shapeCount(dims);
  if (SUBSYSTEM_NAMES.has(name)) return { name, skip: 'is MATLAB subsystem data' };
  if (klass < MX_DOUBLE) return { name, skip: `is a ${kind}` };
  if (klass > MX_UINT32) return { name, skip: `has class ${kind} (not supported)` };
  if (count === 0) return { name, skip: 'is empty' };
  const what = `MAT variable "${name}"`;
  const real = readPart(r, nameTag.next, end, le, count, what);
  const imag = complex && withImag ? readPart(r, real.next, end, le, count, `${what} (imaginary part)`).part : null;
  return { name, skip: null, klass, complex, dims, real: real.part, imag };
}

function classDtype(h: NumericHeader): Dtype {
  if (h.complex) return h.klass === MX_SINGLE ? 'complex64' : 'complex128';
  // The real part's storage type: MATLAB may store a double array as uint8/int16 when the values fit.
  return h.real.dtype;
}

interface MatVar<H extends MatHeader = MatHeader> {
  header: H;
  compressed: boolean;
  /** Tag offset and size of the top-level element. */
  tag: Tag;
}

function readHeaderBlock(fb: FileBytes): boolean {
  const head = fb.read(0, 128, 'MAT header');
  const ind = String.fromCharCode(head[126], head[127]);
  if (ind !== 'IM' && ind !== 'MI') throw new InputError(fb.file, `MAT header has endian indicator "${ind}", expected IM or MI`);
  return ind === 'IM';
}

/** A compressed element's variable header, from a bounded prefix of its zlib stream. */
function compressedHeader(fb: FileBytes, tag: Tag, le: boolean): { header: MatHeader; innerBytes: number } {
  const label = `compressed MAT element at byte ${tag.data - 8}`;
  for (const probeLen of HEADER_PROBES) {
    const probe = Math.min(tag.nbytes, probeLen);
    const head = inflatePrefix(fb.file, fb.read(tag.data, probe, label), true, label);
    try {
      const mem = new MemBytes(fb.file, head, label);
      const inner = readTag(mem, 0, Number.MAX_SAFE_INTEGER, le, label);
      if (inner.type !== MI_MATRIX) throw new InputError(fb.file, `${label} holds MAT type ${inner.type}, not a matrix`);
      if (inner.nbytes > tag.nbytes * MAX_DEFLATE_RATIO + 1024) {
        throw new InputError(fb.file, `${label} declares ${inner.nbytes} bytes, more than its ${tag.nbytes} compressed bytes can hold`);
      }
      // Parts are checked against the declared size; only their tags need to be in the prefix.
      return { header: readMatrixHeader(mem, 8, 8 + inner.nbytes, le, false, label), innerBytes: inner.nbytes };
    } catch (e) {
      if (probe === tag.nbytes || probeLen === HEADER_PROBES[HEADER_PROBES.length - 1] || !(e instanceof InputError)) throw e;
    }
  }
  throw new InputError(fb.file, `${label}: header not found`);
}

function scan(fb: FileBytes, notes: string[] | null): MatVar[] {
  const le = readHeaderBlock(fb);
  const vars: MatVar[] = [];
  let p = 128;
  for (let n = 0; p + 8 <= fb.size; n++) {
    if (n >= MAX_ELEMENTS) {
      notes?.push(`more than ${MAX_ELEMENTS} MAT elements: the rest ignored`);
      break;
    }
    const tag = readTag(fb, p, fb.size, le, 'MAT file');
    if (tag.type === MI_MATRIX) {
      const header = readMatrixHeader(fb, tag.data, tag.data + tag.nbytes, le, true, `MAT element at byte ${p}`);
      vars.push({ header, compressed: false, tag });
    } else if (tag.type === MI_COMPRESSED) {
      vars.push({ header: compressedHeader(fb, tag, le).header, compressed: true, tag });
      // Compressed elements are not padded to 8 bytes.
      tag.next = tag.data + tag.nbytes;
    } else if (tag.type !== 0 || tag.nbytes !== 0) {
      notes?.push(`MAT element of type ${tag.type} at byte ${p} skipped`);
    }
    p = Math.min(tag.next, fb.size);
  }
  return vars;
}

function entryOf(v: MatVar<NumericHeader>, endian: Endian, dataOffset: number | null): ArrayEntry {
  return { name: v.header.name, dtype: classDtype(v.header), endian, shape: v.header.dims, order: 'F', dataOffset };
}

function fileEndian(fb: FileBytes): Endian {
  return readHeaderBlock(fb) ? 'little' : 'big';
}

export function sniffMat5(file: string): ContainerInfo {
  return withFile(file, (fb) => {
    const endian = fileEndian(fb);
    const notes: string[] = [`MAT v5 file, ${endian}-endian`];
    const arrays: ArrayEntry[] = [];
    for (const v of scan(fb, notes)) {
      const h = v.header;
      const label = `MAT variable "${h.name}"`;
      if (h.skip !== null) {
        notes.push(`${h.name === '' ? 'unnamed MAT variable' : label} ${h.skip}: skipped`);
        continue;
      }
      const plain = !v.compressed && !h.complex;
      arrays.push(entryOf({ ...v, header: h }, endian, plain ? h.real.offset : null));
      const stored = h.real.dtype === CLASS_DTYPE[h.klass] ? '' : `, stored as ${h.real.dtype}`;
      notes.push(`${label} ${MX_NAMES[h.klass]}${h.complex ? ' complex' : ''} ${h.dims.join('x')}, ${v.compressed ? 'compressed' : 'uncompressed'}${stored}`);
    }
    if (arrays.length === 0) throw new InputError(file, 'MAT file without numeric arrays');
    return { format: 'mat', arrays, notes };
  });
}

export function openMat5(file: string, name: string): { source: ValueSource; entry: ArrayEntry } {
  const found = withFile(file, (fb) => {
    const endian = fileEndian(fb);
    const le = endian === 'little';
    const v = scan(fb, null).find((x) => x.header.name === name && x.header.skip === null);
    if (!v || v.header.skip !== null) throw new InputError(file, `MAT file has no numeric variable "${name}"`);
    if (!v.compressed) return { v: { ...v, header: v.header }, endian, mem: null };
    const label = `compressed MAT variable "${name}"`;
    const { innerBytes } = compressedHeader(fb, v.tag, le);
    const bytes = inflateExact(file, fb.read(v.tag.data, v.tag.nbytes, label), true, 8 + innerBytes, label, 8);
    const mem = new MemBytes(file, bytes, label);
    const header = readMatrixHeader(mem, 8, 8 + innerBytes, le, true, label);
    if (header.skip !== null) throw new InputError(file, `${label} ${header.skip}`);
    return { v: { ...v, header }, endian, mem };
  });
  const { v, endian, mem } = found;
  const h = v.header;
  const count = shapeCount(h.dims);
  const part = (p: Part): ValueSource =>
    mem
      ? new BytesSource(file, mem.bytes.subarray(p.offset, p.offset + count * valueBytes(p.dtype)), p.dtype, endian, count)
      : new RawFileSource(file, p.dtype, endian, p.offset, count);
  const real = part(h.real);
  let source = real;
  if (h.complex) {
    if (!h.imag) throw new InputError(file, `MAT variable "${name}" lacks its imaginary part`);
    source = new SplitComplexSource(file, real, part(h.imag));
  }
  return { source, entry: entryOf(v, endian, !mem && !h.complex ? h.real.offset : null) };
}
