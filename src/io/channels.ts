/**
 * Multichannel STFT files (DESIGN.md §1 `channels`): librosa, torch and scipy return
 * `(channels, bins, frames)` for multichannel input, so a file holds `channels` 2-D STFTs one after
 * the other (channel-major blocks). Everything below the file reads one channel at a time through a
 * ChannelSource, which shows that channel's block as the whole stream.
 */
import type { FileStorage } from '../config/types.js';
import { InputError, UsageError } from '../errors.js';
import { openStorage } from './open.js';
import type { ValueSource } from './source.js';

/** The channel counts a 3-D array's leading axis is taken for (more is a batch or a 3-D tensor). */
export const MIN_CHANNELS = 2;
export const MAX_CHANNELS = 8;

export interface ChannelSplit {
  channels: number;
  /** The shape of one channel: the array's last two non-singleton axes. */
  shape: number[];
}

/**
 * Channels × a 2-D STFT, when a container array is 3-D (singleton axes aside) with a small leading
 * axis in C order, so that each channel is one contiguous block; null otherwise. (A Fortran-ordered
 * 3-D array interleaves its channels value by value: not a layout any STFT routine writes.)
 */
export function channelSplit(shape: readonly number[], order: 'C' | 'F'): ChannelSplit | null {
  const dims = shape.filter((d) => d > 1);
  if (dims.length !== 3 || order !== 'C' || dims[0] < MIN_CHANNELS || dims[0] > MAX_CHANNELS) return null;
  return { channels: dims[0], shape: dims.slice(1) };
}

/** One channel's block of a channel-major stream, read as if it were the whole stream. */
export class ChannelSource implements ValueSource {
  readonly complex: boolean;
  readonly file: string;
  private readonly offset: number;

  constructor(
    private readonly inner: ValueSource,
    readonly channel: number,
    /** Values per channel. */
    readonly length: number,
  ) {
    this.file = inner.file;
    this.complex = inner.complex;
    this.offset = channel * length;
    if (this.offset + length > inner.length) {
      inner.close();
      throw new InputError(inner.file, `holds ${inner.length} values: channel ${channel} needs values up to ${this.offset + length}`);
    }
  }

  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    if (start < 0 || start + count > this.length) throw new RangeError(`${this.file}: read [${start}, ${start + count}) outside 0..${this.length}`);
    this.inner.read(this.offset + start, count, re, im);
  }

  close(): void {
    this.inner.close();
  }
}

/** A channel index checked against the channel count (0-based), or a one-line UsageError. */
export function checkChannel(channel: number, channels: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new UsageError(`--channel ${channel}: the input has ${channels} channel${channels === 1 ? '' : 's'} (0-based: 0..${channels - 1})`);
  }
  return channel;
}

/**
 * Open one channel of a file holding `channels` channel-major blocks of `values` values each (the
 * whole file when channels is 1), with the size checked up front.
 */
export function openChannelStorage(file: string, storage: FileStorage, values: number, channels: number, channel: number): ValueSource {
  if (channels <= 1) {
    checkChannel(channel, 1);
    return openStorage(file, storage, values);
  }
  checkChannel(channel, channels);
  const s = openStorage(file, storage);
  if (s.length < channels * values) {
    s.close();
    throw new InputError(file, `holds ${s.length} values, ${channels} channels × ${values} need ${channels * values}`);
  }
  return new ChannelSource(s, channel, values);
}
