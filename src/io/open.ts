import type { FileStorage } from '../config/types.js';
import { InputError } from '../errors.js';
import { openArray, sniffContainer } from './containers/index.js';
import { RawFileSource, type ValueSource } from './source.js';

/**
 * Open a file as the flat value stream a FileStorage describes. Raw and npy data sit contiguously at
 * headerBytes, so both stream from disk; other containers go through their reader (which streams
 * contiguous uncompressed arrays and decodes the rest).
 */
export function openStorage(file: string, storage: FileStorage, expectedValues?: number): ValueSource {
  if (storage.format === 'raw' || storage.format === 'npy') {
    return new RawFileSource(file, storage.dtype, storage.endian, storage.headerBytes, expectedValues);
  }
  const info = sniffContainer(file);
  if (info.format !== storage.format) throw new InputError(file, `is not a ${storage.format} file (it looks like ${info.format})`);
  const { source, entry } = openArray(file, info, storage.variable);
  if (entry.dtype !== storage.dtype) {
    source.close();
    throw new InputError(file, `array ${entry.name ?? ''} holds ${entry.dtype}, the config says ${storage.dtype}`.replace('  ', ' '));
  }
  if (expectedValues !== undefined && source.length < expectedValues) {
    source.close();
    throw new InputError(file, `holds ${source.length} values, ${expectedValues} needed`);
  }
  return source;
}
