import type { Evidence } from '../analysis/evidence.js';
import { consistencyProblem } from '../config/parse.js';
import type { PartialStftConfig, StftConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import { estimateWindow } from '../../heuristics/index.js';
import type { Candidate, FieldEvidence } from '../analyze/types.js';
import type { State } from '../search/beam.js';
import { CHANCE_COST_DB, type ConsistencyResult, consistencyDb, HOPELESS_DB, interiorKey } from './consistency.js';
import { fromPriorFields, unobservableFields } from './unobservable.js';

/**
 * The final ranking: complete candidates scored by STFT consistency on sampled frame blocks (when
 * there is phase) plus the prior cost of the analyzers' doubts, lower is better; confidence is a
 * softmax of the scores with a 3 dB temperature.
 */

const CONFIDENCE_TAU_DB = 3;
/**
 * Consistency under this is round-off, and round-off does not rank: two readings that are the same STFT
 * up to storage precision (a flipped one-sided spectrum with conjugated phase, say) measured -102 and
 * -114 dB on one float32 2048/512 file, by the signal's dynamic range alone. Every wrong reading DESIGN.md
 * 4.4 lists stays above -60 dB, so the priors decide below the floor.
 */
const ROUND_OFF_DB = -90;
/**
 * Raw errors under ROUND_OFF_DB and this close to the best are that same STFT again, and tie at the
 * floor. The floor alone did not do it: it is applied to the relative measure, which scales the raw
 * error by the chance error of random phase, and that differs between decodings of the same values. A
 * torch file and its spectral mirror (bins descending, phase conjugated) both measured −138.0 dB raw, and
 * −87.5 against −83.9 relative put the mirror first. Readings that are not the same STFT stay apart: a
 * measured window of 500 in the Blackman-Harris file, −93 dB raw against the truth's −147, is ranked as before.
 */
const ROUND_OFF_TIE_DB = 15;

/** Every field set, storage objects whole (`variable` optional: finalise fills it). */
export function isComplete(v: PartialStftConfig, hasPhase: boolean): v is StftConfig {
  // Storage fields come as partial objects from analyzers; `variable` is optional (finalise fills it).
  const fileOk = (f: PartialStftConfig['magnitudeFile']): boolean =>
    !!f && f.format !== undefined && f.dtype !== undefined && f.endian !== undefined && f.headerBytes !== undefined;
  const keys: (keyof StftConfig)[] = [
    'layout',
    'frames',
    'bins',
    'nfft',
    'sided',
    'hop',
    'winLength',
    'windowPlacement',
    'window',
    'windowSymmetry',
    'center',
    'padMode',
    'firstFrameStart',
    'phaseReference',
    'phaseSign',
    'magnitudeScale',
    'dbFloor',
    'gain',
    'phaseUnit',
    'sampleRate',
    'originalLength',
    'channels',
    'binOrder',
    'detrend',
  ];
  return keys.every((k) => v[k] !== undefined) && fileOk(v.magnitudeFile) && (hasPhase ? fileOk(v.phaseFile) : v.phaseFile === null);
}

/** Normalise a complete candidate: analyzers for raw files need not name a `variable`. */
export function finalise(v: StftConfig): StftConfig {
  const file = (f: Partial<StftConfig['magnitudeFile']>) => ({ ...f, variable: f.variable ?? null }) as StftConfig['magnitudeFile'];
  return { ...v, magnitudeFile: file(v.magnitudeFile), phaseFile: v.phaseFile ? file(v.phaseFile) : null };
}

/** A complete config that passes validation (consistencyProblem), as the ranking takes it. */
export function isRankable(v: PartialStftConfig, hasPhase: boolean): v is StftConfig {
  return isComplete(v, hasPhase) && consistencyProblem(finalise(v)) === null;
}

/** Consistency of configs on the pair's sampled blocks, each distinct reading evaluated once. */
export class ConsistencyScorer {
  /** Evaluations made (each an ISTFT/STFT of a few sampled blocks). */
  evaluations = 0;
  private readonly cache = new Map<string, ConsistencyResult | null>();

  constructor(
    private readonly evidence: Evidence,
    private readonly hasPhaseFile: boolean,
  ) {}

  evaluate(v: PartialStftConfig): ConsistencyResult | null {
    if (!isRankable(v, this.hasPhaseFile)) return null;
    const key = interiorKey(v);
    if (!this.cache.has(key)) {
      this.evaluations++;
      let c: ConsistencyResult | null = null;
      try {
        const config = finalise(v);
        c = consistencyDb(this.evidence, config, config.window === 'estimated' ? estimateWindow(this.evidence, config) : undefined);
      } catch (e) {
        if (!(e instanceof InputError) && !(e instanceof RangeError)) throw e;
      }
      this.cache.set(key, c);
    }
    return this.cache.get(key) ?? null;
  }

  /** The relative dB that ranks (consistencyDb's relativeDb), or null. */
  readonly measure = (v: PartialStftConfig): number | null => this.evaluate(v)?.relativeDb ?? null;
}

/** A complete candidate with its score (consistency dB + prior cost). */
export interface Ranked {
  s: State;
  config: StftConfig;
  consistency: number | null;
  error: number | null;
  score: number;
}

/** Score and sort complete states; `rankedBy` says whether any consistency could be measured. */
export function rankStates(complete: State[], scorer: ConsistencyScorer): { ranked: Ranked[]; rankedBy: 'consistency' | 'heuristics' } {
  let rankedBy: 'consistency' | 'heuristics' = 'heuristics';
  const scored = complete.map((s) => {
    const config = finalise(s.values as StftConfig);
    const e = scorer.evaluate(s.values);
    if (e !== null) rankedBy = 'consistency';
    const chance = e !== null && e.informative && e.relativeDb > HOPELESS_DB ? CHANCE_COST_DB : 0;
    return { s, config, consistency: e === null ? null : e.relativeDb + chance, error: e?.db ?? null };
  });
  const bestRaw = Math.min(...scored.map((r) => r.error ?? Infinity));
  const roundOff = (raw: number | null): boolean => raw !== null && raw <= ROUND_OFF_DB && raw <= bestRaw + ROUND_OFF_TIE_DB;
  const ranked = scored
    .map(({ s, config, consistency, error }) => ({
      s,
      config,
      consistency,
      error,
      score: (roundOff(error) ? ROUND_OFF_DB : Math.max(ROUND_OFF_DB, consistency ?? 0)) + s.cost,
    }))
    .sort((a, b) => a.score - b.score);
  return { ranked, rankedBy };
}

/**
 * The top candidates as the result lists them, with confidences over all ranked. Candidates that differ
 * only in fields their files cannot show (unobservable.ts) are one reading told twice: the best stands
 * for them, and its confidence is theirs together (on a magnitude-only file the edge and symmetry
 * variants of one hop and window filled the top five and pushed the next reading out).
 */
export function topCandidates(ranked: Ranked[], top: number): Candidate[] {
  const best = ranked[0].score;
  const weights = ranked.map((r) => Math.exp(-(r.score - best) / CONFIDENCE_TAU_DB));
  const total = weights.reduce((a, b) => a + b, 0);
  const readings = new Map<string, { r: Ranked; unobservable: string[]; weight: number }>();
  ranked.forEach((r, i) => {
    const unobservable = unobservableFields(r.config, r.s.trail);
    const k = observableKey(r.config, unobservable);
    const seen = readings.get(k);
    if (seen) seen.weight += weights[i];
    else readings.set(k, { r, unobservable, weight: weights[i] });
  });
  return [...readings.values()].slice(0, top).map(({ r, unobservable, weight }, i) => {
    return {
      rank: i + 1,
      score: round(r.score, 2),
      confidence: round(weight / total, 4),
      config: r.config,
      consistencyDb: r.consistency === null ? null : round(r.consistency, 2),
      consistencyErrorDb: r.error === null ? null : round(r.error, 2),
      priorCost: round(r.s.cost, 2),
      evidence: r.s.trail,
      ambiguousStart: startAmbiguity(r.config, r.s.trail, unobservable),
      unobservable,
      fromPrior: fromPriorFields(r.s.trail, unobservable),
    };
  });
}

/**
 * Where frame 0 starts when the data could not show it: the centring analyzer's flag (heuristics/centring/
 * ambiguous.ts), from the trail; or a start the files cannot show at all (`unobservable`: magnitudes
 * without phase, start not pinned), where the makers' readings (uncentred, centred by ⌊nfft/2⌋) differ by ⌊nfft/2⌋.
 */
function startAmbiguity(config: StftConfig, trail: FieldEvidence[], unobservable: readonly string[]): Candidate['ambiguousStart'] {
  const e = trail.find((t) => t.field === 'firstFrameStart');
  const spread = e?.metrics?.edgeSpread;
  if (e?.metrics?.ambiguousEdge === true && typeof spread === 'number') return { spreadSamples: spread };
  if (unobservable.includes('firstFrameStart') && config.hop < config.nfft) return { spreadSamples: Math.floor(config.nfft / 2) };
  return null;
}

/** The config without the fields its files cannot show. */
function observableKey(config: StftConfig, unobservable: readonly string[]): string {
  const hidden = new Set(unobservable);
  return JSON.stringify(Object.entries(config).filter(([k]) => !hidden.has(k)));
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
