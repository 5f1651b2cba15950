/**
 * Export of an STFT whose segments were detrended by their maker (config.detrend): two passes over the
 * frames, the first to solve each frame's removed trend (src/dsp/detrend.ts), the second to put it back
 * and overlap-add. Sequential: the trends couple every frame to its neighbours along the whole file.
 */
import type { StftConfig } from '../config/types.js';
import { TrendSolver } from '../dsp/detrend.js';
import { FrameSynthesizer, OverlapAdd, type SampleRange, type StftGeometry } from '../dsp/stft.js';
import type { BlockDecoder } from './range.js';

export function synthesizeDetrended(
  config: StftConfig,
  g: StftGeometry,
  decoder: BlockDecoder,
  range: { start: number; end: number },
  sink: (samples: Float64Array) => void,
  onFrames?: (count: number) => void,
): SampleRange[] {
  const syn = new FrameSynthesizer(g);
  const solver = new TrendSolver(g, config.detrend, config.frames);
  const each = (visit: (m: number, y: Float64Array) => void): void => {
    for (let m0 = 0; m0 < config.frames; m0 += decoder.blockFrames) {
      const count = Math.min(decoder.blockFrames, config.frames - m0);
      const block = decoder.read(m0, count);
      for (let i = 0; i < count; i++) visit(m0 + i, syn.synth(m0 + i, block.re, block.im, i * block.bins, block.bins));
      onFrames?.(count / 2);
    }
  };
  each((m, y) => solver.add(m, y));
  const trends = solver.solve();
  const ola = new OverlapAdd(g, range.start, range.end, (_s, chunk) => sink(chunk));
  each((m, y) => {
    solver.restore(m, y, trends);
    ola.add(m, y);
  });
  ola.end();
  return ola.gaps;
}
