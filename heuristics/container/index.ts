import type { Evidence, FileEvidence } from '../../src/analysis/evidence.js';
import { type FileStorage, isComplexDtype, type Layout, type PartialStftConfig } from '../../src/config/types.js';
import { type ArrayEntry, pickArrays } from '../../src/io/containers/index.js';
import { transformPrior, transformsFor } from '../shared/stft-shapes.js';
import { storageFields } from '../shared/storage-readings.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';

/**
 * Storage of container files (DESIGN 4.1): npy/npz/MAT/HDF5/text state dtype, byte order, shape and
 * memory order exactly, so the storage is decided outright (the array's data offset is the header, its
 * name the variable). A 2-D array also states the shape up to orientation: both orientations are
 * offered, each with the layout that names its axes (DESIGN.md §1: (frames, bins) is frame-major and
 * (bins, frames) bin-major, whatever the memory order; the reader walks Fortran memory accordingly),
 * weighted only mildly by how well each axis fits nfft/2+1; the shape stage's DC/Nyquist test decides.
 */

/** Orientation weights stay within these bounds: the container knows the shape, not which axis is bins. */
const ORIENTATION_MIN = 0.25;
const ORIENTATION_MAX = 0.75;

function storageOf(f: FileEvidence, e: ArrayEntry): FileStorage {
  return { format: f.container.format, dtype: e.dtype, endian: e.endian, headerBytes: e.dataOffset ?? 0, variable: e.name };
}

function describe(e: ArrayEntry): string {
  const name = e.name === null ? 'the array' : `"${e.name}"`;
  const where = e.dataOffset === null ? 'read through the container (compressed or split)' : `data at byte ${e.dataOffset}`;
  return `${name} ${e.dtype} ${e.endian} (${e.shape.join(', ')}) order ${e.order}, ${where}`;
}

function count(e: ArrayEntry): number {
  return e.shape.reduce((a, b) => a * b, 1);
}

/**
 * Two arrays of one container told apart by their order alone (np.savez(angle, abs), MAT or HDF5
 * variables with no telling names) are also read the other way round, at this share: the shape stage's
 * DC/Nyquist test of the phase decides (the order, sorted by name in HDF5, is a weak cue).
 */
const SWAPPED_SHARE = 0.5;

/** The array of a file to use in `role`, honouring a pinned variable name. */
function choose(f: FileEvidence, role: 'magnitude' | 'phase', alone: boolean, pinned: string | null | undefined): { entry?: ArrayEntry; why: string } {
  const info = f.container;
  if (pinned !== undefined && pinned !== null) {
    const e = info.arrays.find((a) => a.name === pinned);
    return e ? { entry: e, why: `variable "${pinned}" pinned` } : { why: `no array "${pinned}" in the ${info.format} file` };
  }
  if (info.arrays.length === 1) return { entry: info.arrays[0], why: 'the only array' };
  const pick = pickArrays(info);
  if (role === 'phase') return { entry: pick.phase ?? pick.magnitude ?? pick.complex, why: pick.reason };
  // A lone magnitude file may hold the whole complex STFT; beside a phase file it holds magnitudes.
  return { entry: alone ? (pick.complex ?? pick.magnitude) : (pick.magnitude ?? pick.complex), why: pick.reason };
}

/** The dims above 1, which a layout names (a singleton axis orders nothing). */
function matrixDims(e: ArrayEntry): string {
  return e.shape.filter((d) => d > 1).join('x');
}

function runContainer(evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
  const result = readContainer(evidence, fixed);
  const ph = evidence.phase;
  const pinned = fixed.magnitudeFile?.variable != null || fixed.phaseFile?.variable != null;
  if (ph === null || ph.path !== evidence.magnitude.path || fixed.phaseFile === null || pinned) return result;
  const pick = pickArrays(ph.container);
  if (!pick.byOrder || !pick.magnitude || !pick.phase) return result;
  const swap = { magnitude: pick.phase, phase: pick.magnitude };
  const other = readContainer(evidence, fixed, swap);
  const why = `; the other way round: the names do not tell (a share of ${SWAPPED_SHARE})`;
  return {
    hypotheses: [...result.hypotheses, ...other.hypotheses.map((h) => ({ ...h, score: h.score * SWAPPED_SHARE, reason: h.reason + why }))].sort(
      (x, y) => y.score - x.score,
    ),
  };
}

/** The storage and shape hypotheses of the container's arrays (`swap`: the two of one file read the other way round). */
function readContainer(evidence: Evidence, fixed: PartialStftConfig, swap?: { magnitude: ArrayEntry; phase: ArrayEntry }): AnalyzerResult {
  const magC = evidence.magnitude.container.format !== 'raw';
  const ph = evidence.phase;
  const phaseC = ph !== null && ph.container.format !== 'raw' && fixed.phaseFile !== null;
  const values: PartialStftConfig = {};
  const parts: string[] = [];
  const metrics: Record<string, number | string | boolean> = {};
  let magEntry: ArrayEntry | undefined;
  let phaseEntry: ArrayEntry | undefined;
  if (magC) {
    const m = swap
      ? { entry: swap.magnitude, why: 'read the other way round' }
      : choose(evidence.magnitude, 'magnitude', ph === null, fixed.magnitudeFile?.variable);
    if (!m.entry) return undecided(`magnitude ${evidence.magnitude.container.format} file: ${m.why}`);
    magEntry = m.entry;
    values.magnitudeFile = storageOf(evidence.magnitude, m.entry);
    const complex = isComplexDtype(m.entry.dtype);
    if (complex && ph === null) values.phaseFile = null;
    parts.push(`${evidence.magnitude.container.format} ${complex ? 'complex STFT' : 'magnitude'} ${describe(m.entry)} (${m.why})`);
    metrics.magnitudeValues = count(m.entry);
  }
  if (phaseC && ph) {
    const p = swap ? { entry: swap.phase, why: 'read the other way round' } : choose(ph, 'phase', false, fixed.phaseFile?.variable);
    if (!p.entry) return undecided(`phase ${ph.container.format} file: ${p.why}`);
    phaseEntry = p.entry;
    values.phaseFile = storageOf(ph, p.entry);
    parts.push(`phase ${ph.container.format} ${describe(p.entry)} (${p.why})`);
    metrics.phaseValues = count(p.entry);
  }
  let pairScore = 1;
  if (magEntry && phaseEntry) {
    if (count(magEntry) !== count(phaseEntry)) {
      pairScore = 0.1;
      parts.push(`their sizes differ (${count(magEntry)} vs ${count(phaseEntry)} values)`);
    } else if (matrixDims(magEntry) !== matrixDims(phaseEntry)) {
      // The layout names axes: arrays transposed to each other cannot share one (memory order may differ).
      pairScore = 0.3;
      parts.push(`their shapes are transposed to each other (one layout cannot describe both)`);
    }
  }
  const reason = parts.join(' | ');
  const dims = magEntry ? magEntry.shape.filter((d) => d > 1) : [];
  if (!magEntry || dims.length !== 2) {
    if (magEntry && dims.length > 2) {
      parts.push(
        `a ${dims.length}-D array (${magEntry.shape.join(', ')}): not read as channels (only a C-order leading axis of 2–8 is); its values are read as one frames × bins matrix, the shape left to the shape stage`,
      );
    }
    return { hypotheses: [{ values, score: pairScore, reason: parts.join(' | '), metrics }] };
  }
  const [a, b] = dims;
  const order = magEntry.order;
  const orientations: { frames: number; bins: number; layout: Layout }[] = [
    { frames: a, bins: b, layout: 'frame-major' },
    { frames: b, bins: a, layout: 'bin-major' },
  ];
  // A labelled table names its axes: rows labelled by times or columns by frequencies are frames × bins.
  const l = magEntry.labels;
  if (l && (l.rows || l.columns) && order === 'C') {
    const what = [l.rows ? `the first column "${l.rowName ?? ''}" labels the rows` : '', l.columns ? `the header labels the columns with frequencies` : '']
      .filter((x) => x)
      .join(' and ');
    return {
      hypotheses: [
        {
          values: { ...values, ...orientations[0] },
          score: pairScore,
          reason: `${reason} | labelled table: ${what}, so rows are frames (${a} frames × ${b} bins, frame-major)`,
          metrics,
        },
      ],
    };
  }
  // A mild preference for the axis whose length fits a common nfft's bin count.
  const fit = orientations.map((o) => Math.min(...transformsFor(o.bins).map(transformPrior)));
  const w = fit.map((c) => Math.exp(-0.5 * c));
  const hyps: Hypothesis[] = orientations.map((o, i) => {
    const share = Math.min(ORIENTATION_MAX, Math.max(ORIENTATION_MIN, w[i] / (w[0] + w[1])));
    return {
      values: { ...values, ...o },
      score: pairScore * share,
      reason: `${reason} | shape (${a}, ${b}) order ${order}: axis of ${o.bins} as bins (${o.layout}); nfft fit cost ${fit[i].toFixed(1)} nats, the shape stage decides`,
      metrics: { ...metrics, orientationShare: Math.round(share * 1000) / 1000 },
    };
  });
  return { hypotheses: hyps.sort((x, y) => y.score - x.score) };
}

export const container: Analyzer = {
  name: 'container',
  stage: 'storage',
  decides: [...storageFields(['format', 'dtype', 'endian', 'headerBytes', 'variable']), 'frames', 'bins', 'layout'],
  needs: [],
  applies: (evidence) => evidence.magnitude.container.format !== 'raw' || (evidence.phase !== null && evidence.phase.container.format !== 'raw'),
  run: runContainer,
};
