import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { type Analyzer, type AnalyzerResult, rejected, undecided } from '../types.js';

/**
 * channels from a container's recorded shape (DESIGN §1 `channels`, src/io/channels.ts): a 3-D array
 * with a small leading axis in C order is `(channels, bins, frames)` or `(channels, frames, bins)`, as
 * librosa, torch and scipy return for multichannel input. The evidence already shows the analyzers one
 * channel as a 2-D array, so dims and everything after it read that channel; this only records how
 * many there are. A phase file must hold as many channels as the magnitude file. Undecided for raw
 * files and 2-D arrays (the fallback, one channel, is then right).
 */
function runChannels(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const ms = fixed.magnitudeFile;
  if (!ms?.format) return undecided('magnitude storage not fixed');
  const mc = evidence.magnitude.channelsOf({ format: ms.format, variable: ms.variable ?? null });
  const ps = fixed.phaseFile;
  const pc = ps?.format && evidence.phase ? evidence.phase.channelsOf({ format: ps.format, variable: ps.variable ?? null }) : null;
  if (pc !== null && pc !== mc) return rejected(`the magnitude array holds ${mc} channel(s), the phase array ${pc}: not one multichannel STFT`);
  if (mc === 1) return undecided(ms.format === 'raw' ? 'a raw file records no shape' : 'a 2-D array: one channel');
  return {
    hypotheses: [
      {
        values: { channels: mc },
        score: 1,
        reason: `the ${ms.format} array is 3-D with a leading axis of ${mc}: ${mc} channels, each a 2-D STFT (channel ${evidence.magnitude.channel} analysed)`,
        metrics: { channels: mc, analysedChannel: evidence.magnitude.channel },
      },
    ],
  };
}

export const channels: Analyzer = {
  name: 'channels',
  stage: 'shape',
  decides: ['channels'],
  needs: ['magnitudeFile.format'],
  reads: ['magnitudeFile.variable', 'phaseFile.format', 'phaseFile.variable'],
  applies: (evidence) => evidence.magnitude.container.format !== 'raw',
  run: runChannels,
};
