import type { Dtype, Endian, Format } from '../../config/types.js';

/** One numeric array found in a container. */
export interface ArrayEntry {
  /** Variable/member name (npz member without .npy, MAT variable, HDF5 dataset path); null for single-array files. */
  name: string | null;
  dtype: Dtype;
  endian: Endian;
  /** As the container states it (MAT: MATLAB dims, rows first). */
  shape: number[];
  /** Memory order of the stored values (MAT: 'F'). */
  order: 'C' | 'F';
  /** Byte offset of contiguous uncompressed data in the file, else null. */
  dataOffset: number | null;
}

export interface ContainerInfo {
  format: Format;
  arrays: ArrayEntry[];
  /** Human-readable facts, e.g. 'npz member "mag" compressed (deflate)'. */
  notes: string[];
}

/** Product of a shape (the number of stored values). */
export function shapeCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}
