import type { Evidence } from './evidence.js';
import { plainFrames, plainIndex, type SeamConfig } from './block-seams.js';
import { geometryFromConfig } from '../dsp/stft.js';

/**
 * Taper agreement of frames that do not overlap (DESIGN.md 4.12), the ranking's stand-in for
 * consistency there. Under the right decoding, window, reference and sign each frame's inverse is
 * x·w, so x̂ = y/w has, summed over frames, as much power where the window tapers as where it is
 * full: blocks cut a signal at places that have nothing to do with its content. A wrong magnitude
 * scale smears each frame over its whole length, and x̂ explodes where w is small (|X| read as log1p
 * on torch's hop-512 Hann file: ×3·10⁴ in power where w < 1 %); a taper read where the data has none
 * drives the ratio to ∞, a flat window read over a taper to 0. The analyzers' scores cannot say this
 * across decodings (they are shares within one), and a state whose window analyzer could not decide
 * took the cheapest fallback and won (log1p with an unmeasured Hann over linear with a measured one).
 */

/** Zone edges by window level relative to its peak: a decade each, then up to half; the core is above. */
const ZONES = [1e-3, 1e-2, 1e-1, 0.5];
/**
 * The least spread of ln R taken for the truth. The frame-to-frame (delta-method) estimate gave
 * 0.13–0.3 on 18–20 blocks of speech while the true readings' ratios sat up to 0.66 from 0 in ln R:
 * speech is not stationary over a handful of blocks.
 */
const MIN_SPREAD = 1;
const MAX_PENALTY_DB = 60;

export interface TaperZone {
  /** Lower window level of the zone (relative to the peak). */
  level: number;
  /** Power of x̂ in the zone over its power in the core (≈ 1 for the truth). */
  ratio: number;
  /** Spread of ln ratio taken for the truth. */
  spread: number;
  samples: number;
}

export interface TaperResult {
  /** How unlikely the zones' ratios are for the truth (dB, capped): what the ranking adds. */
  penaltyDb: number;
  zones: TaperZone[];
}

/** Null without phase, for a window with no taper (rectangular: the seams test it), or in silence. */
export function taperAgreement(evidence: Evidence, config: SeamConfig, estimatedWindow?: Float64Array): TaperResult | null {
  if (config.phaseFile === null && !config.magnitudeFile.dtype.startsWith('complex')) return null;
  const g = geometryFromConfig({ ...config, gain: 1, firstFrameStart: 0, padMode: 'none' }, estimatedWindow);
  const w = g.window;
  const N = g.nfft;
  let peak = 0;
  for (const v of w) peak = Math.max(peak, Math.abs(v));
  if (!(peak > 0)) return null;
  // Each usable position's zone (0..ZONES.length − 2), the core (ZONES.length − 1), or −1 (not read).
  const core = ZONES.length - 1;
  const zoneOf = new Int8Array(N).fill(-1);
  const counts = new Int32Array(ZONES.length);
  for (let n = 0; n < N; n++) {
    const level = Math.abs(w[n]) / peak;
    if (level < ZONES[0]) continue;
    let z = 0;
    while (z < core && level >= ZONES[z + 1]) z++;
    zoneOf[n] = z;
    counts[z]++;
  }
  if (counts.slice(0, core).every((c) => c === 0) || counts[core] === 0) return null;
  const frames = plainFrames(evidence, config, g.sided === 'one-no-nyquist' ? 'one' : g.sided);
  const sg = config.phaseSign === '-' ? -1 : 1;
  const total = frames.blocks.reduce((a, b) => a + b.count, 0);
  // Per frame, each zone's mean power of x̂ (frames are the independent units of the spread).
  const power = new Float64Array(total * ZONES.length);
  let f = 0;
  for (const { m0, count, offset } of frames.blocks) {
    for (let m = 0; m < count; m++, f++) {
      const p = (offset + m) * N;
      let j = plainIndex(g, sg, m0 + m, 0);
      for (let n = 0; n < N; n++) {
        const z = zoneOf[n];
        if (z >= 0) {
          const v = frames.y[p + j] / w[n];
          power[f * ZONES.length + z] += (v * v) / counts[z];
        }
        j += sg;
        if (j === N) j = 0;
        else if (j < 0) j = N - 1;
      }
    }
  }
  const sumOf = (z: number): number => {
    let s = 0;
    for (let i = 0; i < total; i++) s += power[i * ZONES.length + z];
    return s;
  };
  const coreSum = sumOf(core);
  if (!(coreSum > 0) || !Number.isFinite(coreSum)) return null;
  const zones: TaperZone[] = [];
  let penaltyDb = 0;
  for (let z = 0; z < core; z++) {
    if (counts[z] === 0) continue;
    const sum = sumOf(z);
    const ratio = sum / coreSum;
    if (!(sum > 0) || !Number.isFinite(sum)) {
      penaltyDb += MAX_PENALTY_DB;
      zones.push({ level: ZONES[z], ratio, spread: MIN_SPREAD, samples: counts[z] });
      continue;
    }
    let variance = 0;
    for (let i = 0; i < total; i++) variance += (power[i * ZONES.length + z] / sum - power[i * ZONES.length + core] / coreSum) ** 2;
    const spread = Math.max(MIN_SPREAD, Math.sqrt(variance));
    penaltyDb += (10 * Math.LOG10E * Math.log(ratio) ** 2) / (2 * spread * spread);
    zones.push({ level: ZONES[z], ratio, spread, samples: counts[z] });
  }
  return { penaltyDb: Math.min(MAX_PENALTY_DB, penaltyDb), zones };
}
