/**
 * The streaming WAV writer: a plain RIFF header plus the samples' bytes, written block by block to a
 * temporary file and renamed when complete. Hand-written on purpose: wavefile 11 took 57 s to write
 * 10 minutes of float32 audio where the header plus the typed array's bytes take 57 ms (DESIGN.md
 * 4.10), and it needs the whole signal in memory, where an export streams it.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { checkOutputPath, writeProblem } from './output.js';

export type WavBits = 16 | 24 | 32;
export type Normalize = 'peak' | 'none';

export interface WavOptions {
  sampleRate: number;
  bits: WavBits;
  normalize: Normalize;
  /** Overwrite an existing output file. */
  force: boolean;
  /** Interleaved channels (default 1): samples are written frame by frame, channel 0 first. */
  channels?: number;
}

/** Target peak for `--normalize peak`: just under full scale so integer formats never clip. */
export const PEAK_TARGET = 0.99;
const HEADER_BYTES = 44;
const CHUNK_SAMPLES = 1 << 16;

/** `samples` counts every channel's values (frames × channels). */
function wavHeader(sampleRate: number, bits: WavBits, samples: number, channels = 1): Uint8Array {
  const bytesPer = bits / 8;
  const dataBytes = samples * bytesPer;
  const h = new Uint8Array(HEADER_BYTES);
  const dv = new DataView(h.buffer);
  const ascii = (o: number, s: string): void => {
    for (let i = 0; i < s.length; i++) h[o + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, bits === 32 ? 3 : 1, true); // 3 = IEEE float, 1 = PCM
  dv.setUint16(22, channels, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * bytesPer * channels, true);
  dv.setUint16(32, bytesPer * channels, true);
  dv.setUint16(34, bits, true);
  ascii(36, 'data');
  dv.setUint32(40, dataBytes, true);
  return h;
}

/**
 * Float32 samples into the data chunk of a temp WAV at consecutive sample positions, buffered into
 * large writes, with the running peak. The WAV writer appends through one; export workers each open
 * the same temp file and write their own stretch of samples through another.
 */
export class Float32DataWriter {
  private readonly chunk = new Float32Array(CHUNK_SAMPLES);
  private fill = 0;
  /** Sample index of chunk[0] in the data chunk. */
  private pos: number;
  peak = 0;

  constructor(
    private readonly fd: number,
    /** Sample index (in the data chunk) of the first sample written. */
    start = 0,
  ) {
    this.pos = start;
  }

  /** Sample index after the last sample written (buffered or not). */
  get end(): number {
    return this.pos + this.fill;
  }

  write(x: ArrayLike<number>): void {
    const c = this.chunk;
    let peak = this.peak;
    for (let s = 0; s < x.length;) {
      if (this.fill === CHUNK_SAMPLES) this.flush();
      const n = Math.min(CHUNK_SAMPLES - this.fill, x.length - s);
      const f = this.fill;
      for (let i = 0; i < n; i++) {
        const v = x[s + i];
        c[f + i] = v;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
      }
      this.fill += n;
      s += n;
    }
    this.peak = peak;
  }

  /** Write out what is buffered. */
  flush(): void {
    if (this.fill === 0) return;
    writeFully(this.fd, new Uint8Array(this.chunk.buffer, 0, this.fill * 4), HEADER_BYTES + this.pos * 4);
    this.pos += this.fill;
    this.fill = 0;
  }

  /** Continue after `count` samples someone else wrote, whose peak was `peak`. */
  skip(count: number, peak: number): void {
    this.flush();
    this.pos += count;
    if (peak > this.peak) this.peak = peak;
  }
}

/**
 * A WAV written as it is produced (mono, or interleaved channels with `channels`): float32 samples stream into a temp file beside the output;
 * `finish` rescales/converts in place (integer formats are smaller, so a forward in-place pass is safe),
 * writes the header and renames. Memory stays at one chunk whatever the length; a failure removes
 * the temp file, so no half-written output is ever left.
 */
export class WavStreamWriter {
  private readonly fd: number;
  /** The temp file the samples stream into (renamed to the output by `finish`). */
  readonly tmp: string;
  private readonly data: Float32DataWriter;
  private done = false;

  constructor(
    private readonly out: string,
    private readonly opts: WavOptions,
  ) {
    checkOutputPath(out, opts.force);
    this.tmp = join(dirname(out), `.${basename(out)}.${process.pid}.${Date.now()}.tmp`);
    try {
      this.fd = openSync(this.tmp, 'w+');
    } catch (e) {
      throw new UsageError(`${out}: cannot write (${writeProblem(e)})`);
    }
    writeSync(this.fd, wavHeader(opts.sampleRate, 32, 0), 0, HEADER_BYTES, 0);
    this.data = new Float32DataWriter(this.fd);
  }

  /** Sample frames written (values / channels). */
  get length(): number {
    return Math.floor(this.data.end / (this.opts.channels ?? 1));
  }

  /** Append samples (any length; interleaved when there are several channels). */
  write(x: ArrayLike<number>): void {
    this.data.write(x);
  }

  /**
   * Account for `count` samples another writer put into the temp file right after the current end
   * (a Float32DataWriter on its own descriptor of `tmp`), whose peak was `peak`.
   */
  appendWritten(count: number, peak: number): void {
    this.data.skip(count, peak);
  }

  /** Convert, write the header, rename into place. Returns the gain applied (1 when not normalised). */
  finish(): { gain: number; peak: number } {
    try {
      this.data.flush();
      const samples = this.data.end;
      const peak = this.data.peak;
      const gain = this.opts.normalize === 'peak' && peak > 0 ? PEAK_TARGET / peak : 1;
      const bits = this.opts.bits;
      if (gain !== 1 || bits !== 32) this.convertInPlace(samples, gain, bits);
      writeSync(this.fd, wavHeader(this.opts.sampleRate, bits, samples, this.opts.channels), 0, HEADER_BYTES, 0);
      ftruncateSync(this.fd, HEADER_BYTES + samples * (bits / 8));
      closeSync(this.fd);
      this.done = true;
      renameSync(this.tmp, this.out);
      return { gain, peak: peak * gain };
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Drop the temp file (on any failure). */
  abort(): void {
    if (!this.done) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.done = true;
    }
    rmSync(this.tmp, { force: true });
  }

  private convertInPlace(samples: number, gain: number, bits: WavBits): void {
    const f = new Float32Array(CHUNK_SAMPLES);
    const bytesOut = bits / 8;
    const outBuf = new Uint8Array(CHUNK_SAMPLES * bytesOut);
    const dv = new DataView(outBuf.buffer);
    const fBytes = new Uint8Array(f.buffer);
    for (let s = 0; s < samples; s += CHUNK_SAMPLES) {
      const n = Math.min(CHUNK_SAMPLES, samples - s);
      readFully(this.fd, fBytes, n * 4, HEADER_BYTES + s * 4);
      if (bits === 32) {
        for (let i = 0; i < n; i++) f[i] *= gain;
        writeFully(this.fd, fBytes.subarray(0, n * 4), HEADER_BYTES + s * 4);
        continue;
      }
      const full = bits === 16 ? 32767 : 8388607;
      for (let i = 0; i < n; i++) {
        const v = Math.round(Math.max(-1, Math.min(1, f[i] * gain)) * full);
        if (bits === 16) dv.setInt16(i * 2, v, true);
        else {
          dv.setUint8(i * 3, v & 0xff);
          dv.setUint8(i * 3 + 1, (v >> 8) & 0xff);
          dv.setInt8(i * 3 + 2, v >> 16);
        }
      }
      // The output offset never passes the read offset (bytesOut ≤ 4), so this pass is safe in place.
      writeFully(this.fd, outBuf.subarray(0, n * bytesOut), HEADER_BYTES + s * bytesOut);
    }
  }
}

function writeFully(fd: number, b: Uint8Array, pos: number): void {
  for (let off = 0; off < b.byteLength;) {
    off += writeSync(fd, b, off, b.byteLength - off, pos + off);
  }
}

function readFully(fd: number, buf: Uint8Array, length: number, pos: number): void {
  for (let got = 0; got < length;) {
    const r = readSync(fd, buf, got, length - got, pos + got);
    if (r === 0) throw new Error(`temp WAV ended early at byte ${pos + got} (of ${fstatSync(fd).size})`);
    got += r;
  }
}
