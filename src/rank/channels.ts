import { Evidence } from '../analysis/evidence.js';
import type { StftConfig } from '../config/types.js';
import { consistencyDb } from './consistency.js';

/**
 * Do the other channels of a multichannel file agree with the config found on channel 0? One shared
 * config is analysed (DESIGN §1 `channels`); each further channel is only checked, cheaply, by the
 * rank-1 config's STFT consistency on its own sampled blocks. A channel that keeps less than half of
 * channel 0's margin over random phase was not made this way: the report says so.
 */
export const AGREEMENT_SHARE = 0.5;

function dB(x: number): string {
  return `${x.toFixed(1)} dB`;
}

/** Notes for the report: one per channel that disagrees (or cannot be checked), else one that all agree. */
export function channelAgreement(evidence: Evidence, config: StftConfig): string[] {
  if (config.channels <= 1) return [];
  if (config.window === 'estimated') return [`${config.channels} channels: agreement not checked (the window is estimated from channel 0)`];
  const ref = consistencyDb(evidence, config);
  if (!ref || !ref.informative) return [`${config.channels} channels: agreement not checked (no consistency to compare on channel 0)`];
  const notes: string[] = [];
  const agree: string[] = [];
  for (let c = 1; c < config.channels; c++) {
    const ev = new Evidence(evidence.magnitude.path, evidence.phase?.path ?? null, { channel: c, channels: config.channels });
    try {
      const r = consistencyDb(ev, config);
      if (!r) notes.push(`channel ${c}: silent or without phase, agreement with channel 0 not checked`);
      else if (r.relativeDb > AGREEMENT_SHARE * ref.relativeDb) {
        notes.push(
          `channel ${c} disagrees with the rank-1 config: consistency ${dB(r.db)} (${dB(r.relativeDb)} against random phase) where channel 0 has ${dB(ref.db)} (${dB(ref.relativeDb)}); it was not made with this config (export it alone with --channel ${c} to listen)`,
        );
      } else agree.push(`${c} ${dB(r.db)}`);
    } finally {
      ev.close();
    }
  }
  if (notes.length === 0)
    notes.push(`${config.channels} channels share the rank-1 config: consistency channel 0 ${dB(ref.db)}, channel ${agree.join(', channel ')}`);
  return notes;
}
