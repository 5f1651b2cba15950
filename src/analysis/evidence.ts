import { closeSync, fstatSync, readSync } from 'node:fs';
import type { FileStorage, PartialStftConfig, StftConfig } from '../config/types.js';
import { type DecodedBlock, FrameReader, type MatrixShape, StftDecoder } from '../decode/frames.js';
import { InputError } from '../errors.js';
import { type ChannelSplit, ChannelSource, channelSplit, checkChannel } from '../io/channels.js';
import { type ContainerInfo, sniffContainer } from '../io/containers/index.js';
import { openStorage } from '../io/open.js';
import { valueBytes } from '../io/dtype.js';
import { openFile, type ValueSource } from '../io/source.js';

export type Which = 'magnitude' | 'phase';

/**
 * One input file as analyzers see it: size, container facts, and sampled reads. `limitBytes` shows
 * analyzers only the file's first bytes (a raw file read as the prefix a shorter partner covers).
 * A container array of several channels (`(channels, bins, frames)`, see src/io/channels.ts) is shown
 * as one channel's 2-D array, `channel` (0-based), in `container` and in every source.
 */
export class FileEvidence {
  readonly size: number;
  /** The container as analyzers see it: a multichannel array has its one channel's shape. */
  readonly container: ContainerInfo;
  /** Multichannel arrays by name (null: a single-array file), with their channel count. */
  private readonly splits = new Map<string | null, ChannelSplit>();
  private readonly fd: number;
  private readonly sources = new Map<string, ValueSource>();

  constructor(
    readonly path: string,
    private readonly limitBytes?: number,
    readonly channel = 0,
    /** Channel-major blocks in a raw file (its shape records none): `channel` is read from them. */
    private readonly rawChannels = 1,
  ) {
    this.fd = openFile(path);
    this.size = Math.min(fstatSync(this.fd).size, limitBytes ?? Infinity);
    if (this.size === 0) {
      closeSync(this.fd);
      throw new InputError(path, 'is empty');
    }
    const info = sniffContainer(path);
    const arrays = info.arrays.map((a) => {
      const split = channelSplit(a.shape, a.order);
      if (!split) return a;
      checkChannel(channel, split.channels);
      this.splits.set(a.name, split);
      return { ...a, shape: split.shape };
    });
    const notes = [...this.splits.entries()].map(
      ([name, s]) => `array${name === null ? '' : ` "${name}"`} holds ${s.channels} channels of (${s.shape.join(', ')}): channel ${channel} analysed`,
    );
    this.container = { ...info, arrays, notes: [...info.notes, ...notes] };
  }

  /** Channels stacked in the array a storage reading names (1 for raw files and 2-D arrays). */
  channelsOf(storage: Pick<FileStorage, 'format' | 'variable'>): number {
    return this.split(storage)?.channels ?? 1;
  }

  private split(storage: Pick<FileStorage, 'format' | 'variable'>): ChannelSplit | null {
    if (storage.format === 'raw') return null;
    const name = storage.variable ?? (this.container.arrays.length === 1 ? this.container.arrays[0].name : undefined);
    return name === undefined ? null : (this.splits.get(name) ?? null);
  }

  /** Up to `length` bytes at `offset` (fewer at the end of the file). A copy: safe to keep. */
  bytes(offset: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = new Uint8Array(n);
    for (let got = 0; got < n;) {
      const r = readSync(this.fd, out, got, n - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    return out;
  }

  /** The flat value stream under a storage hypothesis (cached per hypothesis). */
  source(storage: FileStorage): ValueSource {
    const key = storageKey(storage);
    let s = this.sources.get(key);
    if (!s) {
      const limited = this.limitBytes !== undefined && storage.format === 'raw';
      s = openStorage(this.path, storage, limited ? Math.max(0, Math.floor((this.size - storage.headerBytes) / valueBytes(storage.dtype))) : undefined);
      const split = this.split(storage);
      if (storage.format === 'raw' && this.rawChannels > 1)
        s = new ChannelSource(s, checkChannel(this.channel, this.rawChannels), Math.floor(s.length / this.rawChannels));
      if (split) s = new ChannelSource(s, checkChannel(this.channel, split.channels), split.shape[0] * split.shape[1]);
      this.sources.set(key, s);
    }
    return s;
  }

  close(): void {
    for (const s of this.sources.values()) s.close();
    this.sources.clear();
    closeSync(this.fd);
  }
}

export function storageKey(s: FileStorage): string {
  return `${s.format}:${s.dtype}:${s.endian}:${s.headerBytes}:${s.variable ?? ''}`;
}

/** The fields that decide how stored values decode (DecodableConfig), as one cache key. */
export function decodingKey(c: DecodableConfig): string {
  const phase = c.phaseFile ? storageKey(c.phaseFile) : '-';
  return [storageKey(c.magnitudeFile), phase, c.frames, c.bins, c.layout, c.binOrder ?? 'ascending', c.magnitudeScale, c.dbFloor, c.phaseUnit].join('|');
}

/**
 * Values derived from one evidence, by key, dropped with the evidence: what several beam states (or one
 * analyzer's several readings) would otherwise compute again from the same frames.
 */
export class EvidenceCache<T> {
  private readonly map = new WeakMap<Evidence, Map<string, T>>();
  get(evidence: Evidence, key: string, make: () => T): T {
    let perEvidence = this.map.get(evidence);
    if (!perEvidence) {
      perEvidence = new Map();
      this.map.set(evidence, perEvidence);
    }
    let v = perEvidence.get(key);
    if (v === undefined) {
      v = make();
      perEvidence.set(key, v);
    }
    return v;
  }
}

/**
 * Everything the analyzers read, with the reads they share cached. Analyzers sample: they ask for a few
 * blocks of frames (sampleBlockStarts), never the whole file.
 */
export class Evidence {
  readonly magnitude: FileEvidence;
  readonly phase: FileEvidence | null;
  private readonly blockCache = new Map<string, Float64Array>();
  private readonly decodedCache = new Map<string, DecodedBlock>();

  /**
   * `limits` shows only the files' first bytes (see FileEvidence); `channel` picks the channel of a
   * multichannel file that the analyzers read (0-based, default 0); `channels`, the channel count of a raw
   * file (a container's comes from its shape).
   */
  constructor(
    magnitudePath: string,
    phasePath: string | null,
    limits: { magnitudeBytes?: number; phaseBytes?: number; channel?: number; channels?: number } = {},
  ) {
    this.magnitude = new FileEvidence(magnitudePath, limits.magnitudeBytes, limits.channel, limits.channels);
    try {
      this.phase = phasePath === null ? null : new FileEvidence(phasePath, limits.phaseBytes, limits.channel, limits.channels);
    } catch (e) {
      this.magnitude.close();
      throw e;
    }
  }

  file(which: Which): FileEvidence | null {
    return which === 'magnitude' ? this.magnitude : this.phase;
  }

  /**
   * Stored (undecoded) values of frames [m0, m0+count), frame-major, under storage and shape. Cached.
   * A complex source gives its real parts, or with `modulus` its moduli (a level to compare across bins).
   */
  storedFrames(which: Which, storage: FileStorage, shape: MatrixShape, m0: number, count: number, modulus = false): Float64Array {
    const f = this.file(which);
    if (!f) throw new RangeError(`no ${which} file`);
    const source = f.source(storage);
    const mod = modulus && source.complex;
    const key = `${which}|${storageKey(storage)}|${shape.frames}x${shape.bins}:${shape.layout}:${shape.binOrder ?? 'ascending'}|${m0}+${count}${mod ? '|mod' : ''}`;
    let v = this.blockCache.get(key);
    if (!v) {
      v = new Float64Array(count * shape.bins);
      const im = mod ? new Float64Array(count * shape.bins) : undefined;
      new FrameReader(source, shape).read(m0, count, v, im);
      if (im) for (let i = 0; i < v.length; i++) v[i] = Math.hypot(v[i], im[i]);
      this.blockCache.set(key, v);
    }
    return v;
  }

  /**
   * Decoded complex frames [m0, m0+count) under a config whose storage, shape, scale and unit fields are
   * fixed (the transform fields are not needed to decode). Cached.
   */
  decodedFrames(c: DecodableConfig, m0: number, count: number): DecodedBlock {
    const key = `${decodingKey(c)}|${m0}+${count}`;
    let b = this.decodedCache.get(key);
    if (!b) {
      const mag = this.magnitude.source(c.magnitudeFile);
      const ph = c.phaseFile && this.phase ? this.phase.source(c.phaseFile) : null;
      // The decoder only reads storage/shape/scale/unit fields; the rest are placeholders.
      const decoder = new StftDecoder(c as StftConfig, mag, ph);
      b = decoder.read(m0, count);
      this.decodedCache.set(key, b);
    }
    return b;
  }

  close(): void {
    this.magnitude.close();
    this.phase?.close();
    this.blockCache.clear();
    this.decodedCache.clear();
  }
}

/** The fields needed to decode frames into complex values (an undecided bin order reads as ascending). */
export type DecodableConfig = Pick<StftConfig, 'magnitudeFile' | 'phaseFile' | 'frames' | 'bins' | 'layout' | 'magnitudeScale' | 'dbFloor' | 'phaseUnit'> &
  Partial<Pick<StftConfig, 'binOrder'>>;

/** Whether a partial config has every field decodedFrames needs. */
export function isDecodable(c: PartialStftConfig): c is PartialStftConfig & DecodableConfig {
  const f = c.magnitudeFile;
  const fileOk = (s: Partial<FileStorage> | null | undefined): boolean =>
    !!s && s.format !== undefined && s.dtype !== undefined && s.endian !== undefined && s.headerBytes !== undefined;
  return (
    fileOk(f) &&
    (c.phaseFile === null || fileOk(c.phaseFile)) &&
    c.phaseFile !== undefined &&
    c.frames !== undefined &&
    c.bins !== undefined &&
    c.layout !== undefined &&
    c.magnitudeScale !== undefined &&
    c.dbFloor !== undefined &&
    c.phaseUnit !== undefined
  );
}

/**
 * Starts of `blocks` blocks of `length` frames spread evenly over the interior of `frames` frames
 * (skipping the first and last block, where centring padding lives). Fewer when the file is short.
 */
export function sampleBlockStarts(frames: number, length: number, blocks: number): number[] {
  if (frames <= length) return [0];
  const usable = frames - length;
  const n = Math.max(1, Math.min(blocks, Math.floor(frames / length)));
  const starts: number[] = [];
  for (let i = 0; i < n; i++) starts.push(Math.round(((i + 1) * usable) / (n + 1)));
  return [...new Set(starts)];
}
