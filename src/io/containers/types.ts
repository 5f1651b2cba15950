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
  /** Labels of the array's axes, when the file carries them (labelled text tables). */
  labels?: AxisLabels;
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

/**
 * Axis labels a table carries beside its values (pandas `DataFrame.to_csv`, MATLAB `writetable`,
 * Sonic Visualiser's layer export): a header row naming the columns and a first column naming the
 * rows. They are kept out of the values and passed on as evidence (frequencies give sampleRate/nfft,
 * times give hop/sampleRate).
 */
export interface AxisLabels {
  /** Numeric labels of the value columns (the header's bin frequencies, Hz); null when the header has none. */
  columns: number[] | null;
  /** Labels of the leading rows (the first column, frame times in s), as many as were sampled; null when there is no label column. */
  rows: number[] | null;
  /** The header's name of the label column ('Time'; '' for pandas' empty corner cell); null without a header. */
  rowName: string | null;
}
