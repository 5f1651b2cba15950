import type { FileStorage } from '../config/types.js';
import { InputError } from '../errors.js';
import { RawFileSource, type ValueSource } from './source.js';

/**
 * Open a file as the flat value stream a FileStorage describes. Raw and npy data sit contiguously at
 * headerBytes, so both stream from disk.
 */
export function openStorage(file: string, storage: FileStorage, expectedValues?: number): ValueSource {
  if (storage.format === 'raw' || storage.format === 'npy') {
    return new RawFileSource(file, storage.dtype, storage.endian, storage.headerBytes, expectedValues);
  }
  throw new InputError(file, `format ${storage.format} is not readable yet`);
}
