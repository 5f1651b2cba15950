import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StftConfig } from '../config/types.js';
import { checkOutputPath } from '../io/output.js';
import { WavStreamWriter } from '../io/wav.js';
import type { ExportOptions, ExportResult } from './stream.js';

/** Bytes before the data of the temp WAVs written per channel (the plain 44-byte header). */
const HEADER_BYTES = 44;
const CHUNK = 1 << 15;

/**
 * A multichannel export (config.channels > 1, no `--channel`): each channel is reconstructed on its
 * own by `one` into a float32 temp WAV beside the output (so each streams and may retrieve its own
 * phase), then the channels are interleaved chunk by chunk into the output, normalised and converted
 * there as a whole (one gain for every channel keeps their balance). Memory stays at one chunk per
 * channel; the temp files are removed whatever happens.
 */
export function interleaveChannels<O extends ExportOptions & { phaseVerdict?: unknown }, R extends ExportResult & { phaseReason?: string }>(
  config: StftConfig,
  magnitudeFile: string,
  phaseFile: string | null,
  opts: O,
  one: (config: StftConfig, magnitudeFile: string, phaseFile: string | null, opts: O) => R,
): R {
  checkOutputPath(opts.output, opts.force);
  const channels = config.channels;
  const temps = Array.from({ length: channels }, (_, c) => join(dirname(opts.output), `.${basename(opts.output)}.${process.pid}.ch${c}.tmp.wav`));
  try {
    const results: R[] = [];
    for (let c = 0; c < channels; c++) {
      const { phaseVerdict, ...rest } = opts;
      const sub = {
        ...rest,
        // The analysis judged channel 0's phase; every other channel's is judged on its own.
        ...(c === 0 && phaseVerdict !== undefined ? { phaseVerdict } : {}),
        channel: c,
        output: temps[c],
        bits: 32,
        normalize: 'none',
        force: true,
        onProgress: opts.onProgress ? (f: number) => opts.onProgress!((c + f) / channels) : undefined,
      } as O;
      results.push(one(config, magnitudeFile, phaseFile, sub));
    }
    const frames = Math.min(...results.map((r) => r.samples));
    const writer = new WavStreamWriter(opts.output, {
      sampleRate: results[0].sampleRate,
      bits: opts.bits,
      normalize: opts.normalize,
      force: opts.force,
      channels,
    });
    try {
      interleave(temps, frames, writer);
      const { gain, peak } = writer.finish();
      const first = results[0];
      const reasons = [...new Set(results.map((r, c) => `channel ${c}: ${r.phaseReason ?? ''}`))];
      return {
        ...first,
        output: opts.output,
        samples: writer.length,
        normalizeGain: gain,
        peak,
        threads: 1,
        ...(first.phaseReason !== undefined && results.some((r) => r.phaseReason !== first.phaseReason) ? { phaseReason: reasons.join('; ') } : {}),
      };
    } catch (e) {
      writer.abort();
      throw e;
    }
  } finally {
    for (const t of temps) rmSync(t, { force: true });
  }
}

/** Read `frames` float32 samples from each temp WAV, chunk by chunk, and write them interleaved. */
function interleave(temps: string[], frames: number, writer: WavStreamWriter): void {
  const channels = temps.length;
  const fds = temps.map((t) => openSync(t, 'r'));
  try {
    const ins = temps.map(() => new Float32Array(CHUNK));
    const out = new Float32Array(CHUNK * channels);
    for (let s = 0; s < frames; s += CHUNK) {
      const n = Math.min(CHUNK, frames - s);
      for (let c = 0; c < channels; c++) {
        const bytes = new Uint8Array(ins[c].buffer, 0, n * 4);
        for (let got = 0; got < bytes.length;) {
          const r = readSync(fds[c], bytes, got, bytes.length - got, HEADER_BYTES + s * 4 + got);
          if (r === 0) throw new Error(`temp WAV ${temps[c]} ended early`);
          got += r;
        }
        const x = ins[c];
        for (let i = 0; i < n; i++) out[i * channels + c] = x[i];
      }
      writer.write(out.subarray(0, n * channels));
    }
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
