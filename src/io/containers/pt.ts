/**
 * torch.save files (PyTorch ≥ 1.6 zip format): `<stem>/data.pkl` describes the tensors (read by
 * pickle.ts, never executed), `<stem>/data/<key>` holds each storage's raw bytes, `<stem>/byteorder`
 * (torch ≥ 1.12) their byte order. A tensor is a view of its storage: offset, size and stride.
 *
 * The array is always given in C order of its shape, the axes as its maker typed them (DESIGN §1
 * layout). A C-contiguous view streams from disk where the member is stored (torch never compresses);
 * any other view is gathered into C order in memory, within the container memory cap, and its memory
 * order noted. torch.stft returns a transposed view (strides (1, bins)) and a magnitude/angle derived
 * from it is often contiguous again, so a pair saved from one STFT mixes both: recording F order per
 * file (as npy does) would ask one layout to describe two memory orders (measured on
 * kinds/torch-save-real-power: the phase was refused as "no real DC bins" under the magnitude's order).
 */
import { type Dtype, type Endian } from '../../config/types.js';
import { InputError } from '../../errors.js';
import { valueBytes } from '../dtype.js';
import { RawFileSource, type ValueSource } from '../source.js';
import { type FileBytes, inflateExact, MAX_INFLATED_BYTES, withFile } from './fileio.js';
import { MAX_PICKLE_BYTES, type PickleTensor, type PickleValue, readPickle } from './pickle.js';
import { BytesSource } from './sources.js';
import { type ArrayEntry, type ContainerInfo, shapeCount, shapeText } from './types.js';
import { checkedPairs, pairedComplex, pairedNote } from './complex-pairs.js';
import { memberDataOffset, readZipDirectory, type ZipMember } from './zip.js';

/** torch storage classes and the dtype of their elements; bool is read as uint8 (0/1). */
const STORAGE_DTYPES: Record<string, Dtype> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
  ShortStorage: 'int16',
  IntStorage: 'int32',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'uint8',
};

interface PtTensor {
  name: string | null;
  tensor: PickleTensor;
  dtype: Dtype;
  /** The storage's zip member and where its data starts in the file. */
  member: ZipMember;
  dataStart: number;
  /** Memory order of the view in the file, or null when its strides are neither C- nor F-contiguous. */
  order: 'C' | 'F' | null;
}

interface PtArchive {
  tensors: PtTensor[];
  endian: Endian;
  notes: string[];
}

/** Whether a zip's members are a torch.save archive (a data.pkl at the top of one folder). */
export function isTorchZip(members: readonly ZipMember[]): boolean {
  return members.some((m) => /^[^/]*\/?data\.pkl$/.test(m.name));
}

function memberBytes(fb: FileBytes, m: ZipMember, limit: number): Uint8Array {
  const what = `zip member "${m.name}"`;
  if (m.encrypted || (m.method !== 0 && m.method !== 8)) throw new InputError(fb.file, `${what} is encrypted or uses compression method ${m.method}`);
  if (m.uncompressedSize > limit) throw new InputError(fb.file, `${what} declares ${m.uncompressedSize} bytes, over the ${limit}-byte limit`);
  const raw = fb.read(memberDataOffset(fb, m), m.compressedSize, what);
  return m.method === 0 ? raw : inflateExact(fb.file, raw, false, m.uncompressedSize, what);
}

/** 'C' or 'F' when the strides walk the storage contiguously in that order (size-1 axes ignored). */
function memoryOrder(size: readonly number[], stride: readonly number[]): 'C' | 'F' | null {
  const contiguous = (axes: number[]): boolean => {
    let expect = 1;
    for (const i of axes) {
      if (size[i] === 1) continue;
      if (stride[i] !== expect) return false;
      expect *= size[i];
    }
    return true;
  };
  const axes = size.map((_, i) => i);
  if (contiguous([...axes].reverse())) return 'C';
  if (contiguous(axes)) return 'F';
  return null;
}

/** The tensors of the unpickled object: one tensor, or a dict (state_dict-like) / list of them. */
function namedTensors(root: PickleValue, notes: string[]): { name: string | null; tensor: PickleTensor }[] {
  const isTensor = (v: PickleValue): v is PickleTensor => typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'tensor';
  if (isTensor(root)) return [{ name: null, tensor: root }];
  const out: { name: string | null; tensor: PickleTensor }[] = [];
  let entries: [string, PickleValue][] = [];
  if (Array.isArray(root)) entries = root.map((v, i) => [String(i), v]);
  else if (typeof root === 'object' && root !== null && root.kind === 'dict')
    entries = root.entries.map(([k, v]) => [typeof k === 'string' ? k : String(k), v]);
  for (const [k, v] of entries) {
    if (isTensor(v)) out.push({ name: k, tensor: v });
    else notes.push(`entry "${k}" is not a tensor: skipped`);
  }
  return out;
}

function storageOf(file: string, t: PickleTensor): { cls: string; key: string; numel: number } {
  const v = t.storage.value;
  const bad = (): never => {
    throw new InputError(file, `torch pickle: persistent id is not ('storage', class, key, location, numel)`);
  };
  if (!Array.isArray(v) || v.length < 5 || v[0] !== 'storage') return bad();
  const [, cls, key, , numel] = v;
  if (typeof cls !== 'object' || cls === null || Array.isArray(cls) || cls.kind !== 'global' || typeof key !== 'string') return bad();
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return bad();
  return { cls: cls.name, key, numel };
}

function readArchive(fb: FileBytes): PtArchive {
  const file = fb.file;
  const members = readZipDirectory(fb);
  const pkl = members.filter((m) => /^[^/]*\/?data\.pkl$/.test(m.name));
  if (pkl.length !== 1) throw new InputError(file, `zip archive with ${pkl.length} data.pkl members: not a single torch.save file`);
  const prefix = pkl[0].name.slice(0, -'data.pkl'.length);
  const byName = new Map(members.map((m) => [m.name, m]));
  const notes: string[] = [`torch.save zip archive (folder "${prefix.replace(/\/$/, '')}")`];
  let endian: Endian = 'little';
  const bo = byName.get(`${prefix}byteorder`);
  if (bo) {
    const s = Buffer.from(memberBytes(fb, bo, 16))
      .toString('latin1')
      .trim();
    if (s !== 'little' && s !== 'big') throw new InputError(file, `torch byteorder member says "${s.slice(0, 20)}"`);
    endian = s;
  } else notes.push('no byteorder member (torch < 1.12): little-endian');
  const root = readPickle(file, memberBytes(fb, pkl[0], MAX_PICKLE_BYTES));
  const tensors: PtTensor[] = [];
  for (const { name, tensor } of namedTensors(root, notes)) {
    const label = name === null ? 'tensor' : `tensor "${name}"`;
    const { cls, key, numel } = storageOf(file, tensor);
    const dtype = STORAGE_DTYPES[cls];
    if (!dtype) {
      throw new InputError(file, `${label}: torch ${cls} is not supported (need float16/32/64, complex64/128, int8/16/32, uint8, bool)`);
    }
    if (cls === 'BoolStorage') notes.push(`${label}: torch bool read as uint8`);
    const member = byName.get(`${prefix}data/${key}`);
    if (!member) throw new InputError(file, `${label}: storage "${key}" has no member ${prefix}data/${key}`);
    const need = numel * valueBytes(dtype);
    if (!Number.isSafeInteger(need) || need > member.uncompressedSize) {
      throw new InputError(file, `${label}: storage of ${numel} ${dtype} needs ${need} bytes, its member holds ${member.uncompressedSize}`);
    }
    const { size, stride, storageOffset } = tensor;
    const count = shapeCount(size);
    const last = size.reduce((acc, s, i) => acc + Math.max(0, s - 1) * stride[i], storageOffset);
    if (count > 0 && last >= numel) {
      throw new InputError(
        file,
        `${label}: view ${shapeText(size)} stride ${shapeText(stride)} offset ${storageOffset} reaches element ${last} of a ${numel}-element storage`,
      );
    }
    const order = memoryOrder(size, stride);
    if (order === null) notes.push(`${label}: strides ${shapeText(stride)} are not contiguous: gathered into C order`);
    else if (order === 'F' && size.filter((s) => s > 1).length > 1) {
      notes.push(`${label}: strides ${shapeText(stride)}, a transposed view (F order in the file): read in C order of its shape`);
    }
    tensors.push({ name, tensor, dtype, member, dataStart: memberDataOffset(fb, member), order });
  }
  if (tensors.length === 0) throw new InputError(file, 'torch.save archive without a tensor');
  return { tensors, endian, notes };
}

function entryOf(t: PtTensor, endian: Endian): ArrayEntry {
  // Read in C order of its shape (gathered when it is not), so (re, im) pairs on a last axis of 2 are adjacent.
  const paired = pairedComplex(t.dtype, t.tensor.size, 'C');
  // dataOffset stays null: the array is found through the pickle, not at a fixed header length.
  return { name: t.name, dtype: paired?.dtype ?? t.dtype, endian, shape: paired?.shape ?? t.tensor.size, order: 'C', dataOffset: null };
}

export function sniffPt(file: string): ContainerInfo {
  return withFile(file, (fb) => {
    const a = readArchive(fb);
    const paired = a.tensors.filter((t) => pairedComplex(t.dtype, t.tensor.size, 'C')).map((t) => pairedNote(`tensor ${t.name ?? ''}`.trim(), t.tensor.size));
    return { format: 'pt', arrays: a.tensors.map((t) => entryOf(t, a.endian)), notes: [...a.notes, ...paired] };
  });
}

/** Copy a strided view into C order (element by element, `size` bytes each). */
function gather(storage: Uint8Array, t: PickleTensor, size: number): Uint8Array {
  const count = shapeCount(t.size);
  const out = new Uint8Array(count * size);
  const dims = t.size.length;
  const idx = new Array<number>(dims).fill(0);
  let src = t.storageOffset;
  for (let n = 0; n < count; n++) {
    out.set(storage.subarray(src * size, (src + 1) * size), n * size);
    for (let d = dims - 1; d >= 0; d--) {
      idx[d]++;
      src += t.stride[d];
      if (idx[d] < t.size[d]) break;
      src -= t.stride[d] * t.size[d];
      idx[d] = 0;
    }
  }
  return out;
}

export function openPt(file: string, name: string | null): { source: ValueSource; entry: ArrayEntry } {
  return withFile(file, (fb) => {
    const a = readArchive(fb);
    const t = a.tensors.find((x) => x.name === name);
    if (!t) throw new InputError(file, `torch.save archive has no tensor "${name ?? ''}"`);
    const entry = entryOf(t, a.endian);
    const size = valueBytes(t.dtype);
    const count = shapeCount(t.tensor.size);
    // Values as the entry reads them: (re, im) pairs count once, as one complex value.
    const values = shapeCount(entry.shape);
    // Paired values (the entry reads them as complex) are checked to be (re, im).
    const checked = (source: ValueSource): { source: ValueSource; entry: ArrayEntry } => ({
      source: entry.dtype !== t.dtype ? checkedPairs(source) : source,
      entry,
    });
    if (t.order === 'C' && t.member.method === 0) {
      return checked(new RawFileSource(file, entry.dtype, a.endian, t.dataStart + t.tensor.storageOffset * size, values));
    }
    if (count * size > MAX_INFLATED_BYTES) throw new InputError(file, `tensor of ${count * size} bytes is over the ${MAX_INFLATED_BYTES}-byte in-memory limit`);
    const storage = memberBytes(fb, t.member, MAX_INFLATED_BYTES);
    const bytes = t.order === 'C' ? storage.subarray(t.tensor.storageOffset * size) : gather(storage, t.tensor, size);
    return checked(new BytesSource(file, bytes, entry.dtype, a.endian, values));
  });
}
