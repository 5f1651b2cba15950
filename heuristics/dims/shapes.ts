import type { Evidence } from '../../src/analysis/evidence.js';
import type { FileStorage, Layout } from '../../src/config/types.js';
import { MAX_CHANNELS, MIN_CHANNELS } from '../../src/io/channels.js';
import { divisors, MAX_BINS, MIN_BINS } from '../shared/stft-shapes.js';
import { headerInts, headerPairs } from '../shared/storage-readings.js';
import type { Shape } from './real-bins.js';

/** The readings dims weighs: the frames × bins shapes a value count, a container or a raw header allows. */

export function isComplete(s: Partial<FileStorage>): boolean {
  return s.format !== undefined && s.dtype !== undefined && s.endian !== undefined && s.headerBytes !== undefined;
}

export function fullStorage(s: Partial<FileStorage>): FileStorage {
  return {
    format: s.format ?? 'raw',
    dtype: s.dtype ?? 'float32',
    endian: s.endian ?? 'little',
    headerBytes: s.headerBytes ?? 0,
    variable: s.variable ?? null,
  };
}

/** Shapes the count allows: a 2-D container's two orientations, else every divisor in both layouts. */
export function shapesFor(count: number, shape2d: { a: number; b: number; order: 'C' | 'F' } | null): Shape[] {
  if (shape2d) {
    const { a, b, order } = shape2d;
    // C order walks axis 1 fastest, F order axis 0: the fast axis being bins means frame-major.
    return [
      { frames: a, bins: b, layout: order === 'C' ? 'frame-major' : 'bin-major' },
      { frames: b, bins: a, layout: order === 'C' ? 'bin-major' : 'frame-major' },
    ];
  }
  const out: Shape[] = [];
  for (const bins of divisors(count, MIN_BINS, Math.min(MAX_BINS, Math.floor(count / 2)))) {
    for (const layout of ['frame-major', 'bin-major'] as Layout[]) out.push({ frames: count / bins, bins, layout });
  }
  return out;
}

/** The non-singleton dims of a container array, when there are exactly two. */
export function twoDims(shape: readonly number[], order: 'C' | 'F'): { a: number; b: number; order: 'C' | 'F' } | null {
  const dims = shape.filter((d) => d > 1);
  return dims.length === 2 ? { a: dims[0], b: dims[1], order } : null;
}

/** Unordered {frames, bins} pairs a raw header states (two integers multiplying to the count). */
export function headerDims(evidence: Evidence, storage: FileStorage, count: number): [number, number][] {
  if (storage.format !== 'raw' || storage.headerBytes < 8) return [];
  const bytes = evidence.magnitude.bytes(0, Math.min(storage.headerBytes, 256));
  return headerPairs(headerInts(bytes))
    .filter((p) => p.product === count && p.end <= storage.headerBytes)
    .map((p) => [p.a.value, p.b.value]);
}

/**
 * A raw dump of a `(channels, bins, frames)` array (tofile) is channel-major blocks, each a bin-major
 * STFT: no shape of the whole stream shows real DC bins, the first block's does. The fewest channels
 * whose first block (channel 0) `find` reads as an STFT, or null.
 */
export function rawChannels<T extends { reason: string }>(total: number, find: (count: number) => T[]): { channels: number; candidates: T[] } | null {
  for (let ch = MIN_CHANNELS; ch <= MAX_CHANNELS; ch++) {
    if (total % ch !== 0 || total / ch < 2 * MIN_BINS) continue;
    const found = find(total / ch);
    const why = `${ch} channel-major blocks of ${total / ch} values (no shape of the whole stream shows real DC bins; channel 0's does)`;
    if (found.length) return { channels: ch, candidates: found.map((c) => ({ ...c, reason: `${why}: ${c.reason}` })) };
  }
  return null;
}
