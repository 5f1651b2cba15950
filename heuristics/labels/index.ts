import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { type AxisLabels, evenStep } from '../../src/io/containers/index.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';
import { frequencyLabels, statedRate } from '../shared/side-arrays.js';

/**
 * The sample rate (and hop) from a labelled table's axes (pandas DataFrame.to_csv, MATLAB writetable,
 * Sonic Visualiser): bin frequencies step by Δf = sampleRate/nfft, so sampleRate = Δf·nfft exactly
 * once the shape stage has nfft; frame times step by Δt = hop/sampleRate, which then gives the hop
 * (or, with only times, sampleRate = hop/Δt from the hop the transform stage measured). A container's
 * arrays beside the STFT state it too (shared/side-arrays.ts): a scalar `fs` (scipy.io.savemat of a
 * dict with the rate), or the frequency vector scipy and MATLAB return (Δf·nfft again). Nothing else
 * in an STFT file states the rate. Runs before `recipe`, whose usual rates are only priors.
 */

/** A rate or hop this close to an integer (relative) is that integer; labels print 6–17 digits. */
const INTEGER_TOLERANCE = 1e-4;
/** Support for a rate the labels state while the measured hop disagrees with their time step. */
const DISAGREEING = 0.1;

function labelsOf(evidence: Evidence, fixed: PartialStftConfig): AxisLabels | null {
  for (const f of [evidence.magnitude, evidence.phase]) {
    if (!f) continue;
    const variable = f === evidence.magnitude ? fixed.magnitudeFile?.variable : fixed.phaseFile?.variable;
    const e = f.container.arrays.find((a) => a.name === (variable ?? null)) ?? (f.container.arrays.length === 1 ? f.container.arrays[0] : undefined);
    if (e?.labels) return e.labels;
  }
  return null;
}

function nearInteger(x: number): number | null {
  const r = Math.round(x);
  return r >= 1 && Math.abs(x - r) <= INTEGER_TOLERANCE * r ? r : null;
}

const fmt = (x: number): string => String(Number(x.toPrecision(10)));

/** The rate the arrays beside the STFT state: a scalar sample rate, or a frequency vector's step × nfft. */
function sideRate(evidence: Evidence, fixed: PartialStftConfig): { rate: number; why: string } | null {
  const stated = statedRate(evidence);
  if (stated) return { rate: stated.rate, why: `the container holds ${stated.name} = ${stated.rate} beside the arrays: sampleRate ${stated.rate} Hz` };
  const bins = fixed.bins as number;
  const f = bins > 1 ? frequencyLabels(evidence, bins) : null;
  if (!f) return null;
  const step = Math.abs(f.last - f.first) / (bins - 1);
  const rate = nearInteger(step * (fixed.nfft as number));
  if (rate === null) return null;
  return {
    rate,
    why: `the frequency vector "${f.name}" beside the arrays steps ${fmt(step)} Hz = sampleRate/nfft, with nfft ${fixed.nfft}: sampleRate ${rate} Hz`,
  };
}

function runLabels(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const l = labelsOf(evidence, fixed);
  if (!l) {
    const side = sideRate(evidence, fixed);
    if (!side) return undecided('no axis labels, and no sample rate or frequency vector beside the arrays');
    return { hypotheses: [{ values: { sampleRate: side.rate }, score: 1, reason: side.why, metrics: { sampleRate: side.rate } }] };
  }
  const nfft = fixed.nfft as number;
  const notes: string[] = [];
  let df: number | null = null;
  if (l.columns) {
    df = l.columns.length === fixed.bins ? evenStep(l.columns) : null;
    if (df === null) notes.push(`the ${l.columns.length} column labels are not ${fixed.bins} evenly spaced frequencies`);
  }
  const dt = l.rows && l.rows.length >= 2 ? evenStep(l.rows) : null;
  if (l.rows && dt === null) notes.push('the row labels do not step evenly');
  const metrics: Record<string, number | string | boolean> = {};
  if (df !== null) metrics.binSpacingHz = Math.abs(df);
  if (dt !== null) metrics.frameStepS = Math.abs(dt);
  if (df !== null) {
    const rate = nearInteger(Math.abs(df) * nfft);
    if (rate === null) return undecided(`bin spacing ${fmt(Math.abs(df))} Hz × nfft ${nfft} = ${fmt(Math.abs(df) * nfft)} Hz is no whole sample rate`);
    const why = `the header labels the bins every ${fmt(Math.abs(df))} Hz = sampleRate/nfft, with nfft ${nfft}: sampleRate ${rate} Hz`;
    const hop = dt === null ? null : nearInteger(Math.abs(dt) * rate);
    if (dt === null || hop === null) {
      const tail = dt === null ? '' : `; the frame step ${fmt(Math.abs(dt))} s is no whole hop at that rate`;
      return { hypotheses: [{ values: { sampleRate: rate }, score: 1, reason: `${why}${tail}`, metrics: { ...metrics, sampleRate: rate } }] };
    }
    const withHop = `${why}; the rows step ${fmt(Math.abs(dt))} s = hop/sampleRate: hop ${hop}`;
    const hyps: Hypothesis[] = [{ values: { sampleRate: rate, hop }, score: 1, reason: withHop, metrics: { ...metrics, sampleRate: rate, hop } }];
    if (fixed.hop !== undefined && fixed.hop !== hop) {
      hyps.push({
        values: { sampleRate: rate },
        score: DISAGREEING,
        reason: `${withHop}, not the measured ${fixed.hop}`,
        metrics: { ...metrics, sampleRate: rate, hop },
      });
    }
    return { hypotheses: hyps };
  }
  if (dt !== null && fixed.hop !== undefined) {
    const rate = nearInteger(fixed.hop / Math.abs(dt));
    if (rate === null) return undecided(`hop ${fixed.hop} / frame step ${fmt(Math.abs(dt))} s = ${fmt(fixed.hop / Math.abs(dt))} Hz is no whole sample rate`);
    const reason = `the first column labels the frames every ${fmt(Math.abs(dt))} s = hop/sampleRate, with hop ${fixed.hop}: sampleRate ${rate} Hz`;
    return { hypotheses: [{ values: { sampleRate: rate }, score: 1, reason, metrics: { ...metrics, sampleRate: rate } }] };
  }
  return undecided(notes.join('; ') || 'the labels state neither a bin spacing nor, with a known hop, a frame step');
}

export const labels: Analyzer = {
  name: 'labels',
  stage: 'prior',
  decides: ['sampleRate', 'hop'],
  needs: ['nfft', 'bins'],
  reads: ['hop', 'frames', 'magnitudeFile.variable', 'phaseFile.variable'],
  applies: (evidence, fixed) => labelsOf(evidence, fixed) !== null || sideRate(evidence, fixed) !== null,
  run: runLabels,
};
