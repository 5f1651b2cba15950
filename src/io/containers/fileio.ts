import { closeSync, fstatSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../../errors.js';
import { openFile } from '../source.js';

/**
 * Most bytes any container member may inflate to. A spectrogram that compresses 100-1000x is normal
 * (silence, a dB floor), so there is no ratio limit; this absolute cap (1 GiB, e.g. 10 min of
 * 1025-bin complex64 at hop 512 is 0.4 GiB) bounds memory against zip bombs. Inflation is also
 * capped at the size the container declares, so a lying header cannot get past it either.
 */
export const MAX_INFLATED_BYTES = 1 << 30;

/**
 * Deflate expands at most 1032:1 (a 258-byte match per ~2 bits); a declared uncompressed size past
 * that ratio is a lie, refused before anything is inflated.
 */
export const MAX_DEFLATE_RATIO = 1033;

/** Random access to a file's bytes with bounds checked against the real size (one-line errors). */
export class FileBytes implements ByteReader {
  readonly fd: number;
  readonly size: number;

  constructor(readonly file: string) {
    this.fd = openFile(file);
    this.size = fstatSync(this.fd).size;
  }

  /** `length` bytes at `offset`; InputError naming `what` if the file ends before. */
  read(offset: number, length: number, what = 'data'): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new InputError(this.file, `${what}: invalid offset ${offset} / length ${length}`);
    }
    if (offset + length > this.size) {
      throw new InputError(this.file, `${what} runs to byte ${offset + length} but the file has ${this.size} bytes (truncated?)`);
    }
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const r = readSync(this.fd, out, got, length - got, offset + got);
      if (r === 0) throw new InputError(this.file, `${what}: file ended early at byte ${offset + got}`);
      got += r;
    }
    return out;
  }

  /** Up to `length` bytes at `offset` (shorter at the end of the file). */
  readUpTo(offset: number, length: number): Uint8Array {
    return this.read(offset, Math.max(0, Math.min(length, this.size - offset)));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Run `f` with an open file, closing it afterwards. */
export function withFile<T>(file: string, f: (fb: FileBytes) => T): T {
  const fb = new FileBytes(file);
  try {
    return f(fb);
  } finally {
    fb.close();
  }
}

/** First line of an error's message, for wrapping library errors into one-line InputErrors. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line =
    msg
      .split('\n')
      .map((s) => s.trim())
      .find((s) => s.length > 0) ?? 'unknown error';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

export function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The start of a deflate stream's output, from a bounded piece of its input: enough to read a header
 * without inflating a whole (possibly huge or hostile) member. Deflate expands at most ~1032x, so
 * the output is bounded by the input slice given.
 */
export function inflatePrefix(file: string, compressed: Uint8Array, zlibWrapped: boolean, what: string): Uint8Array {
  const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    return zlibWrapped ? zlib.inflateSync(compressed, opts) : zlib.inflateRawSync(compressed, opts);
  } catch (e) {
    throw new InputError(file, `${what}: corrupt compressed data (${oneLine(e)})`);
  }
}

/**
 * Inflate a whole stream whose inflated size is declared as `declared` bytes (up to `slack` more
 * allowed, for formats that pad): checked both ways, never allocating past the declaration.
 */
export function inflateExact(file: string, compressed: Uint8Array, zlibWrapped: boolean, declared: number, what: string, slack = 0): Uint8Array {
  if (declared > MAX_INFLATED_BYTES) {
    throw new InputError(file, `${what} declares ${declared} bytes uncompressed, over the ${MAX_INFLATED_BYTES}-byte limit`);
  }
  if (declared === 0) return new Uint8Array(0);
  let out: Buffer;
  try {
    const opts = { maxOutputLength: declared + slack };
    out = zlibWrapped ? zlib.inflateSync(compressed, opts) : zlib.inflateRawSync(compressed, opts);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(file, `${what} inflates beyond its declared ${declared} bytes (zip bomb?)`);
    throw new InputError(file, `${what}: corrupt compressed data (${oneLine(e)})`);
  }
  if (out.length < declared) {
    throw new InputError(file, `${what} inflates to ${out.length} bytes, ${declared} declared`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Bounds-checked reads from a file (FileBytes) or from bytes already in memory (MemBytes). */
export interface ByteReader {
  readonly file: string;
  readonly size: number;
  read(offset: number, length: number, what?: string): Uint8Array;
}

export class MemBytes implements ByteReader {
  readonly size: number;
  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
    /** Says what the bytes are, for errors ("compressed MAT variable"). */
    private readonly label: string,
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number, what = 'data'): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new InputError(this.file, `${what} runs to byte ${offset + length} of the ${this.size}-byte ${this.label}`);
    }
    return this.bytes.subarray(offset, offset + length);
  }
}
