import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type Dtype, type Endian, isComplexDtype } from '../config/types.js';
import { InputError } from '../errors.js';
import { componentDtype, decodeComponents, valueBytes } from './dtype.js';

/**
 * A flat stream of stored numbers in storage order, read by index range. Every container ends up as
 * one of these, so the layout/scale decoding above never cares where the numbers came from; large
 * raw files are read on demand (sampling never loads the whole file).
 */
export interface ValueSource {
  /** Path (for error messages). */
  readonly file: string;
  /** Number of stored values (a complex value counts once). */
  readonly length: number;
  readonly complex: boolean;
  /**
   * True when the values are a 2-D container array stored first-axis-fastest (Fortran order; every
   * MATLAB matrix): walking memory swaps the roles of its axes. A container's layout names its axes
   * (DESIGN.md §1), so readers walk such memory the other way (memoryLayout). Absent for raw and text.
   */
  readonly transposed?: boolean;
  /** Read values [start, start+count) into re (and im for complex sources). */
  read(start: number, count: number, re: Float64Array, im?: Float64Array): void;
  close(): void;
}

const CHUNK_BYTES = 1 << 22;
/**
 * A file read in many small pieces (a bin-major matrix read a few frames at a time costs one read per
 * bin: 260 000 reads to analyse a 30-second pair) is loaded whole once, when it is this small: a
 * syscall costs more than the bytes it brings.
 */
const RESIDENT_MAX_BYTES = 48 << 20;
const SMALL_READ_BYTES = 4096;
const SMALL_READS_BEFORE_RESIDENT = 256;

/** Headerless binary (or any container whose array is stored contiguously at a byte offset). */
export class RawFileSource implements ValueSource {
  readonly length: number;
  readonly complex: boolean;
  private readonly fd: number;
  private readonly size: number;
  private buf = new Uint8Array(0);
  private readonly fileBytes: number;
  private resident: Uint8Array | null = null;
  private smallReads = 0;

  constructor(
    readonly file: string,
    private readonly dtype: Dtype,
    private readonly endian: Endian,
    private readonly headerBytes: number,
    length?: number,
  ) {
    this.fd = openFile(file);
    const st = fstatSync(this.fd);
    this.fileBytes = st.size;
    const avail = Math.floor(Math.max(0, st.size - headerBytes) / valueBytes(dtype));
    this.length = length ?? avail;
    this.complex = isComplexDtype(dtype);
    this.size = valueBytes(dtype);
    if (this.length > avail) {
      closeSync(this.fd);
      throw new InputError(file, `holds ${avail} ${dtype} values after ${headerBytes} header bytes, ${this.length} needed`);
    }
  }

  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    if (start < 0 || start + count > this.length) {
      throw new RangeError(`${this.file}: read [${start}, ${start + count}) outside 0..${this.length}`);
    }
    const comp = componentDtype(this.dtype);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / this.size));
    for (let done = 0; done < count;) {
      const n = Math.min(perChunk, count - done);
      const bytes = this.readBytes(this.headerBytes + (start + done) * this.size, n * this.size);
      if (this.complex) {
        decodeComponents(bytes, comp, this.endian, n, re, done, 2, 0);
        if (im) decodeComponents(bytes, comp, this.endian, n, im, done, 2, 1);
      } else {
        decodeComponents(bytes, comp, this.endian, n, re, done);
      }
      done += n;
    }
  }

  /** Raw bytes at a file offset (used by sniffers that look at headers). */
  readBytes(offset: number, length: number): Uint8Array {
    if (!this.resident && length < SMALL_READ_BYTES && this.fileBytes <= RESIDENT_MAX_BYTES && ++this.smallReads > SMALL_READS_BEFORE_RESIDENT) {
      this.resident = new Uint8Array(this.fileBytes);
      this.fill(this.resident, 0);
    }
    if (this.resident) {
      if (offset + length > this.resident.length) throw new InputError(this.file, `ended early at byte ${this.resident.length}`);
      return this.resident.subarray(offset, offset + length);
    }
    if (this.buf.byteLength < length) this.buf = new Uint8Array(Math.max(length, 4096));
    const view = this.buf.subarray(0, length);
    this.fill(view, offset);
    return view;
  }

  private fill(view: Uint8Array, offset: number): void {
    for (let got = 0; got < view.length;) {
      const r = readSync(this.fd, view, got, view.length - got, offset + got);
      if (r === 0) throw new InputError(this.file, `ended early at byte ${offset + got}`);
      got += r;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Values already in memory (decompressed or parsed containers, synthetic data in tests). */
export class ArraySource implements ValueSource {
  readonly length: number;
  readonly complex: boolean;
  constructor(
    readonly file: string,
    private readonly re: Float64Array,
    private readonly im: Float64Array | null = null,
  ) {
    this.length = re.length;
    this.complex = im !== null;
  }
  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    re.set(this.re.subarray(start, start + count));
    if (im && this.im) im.set(this.im.subarray(start, start + count));
  }
  close(): void {}
}

/** Open a file for reading with a one-line error for the common failures. */
export function openFile(file: string): number {
  try {
    const fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new InputError(file, 'is a directory, not a file');
    }
    return fd;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(file, 'no such file');
    if (code === 'EACCES' || code === 'EPERM') throw new InputError(file, 'permission denied');
    if (code === 'EISDIR') throw new InputError(file, 'is a directory, not a file');
    throw new InputError(file, `cannot open (${code ?? String(e)})`);
  }
}
