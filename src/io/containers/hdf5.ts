import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import h5wasm, { Dataset, type File as H5File, Group, type Metadata } from 'h5wasm/node';
import { DTYPES, type Dtype, type Endian } from '../../config/types.js';
import { InputError } from '../../errors.js';
import { componentDtype, decodeComponents, valueBytes } from '../dtype.js';
import type { ValueSource } from '../source.js';
import { MAX_DEFLATE_RATIO, MAX_INFLATED_BYTES } from './fileio.js';
import { BytesSource } from './sources.js';
import { type ArrayEntry, type ContainerInfo, shapeCount } from './types.js';

/**
 * HDF5 (MAT v7.3 and plain HDF5) through h5wasm, the HDF5 C library compiled to WebAssembly.
 * The module compiles once at import (~100–150 ms), so containers/index.ts imports it only when an
 * HDF5 file is met (loadHdf5); the API stays synchronous.
 */
const H5 = await h5wasm.ready;
// Turn libhdf5's error-stack printing (to stderr) into thrown errors we word ourselves.
H5.activate_throwing_error_handler();

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_COMPOUND = 6;
/** Bytes fetched from libhdf5 per hyperslab read. */
const READ_BYTES = 4 << 20;
/** MATLAB classes that hold no numeric matrix. */
const MATLAB_NON_NUMERIC = new Set(['char', 'cell', 'struct', 'function_handle', 'object', 'opaque']);

/** libhdf5's error stack, reduced to its innermost message ("truncated file: eof = 500, ..."). */
function h5Problem(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const inner = [...msg.matchAll(/#\d+: .* in [\w.]+\(\): (.+)$/gm)].pop();
  const line = inner ? inner[1] : (msg.split('\n').find((s) => s.trim() !== '') ?? 'unknown error');
  return line.trim().slice(0, 200);
}

function wrap<T>(file: string, what: string, f: () => T): T {
  // An Emscripten abort sets process.exitCode; the CLI, not the library, owns the exit code.
  const exitCode = process.exitCode;
  try {
    return f();
  } catch (e) {
    process.exitCode = exitCode;
    if (e instanceof InputError) throw e;
    throw new InputError(file, `${what}: ${h5Problem(e)}`);
  }
}

function openH5(file: string): { f: H5File; size: number } {
  const size = statSync(file).size;
  return { f: wrap(file, 'unreadable HDF5 file', () => new h5wasm.File(resolve(file), 'r')), size };
}

interface H5Array {
  path: string;
  entry: ArrayEntry;
  /** Storage type of one element as libhdf5 hands it over (always little-endian). */
  dtype: Dtype;
  /** HDF5 (C-order) dims. */
  dims: number[];
}

/** A real float/int type, or a complex compound of two equal floats (MATLAB real/imag, h5py r/i). */
function h5Dtype(m: Metadata): string {
  if (m.type === H5T_FLOAT) {
    const d = ({ 2: 'float16', 4: 'float32', 8: 'float64' } as const)[m.size as 2 | 4 | 8];
    return d ?? `${m.size * 8}-bit float`;
  }
  if (m.type === H5T_INTEGER) {
    const d = m.signed
      ? ({ 1: 'int8', 2: 'int16', 4: 'int32' } as const)[m.size as 1 | 2 | 4]
      : ({ 1: 'uint8', 2: 'uint16', 4: 'uint32' } as const)[m.size as 1 | 2 | 4];
    return d ?? `${m.size * 8}-bit integer`;
  }
  if (m.type === H5T_COMPOUND && m.compound_type) {
    const [re, im] = m.compound_type.members;
    const names = `${re?.name}/${im?.name}`;
    const complexNames = names === 'real/imag' || names === 'r/i';
    if (
      m.compound_type.nmembers === 2 &&
      complexNames &&
      re.type === H5T_FLOAT &&
      im.type === H5T_FLOAT &&
      re.size === im.size &&
      re.offset === 0 &&
      im.offset === re.size &&
      m.size === 2 * re.size
    ) {
      if (re.size === 4) return 'complex64';
      if (re.size === 8) return 'complex128';
    }
    return `compound {${m.compound_type.members.map((x) => x.name).join(', ')}}`;
  }
  return `HDF5 type class ${m.type}`;
}

function attrText(ds: Dataset | Group, name: string): string | null {
  const a = ds.attrs[name];
  if (!a) return null;
  const v = a.value;
  return typeof v === 'string' ? v : null;
}

/** A readable numeric dataset's type and HDF5 dims, or why it is skipped. */
function classify(ds: Dataset, m: Metadata, mclass: string | null, matlab: boolean, fileSize: number): { dtype: Dtype; dims: number[] } | string {
  if (mclass !== null && MATLAB_NON_NUMERIC.has(mclass)) return `is a ${mclass}`;
  if ((matlab && ds.attrs['MATLAB_empty']) || !m.shape || shapeCount(m.shape) === 0) return 'is empty';
  if (m.vlen) return 'has variable-length elements';
  const dtype = h5Dtype(m);
  if (!isDtype(dtype)) return `has type ${dtype}`;
  // Unfiltered data must fit in the file; filtered (deflate, as MATLAB and h5py write) within deflate's ratio.
  const bytes = shapeCount(m.shape) * m.size;
  if (bytes > fileSize * (ds.filters.length > 0 ? MAX_DEFLATE_RATIO : 1) + 4096) {
    return `claims ${bytes} bytes, more than the ${fileSize}-byte file holds (unwritten data?)`;
  }
  return { dtype, dims: m.shape };
}

function isDtype(s: string): s is Dtype {
  return (DTYPES as readonly string[]).includes(s);
}

function listArrays(f: H5File, fileSize: number, matlab: boolean, notes: string[] | null): H5Array[] {
  const out: H5Array[] = [];
  for (const path of f.paths()) {
    // MATLAB keeps cell contents and object data under '#refs#' / '#subsystem#'.
    if (path.split('/').some((s) => s.startsWith('#'))) continue;
    if (matlab && path.includes('/')) continue;
    const obj = f.get(path);
    const label = matlab ? `MAT variable "${path}"` : `HDF5 dataset "${path}"`;
    if (obj instanceof Group) {
      const kind = obj.attrs['MATLAB_sparse'] ? 'sparse matrix' : (attrText(obj, 'MATLAB_class') ?? 'group');
      if (matlab) notes?.push(`${label} is a ${kind}: skipped`);
      continue;
    }
    if (!(obj instanceof Dataset)) continue;
    const m = obj.metadata;
    const mclass = matlab ? attrText(obj, 'MATLAB_class') : null;
    const c = classify(obj, m, mclass, matlab, fileSize);
    if (typeof c === 'string') {
      notes?.push(`${label} ${c}: skipped`);
      continue;
    }
    const endian: Endian = m.littleEndian ? 'little' : 'big';
    const entry: ArrayEntry = matlab
      ? { name: path, dtype: c.dtype, endian, shape: [...c.dims].reverse(), order: 'F', dataOffset: null }
      : { name: path, dtype: c.dtype, endian, shape: c.dims, order: 'C', dataOffset: null };
    out.push({ path, entry, dtype: c.dtype, dims: c.dims });
    if (notes) {
      const filters = obj.filters.map((x) => x.name).join(', ');
      notes.push(`${label} ${c.dtype} ${entry.shape.join('x')}${mclass ? ` (MATLAB ${mclass})` : ''}${filters ? `, filters: ${filters}` : ''}`);
    }
  }
  return out;
}

export function sniffHdf5(file: string, matlab: boolean): ContainerInfo {
  const { f, size } = openH5(file);
  try {
    const notes = [matlab ? 'HDF5 file (MATLAB v7.3 MAT-file): dims reported in MATLAB order, column-major' : 'HDF5 file'];
    const arrays = wrap(file, 'unreadable HDF5 file', () => listArrays(f, size, matlab, notes)).map((a) => a.entry);
    if (arrays.length === 0) throw new InputError(file, 'HDF5 file without numeric datasets');
    return { format: 'mat', arrays, notes };
  } finally {
    wrap(file, 'HDF5 close', () => f.close());
  }
}

/** One hyperslab of a dataset as little-endian bytes. */
function readBox(file: string, f: H5File, path: string, offset: number[], count: number[], nbytes: number): Uint8Array {
  return wrap(file, `HDF5 dataset "${path}"`, () => {
    const ptr = H5._malloc(nbytes);
    if (ptr === 0) throw new InputError(file, `HDF5 dataset "${path}": cannot allocate ${nbytes} bytes`);
    try {
      H5.get_dataset_data(
        f.file_id,
        path,
        count.map(BigInt),
        offset.map(BigInt),
        count.map(() => 1n),
        BigInt(ptr),
      );
      return H5.HEAPU8.slice(ptr, ptr + nbytes);
    } finally {
      H5._free(ptr);
    }
  });
}

/**
 * A dataset read on demand by hyperslabs: the flat range maps onto rows of the last non-singleton
 * axis, so only the requested values cross from WebAssembly memory.
 */
class Hdf5Source implements ValueSource {
  readonly length: number;
  readonly complex: boolean;
  private readonly size: number;
  private readonly cols: number;

  constructor(
    readonly file: string,
    private readonly h5: H5File,
    private readonly path: string,
    private readonly dims: number[],
    private readonly dtype: Dtype,
    private readonly rowAxis: number,
    private readonly colAxis: number,
  ) {
    this.length = shapeCount(dims);
    this.complex = dtype === 'complex64' || dtype === 'complex128';
    this.size = valueBytes(dtype);
    this.cols = dims[colAxis];
  }

  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    if (start < 0 || start + count > this.length) {
      throw new RangeError(`${this.file}: read [${start}, ${start + count}) outside 0..${this.length}`);
    }
    const cols = this.cols;
    const maxValues = Math.max(1, Math.floor(READ_BYTES / this.size));
    for (let done = 0; done < count;) {
      const pos = start + done;
      const row = Math.floor(pos / cols);
      const col = pos % cols;
      const left = count - done;
      const offset = this.dims.map(() => 0);
      const box = this.dims.map(() => 1);
      let n: number;
      if (col === 0 && left >= cols && cols <= maxValues) {
        const rows = Math.min(Math.floor(left / cols), Math.floor(maxValues / cols));
        n = rows * cols;
        box[this.colAxis] = cols;
        if (this.rowAxis >= 0) {
          offset[this.rowAxis] = row;
          box[this.rowAxis] = rows;
        }
      } else {
        n = Math.min(cols - col, left, maxValues);
        offset[this.colAxis] = col;
        box[this.colAxis] = n;
        if (this.rowAxis >= 0) offset[this.rowAxis] = row;
      }
      const bytes = readBox(this.file, this.h5, this.path, offset, box, n * this.size);
      const comp = componentDtype(this.dtype);
      if (this.complex) {
        decodeComponents(bytes, comp, 'little', n, re, done, 2, 0);
        if (im) decodeComponents(bytes, comp, 'little', n, im, done, 2, 1);
      } else {
        decodeComponents(bytes, comp, 'little', n, re, done);
      }
      done += n;
    }
  }

  close(): void {
    wrap(this.file, 'HDF5 close', () => this.h5.close());
  }
}

export function openHdf5(file: string, matlab: boolean, name: string): { source: ValueSource; entry: ArrayEntry } {
  const { f, size } = openH5(file);
  let handedOver = false;
  try {
    const a = wrap(file, 'unreadable HDF5 file', () => listArrays(f, size, matlab, null)).find((x) => x.path === name);
    if (!a) throw new InputError(file, `HDF5 file has no numeric dataset "${name}"`);
    const big = a.dims.map((d, i) => (d > 1 ? i : -1)).filter((i) => i >= 0);
    if (big.length <= 2) {
      const colAxis = big.length > 0 ? big[big.length - 1] : a.dims.length - 1;
      const rowAxis = big.length === 2 ? big[0] : -1;
      handedOver = true;
      return { source: new Hdf5Source(file, f, a.path, a.dims, a.dtype, rowAxis, colAxis), entry: a.entry };
    }
    // Three or more non-singleton axes: a flat range is no single hyperslab, so read it whole (bounded).
    const count = shapeCount(a.dims);
    const nbytes = count * valueBytes(a.dtype);
    if (nbytes > MAX_INFLATED_BYTES) {
      throw new InputError(file, `HDF5 dataset "${name}" of ${nbytes} bytes with ${big.length} axes is over the ${MAX_INFLATED_BYTES}-byte limit`);
    }
    const bytes = readBox(
      file,
      f,
      a.path,
      a.dims.map(() => 0),
      a.dims,
      nbytes,
    );
    return { source: new BytesSource(file, bytes, a.dtype, 'little', count), entry: a.entry };
  } finally {
    if (!handedOver) wrap(file, 'HDF5 close', () => f.close());
  }
}
