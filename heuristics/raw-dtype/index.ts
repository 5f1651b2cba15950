import { type FileEvidence, storageKey } from '../../src/analysis/evidence.js';
import { COMPLEX_DTYPES, type Dtype, type FileStorage, isComplexDtype, type PartialStftConfig, REAL_DTYPES } from '../../src/config/types.js';
import { containerCount, plausibleCount } from '../shared/stft-shapes.js';
import { type ByteSample, decodeWindows, interpretations, label, sampleBytes, sampleWindows, storageFields, valueSize } from '../shared/storage-readings.js';
import { HEADER_SCAN, type HeaderOption, headerOptions } from './header.js';
import { dropEquivalents, float16Twins, judge, type Reading, round, roughnessRelative } from './judge.js';
import { type Analyzer, type AnalyzerResult, type Hypothesis, undecided } from '../types.js';

/**
 * Numeric type, byte order and header of headerless raw files (DESIGN 4.2). Every dtype × endian is
 * read on a few KB sampled from the body of the file and judged in its role (judge.ts: phases
 * uniform on a hard range and exactly on its bound at DC/Nyquist, magnitudes ≥ 0 or log-like, no
 * NaN/wild exponents/denormals/misread sign or low bytes). The header is found per reading
 * (header.ts: stored dims that multiply to the remaining count, else the leading bytes that
 * break the pattern). A pair of files must hold the same number of values and usually shares type,
 * byte order and header (a soft prior); hypotheses are joint over both files, scored as posteriors.
 * Without a phase file, an interleaved complex file (complex64/128) is tried as well.
 */

const CHUNKS = 8;
const CHUNK_BYTES = 4096;
/** Values judged per reading (enough for a KS distance within ±0.02 and a few DC/Nyquist hits). */
const SAMPLE_VALUES = 4096;
/** Readings whose penalty is this much (nats) above the best are not worth a header search. */
const KEEP_WITHIN = 14;
const KEEP_READINGS = 6;
/** Above this penalty (nats) nothing reads the file as spectrogram data. */
const IMPLAUSIBLE = 7;
/** Defects (nats) the best pair may show before its scores are lowered. */
const DOUBT_FREE = 2;

/** Pairing costs (nats): a pair must have equal value counts, and usually shares its storage. */
const PAIR_COUNT_MISMATCH = 25;
const PAIR_DTYPE = 1.5;
const PAIR_ENDIAN = 2.5;
const PAIR_HEADER = 1.5;

interface FilePlan {
  reading: Reading;
  header: HeaderOption;
  /** Values after the header. */
  count: number;
  cost: number;
  fileSize: number;
  /** Whether the header length was pinned (then no other is considered). */
  pinned: boolean;
}

/** Score of a header length chosen only because it gives the other file's value count. */
const COUNT_MATCH_HEADER = 0.4;

/** The same reading with the header length that leaves exactly `count` values, when there is one. */
function matchCount(p: FilePlan, count: number): FilePlan | null {
  const s = valueSize(p.reading.interp.dtype);
  const h = p.fileSize - count * s;
  if (p.pinned || h < 0 || h > HEADER_SCAN || h === p.header.bytes) return null;
  const header = { bytes: h, score: COUNT_MATCH_HEADER, why: `the length that leaves the other file's ${count} values` };
  return { ...p, header, count, cost: p.reading.penalty - Math.log(COUNT_MATCH_HEADER) };
}

interface FileAnalysis {
  plans: FilePlan[];
  readings: Reading[];
  /** Set when the file cannot be judged (tiny, constant). */
  problem?: string;
}

function analyseFile(f: FileEvidence, role: 'magnitude' | 'phase', pins: Partial<FileStorage> | null | undefined, withComplex: boolean): FileAnalysis {
  if (f.size < 64) return { plans: [], readings: [], problem: `${role} file is tiny (${f.size} bytes)` };
  const bodyFrom = Math.min(HEADER_SCAN, Math.floor(f.size / 4));
  const sample: ByteSample[] = sampleBytes((o, l) => f.bytes(o, l), f.size, bodyFrom, CHUNKS, CHUNK_BYTES);
  const first = sample[0]?.bytes[0];
  if (sample.every((s) => s.bytes.every((b) => b === first))) {
    return { plans: [], readings: [], problem: `${role} file holds one repeated byte (0x${(first ?? 0).toString(16).padStart(2, '0')}): nothing to read` };
  }
  // The bytes before the body sample: where a bin-major phase file keeps its DC run (header bytes
  // are zeros or small dims, which never count as bound hits).
  const earlyBytes: ByteSample | null = bodyFrom > 0 ? { offset: 0, bytes: f.bytes(0, bodyFrom) } : null;
  const dtypes: Dtype[] = [...REAL_DTYPES, ...(withComplex ? COMPLEX_DTYPES : [])];
  const readings: Reading[] = [];
  for (const interp of interpretations(dtypes)) {
    if (pins?.dtype !== undefined && pins.dtype !== interp.dtype) continue;
    if (pins?.endian !== undefined && valueSize(interp.dtype) > 1 && pins.endian !== interp.endian) continue;
    const s = valueSize(interp.dtype);
    const align = pins?.headerBytes !== undefined ? pins.headerBytes % s : f.size % s;
    const windows = sampleWindows(sample, interp, align, SAMPLE_VALUES);
    const early = earlyBytes && role === 'phase' ? decodeWindows(sampleWindows([earlyBytes], interp, align, SAMPLE_VALUES), interp)[0] : null;
    const r = judge(isComplexDtype(interp.dtype) ? 'complex' : role, interp, windows, early);
    // A pinned 1-byte dtype keeps the user's endian label.
    if (pins?.endian !== undefined) r.interp = { ...interp, endian: pins.endian };
    readings.push(r);
  }
  if (role === 'magnitude') {
    roughnessRelative(readings);
    float16Twins(readings);
  }
  readings.sort((a, b) => a.penalty - b.penalty);
  if (readings.length === 0) return { plans: [], readings, problem: `no ${role} reading fits the pinned storage` };
  dropEquivalents(readings, role);
  const best = readings[0].penalty;
  const kept = readings.filter((r) => r.penalty <= best + KEEP_WITHIN).slice(0, KEEP_READINGS);
  const lead = f.bytes(0, Math.min(f.size, HEADER_SCAN + 256));
  const plans: FilePlan[] = [];
  for (const r of kept) {
    const s = valueSize(r.interp.dtype);
    const options = pins?.headerBytes !== undefined ? [{ bytes: pins.headerBytes, score: 1, why: 'header length pinned' }] : headerOptions(lead, f.size, r);
    for (const h of options) {
      const count = Math.floor((f.size - h.bytes) / s);
      if (count <= 0) continue;
      const countCost = plausibleCount(count) ? 0 : 4;
      plans.push({ reading: r, header: h, count, cost: r.penalty - Math.log(h.score) + countCost, fileSize: f.size, pinned: pins?.headerBytes !== undefined });
    }
  }
  plans.sort((a, b) => a.cost - b.cost);
  return { plans, readings };
}

function storageOf(p: FilePlan): FileStorage {
  return { format: 'raw', dtype: p.reading.interp.dtype, endian: p.reading.interp.endian, headerBytes: p.header.bytes, variable: null };
}

function pairCost(m: FilePlan, p: FilePlan): { cost: number; notes: string[] } {
  const notes: string[] = [];
  let cost = 0;
  if (m.count !== p.count) {
    cost += PAIR_COUNT_MISMATCH;
    notes.push(`value counts differ (${m.count} vs ${p.count})`);
  }
  if (m.reading.interp.dtype !== p.reading.interp.dtype) cost += PAIR_DTYPE;
  const multi = valueSize(m.reading.interp.dtype) > 1 && valueSize(p.reading.interp.dtype) > 1;
  if (multi && m.reading.interp.endian !== p.reading.interp.endian) cost += PAIR_ENDIAN;
  if (m.header.bytes !== p.header.bytes) cost += PAIR_HEADER;
  return { cost, notes };
}

function describe(p: FilePlan): string {
  const r = p.reading;
  const flaws = r.defects.length ? `; against it: ${r.defects.join(', ')}` : '';
  return `${label(r.interp)}, header ${p.header.bytes} B (${p.header.why}): ${r.facts}${flaws}`;
}

interface Joint {
  mag: FilePlan | null;
  phase: FilePlan | null;
  cost: number;
  notes: string[];
}

function runRawDtype(evidence: Parameters<Analyzer['run']>[0], fixed: PartialStftConfig): AnalyzerResult {
  const magRaw = evidence.magnitude.container.format === 'raw';
  const ph = evidence.phase;
  const phaseRaw = ph !== null && ph.container.format === 'raw' && fixed.phaseFile !== null;
  const mag = magRaw ? analyseFile(evidence.magnitude, 'magnitude', fixed.magnitudeFile, ph === null) : null;
  const pha = phaseRaw && ph ? analyseFile(ph, 'phase', fixed.phaseFile, false) : null;
  if (mag?.problem) return undecided(mag.problem);
  if (pha?.problem) return undecided(pha.problem);
  if (mag && (mag.readings.length === 0 || mag.readings[0].penalty > IMPLAUSIBLE)) {
    const b = mag.readings[0];
    return undecided(
      b
        ? `no numeric type reads the magnitude file as spectrogram data (best ${label(b.interp)}: ${b.facts}; against it: ${b.defects.join(', ') || 'its prior'})`
        : 'no magnitude reading',
    );
  }
  if (pha && (pha.readings.length === 0 || pha.readings[0].penalty > IMPLAUSIBLE)) {
    const b = pha.readings[0];
    return undecided(
      b
        ? `no numeric type reads the phase file as phases (best ${label(b.interp)}: ${b.facts}; against it: ${b.defects.join(', ') || 'its prior'})`
        : 'no phase reading',
    );
  }
  // The other file of a mixed pair is a container: its array fixes the value count to match.
  const otherCount = !magRaw
    ? containerCount(evidence.magnitude, fixed.magnitudeFile)
    : ph && !phaseRaw && fixed.phaseFile !== null
      ? containerCount(ph, fixed.phaseFile)
      : null;
  const joints: Joint[] = [];
  const magPlans = mag ? mag.plans.slice(0, 12) : [null];
  const phasePlans = pha ? pha.plans.slice(0, 12) : [null];
  for (const m0 of magPlans) {
    for (const p0 of phasePlans) {
      let m = m0;
      let p = p0;
      // Counts must agree: when they do not, try the header of either file that makes them agree.
      if (m && p && m.count !== p.count) {
        const options: [FilePlan, FilePlan][] = [[m, p]];
        const altP = matchCount(p, m.count);
        const altM = matchCount(m, p.count);
        if (altP) options.push([m, altP]);
        if (altM) options.push([altM, p]);
        [m, p] = options.reduce((a, b) => (b[0].cost + b[1].cost + pairCost(b[0], b[1]).cost < a[0].cost + a[1].cost + pairCost(a[0], a[1]).cost ? b : a));
      }
      let cost = (m?.cost ?? 0) + (p?.cost ?? 0);
      const notes: string[] = [];
      if (m && p) {
        const pc = pairCost(m, p);
        cost += pc.cost;
        notes.push(...pc.notes);
      }
      const single = m ?? p;
      if (single && otherCount !== null && single.count !== otherCount) {
        cost += PAIR_COUNT_MISMATCH;
        notes.push(`${single.count} values, the container file holds ${otherCount}`);
      }
      joints.push({ mag: m, phase: p, cost, notes });
    }
  }
  joints.sort((a, b) => a.cost - b.cost);
  // Count matching can reach one storage pair from several plans: keep each pair once.
  const seen = new Set<string>();
  const unique = joints.filter((j) => {
    const key = `${j.mag ? storageKey(storageOf(j.mag)) : '-'}|${j.phase ? storageKey(storageOf(j.phase)) : '-'}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  joints.length = 0;
  joints.push(...unique);
  const best = joints[0].cost;
  let total = 0;
  for (const j of joints) total += Math.exp(best - j.cost);
  // Posteriors say which reading is best; when even the best one has defects, every score is lowered.
  const doubt = (joints[0].mag?.reading.doubt ?? 0) + (joints[0].phase?.reading.doubt ?? 0);
  const confidence = Math.exp(-Math.max(0, doubt - DOUBT_FREE));
  const hyps: Hypothesis[] = [];
  for (const j of joints.slice(0, 8)) {
    const score = (confidence * Math.exp(best - j.cost)) / total;
    if (score < 1e-4) break;
    const values: PartialStftConfig = {};
    const parts: string[] = [];
    const metrics: Record<string, number | string | boolean> = { cost: round(j.cost - best) };
    if (j.mag) {
      values.magnitudeFile = storageOf(j.mag);
      if (j.mag.reading.role === 'complex') values.phaseFile = null;
      parts.push(`${j.mag.reading.role === 'complex' ? 'complex file' : 'magnitude'} ${describe(j.mag)}`);
      for (const [k, v] of Object.entries(j.mag.reading.metrics)) metrics[`magnitude.${k}`] = v;
      metrics['magnitude.values'] = j.mag.count;
    }
    if (j.phase) {
      values.phaseFile = storageOf(j.phase);
      parts.push(`phase ${describe(j.phase)}`);
      for (const [k, v] of Object.entries(j.phase.reading.metrics)) metrics[`phase.${k}`] = v;
      metrics['phase.values'] = j.phase.count;
    }
    if (j.notes.length) parts.push(j.notes.join('; '));
    if (confidence < 1) parts.push(`scores lowered ×${confidence.toFixed(2)}: the best reading has defects worth ${doubt.toFixed(1)} nats`);
    hyps.push({ values, score, reason: parts.join(' | '), metrics });
  }
  return { hypotheses: hyps };
}

export const rawDtype: Analyzer = {
  name: 'raw-dtype',
  stage: 'storage',
  decides: storageFields(['format', 'dtype', 'endian', 'headerBytes']),
  needs: [],
  applies: (evidence) => evidence.magnitude.container.format === 'raw' || evidence.phase?.container.format === 'raw',
  run: runRawDtype,
};
