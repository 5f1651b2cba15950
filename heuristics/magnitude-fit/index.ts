import type { Evidence } from '../../src/analysis/evidence.js';
import type { MagnitudeScale, PartialStftConfig } from '../../src/config/types.js';
import { hasPhase, round4, TRANSFORM_NEEDS, transformInput } from '../shared/transform-input.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import { pickExcerpts } from './contrast.js';
import { INFORMATIVE_DB, PRESET_BONUS_DB, scanReadings } from './scan.js';

/**
 * magnitude-fit: hop and window of a magnitude-only file, by how well each common reading explains the
 * succession of its frames (contrast.ts: a short FGLA under the reading against the same frames
 * shuffled; scan.ts: which readings). A named tool preset the reading completes is a prior that decides
 * where the contrast does not (a held chord), never against a clear one. Where a shorter window sits in
 * its frame cannot show in magnitudes (|FFT| ignores a circular shift): the maker's convention places it.
 */

/** Hypotheses returned; states of the beam it runs on (each run is a few hundred short FGLAs). */
const MAX_HYPOTHESES = 8;
const MAX_STATES = 2;
/**
 * The scale the contrast is measured under when the values stage could not read one (a lower tail no
 * scale fits, such as speech with an empty band above its resampling cut-off): the fill's first choice,
 * linear, which the fill then still arbitrates. The contrast cannot choose the scale itself: read as
 * power (the square root taken), Octave's linear speech file fitted every reading better than its true
 * scale did (−18 dB at a wrong hop and window against −18 at the truth as linear).
 */
const OPEN_SCALE: MagnitudeScale = 'linear';

export const magnitudeFit: Analyzer = {
  name: 'magnitude-fit',
  stage: 'transform',
  decides: ['hop', 'winLength', 'window', 'windowSymmetry', 'windowPlacement', 'detrend'],
  needs: TRANSFORM_NEEDS.filter((f) => f !== 'magnitudeScale' && f !== 'dbFloor'),
  reads: ['binOrder', 'magnitudeScale', 'dbFloor'],
  branches: 6,
  maxStates: MAX_STATES,
  applies: (evidence: Evidence, fixed: PartialStftConfig) => !hasPhase(evidence, fixed) && typeof transformInput(withScale(fixed)) !== 'string',
  run(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const open = fixed.magnitudeScale === undefined;
    const c = transformInput(withScale(fixed));
    if (typeof c === 'string') return undecided(c);
    const x = pickExcerpts(evidence, c);
    if (x.length === 0) return undecided('no phase, and too few non-silent frames for a consistency contrast');
    const blocks = x.map((e) => `${e.start}–${e.start + e.frames - 1}`).join(' and ');
    const { ranked, informative } = scanReadings(x, c, fixed);
    if (ranked.length === 0) return undecided('no common reading overlaps its frames: magnitudes cannot rank frames that do not overlap');
    const best = ranked[0];
    if (!informative && !best.preset) {
      return undecided(
        `no phase, and no reading explains the frames' succession clearly better than the others do (best contrast against a shuffled order ${best.s.contrast.toFixed(1)} dB, not ${-INFORMATIVE_DB} dB beyond the median reading's): a stationary or short excerpt`,
      );
    }
    const hypotheses: Hypothesis[] = ranked.slice(0, MAX_HYPOTHESES).map(({ s, cost, preset }) => ({
      values: { ...s.r, ...(preset ? { detrend: preset.detrend } : {}) },
      score: Math.max(1e-3, 10 ** (-(cost - best.cost) / 10)),
      reason:
        `no phase: FGLA on frames ${blocks} under hop ${s.r.hop}, ${s.r.window} ${s.r.windowSymmetry} ${s.r.winLength}${open ? ` (read as ${OPEN_SCALE}: the scale is still open)` : ''} converges to ${s.sc.toFixed(1)} dB, ${(-s.contrast).toFixed(1)} dB better than the same frames shuffled (summed over the excerpts)` +
        (preset ? `; completes ${preset.name} (${preset.matched}: a prior of ${(PRESET_BONUS_DB * preset.share).toFixed(1)} dB)` : '') +
        (informative ? '' : '; the magnitudes barely tell readings apart, so the preset decides') +
        (s.r.winLength < (fixed.nfft ?? 0) ? `; where the window sits cannot show in magnitudes (${s.r.windowPlacement}: the maker's convention)` : ''),
      metrics: { contrastDb: round4(s.contrast), scDb: round4(s.sc), excerpts: blocks, readings: ranked.length, preset: preset?.name ?? '', informative },
      // Where no contrast stood out, the presets and family habits ordered these readings, not the data.
      ...(informative ? {} : { prior: preset?.name ?? 'the window families’ habits' }),
    }));
    return { hypotheses };
  },
};

/**
 * The config with OPEN_SCALE where the values stage left the scale open, and no floor where it left
 * that open: a scale the user pinned leaves dbFloor to the fill, and the contrast must still run then.
 */
function withScale(fixed: PartialStftConfig): PartialStftConfig {
  return { ...fixed, magnitudeScale: fixed.magnitudeScale ?? OPEN_SCALE, dbFloor: fixed.dbFloor ?? null };
}
