import type { FileStorage } from '../config/types.js';
import { InputError } from '../errors.js';
import { type ArrayEntry, openArray, sniffContainer } from './containers/index.js';
import { RawFileSource, type ValueSource } from './source.js';

/**
 * Open a file as the flat value stream a FileStorage describes. Raw and npy data sit contiguously at
 * headerBytes, so both stream from disk; other containers go through their reader (which streams
 * contiguous uncompressed arrays and decodes the rest). A container array's memory order travels with
 * the stream (`transposed`), so a layout that names the array's axes reads it right.
 */
export function openStorage(file: string, storage: FileStorage, expectedValues?: number): ValueSource {
  if (storage.format === 'raw') return new RawFileSource(file, storage.dtype, storage.endian, storage.headerBytes, expectedValues);
  const info = sniffContainer(file);
  if (info.format !== storage.format) throw new InputError(file, `is not a ${storage.format} file (it looks like ${info.format})`);
  if (storage.format === 'npy') {
    const raw = new RawFileSource(file, storage.dtype, storage.endian, storage.headerBytes, expectedValues);
    return info.arrays[0] && isTransposed(info.arrays[0]) ? new TransposedSource(raw) : raw;
  }
  const { source, entry } = openArray(file, info, storage.variable);
  if (entry.dtype !== storage.dtype) {
    source.close();
    throw new InputError(file, `array ${entry.name ?? ''} holds ${entry.dtype}, the config says ${storage.dtype}`.replace('  ', ' '));
  }
  if (expectedValues !== undefined && source.length < expectedValues) {
    source.close();
    throw new InputError(file, `holds ${source.length} values, ${expectedValues} needed`);
  }
  return isTransposed(entry) ? new TransposedSource(source) : source;
}

/** A matrix (two dims above 1) stored first-axis-fastest: its memory walks its axes the other way round. */
function isTransposed(e: ArrayEntry): boolean {
  return e.order === 'F' && e.shape.filter((d) => d > 1).length === 2;
}

/** The same stream, marked as a Fortran-order matrix (ValueSource.transposed). */
class TransposedSource implements ValueSource {
  readonly transposed = true;
  constructor(private readonly inner: ValueSource) {}
  get file(): string {
    return this.inner.file;
  }
  get length(): number {
    return this.inner.length;
  }
  get complex(): boolean {
    return this.inner.complex;
  }
  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    this.inner.read(start, count, re, im);
  }
  close(): void {
    this.inner.close();
  }
}
