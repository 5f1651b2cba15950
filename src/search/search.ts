import { statSync } from 'node:fs';
import { dims } from '../../heuristics/dims.js';
import { ANALYZERS, estimateWindow } from '../../heuristics/index.js';
import { type Analyzer, type AnalyzerResult, getField, type Hypothesis, STAGES } from '../../heuristics/types.js';
import { Evidence, storageKey } from '../analysis/evidence.js';
import { assessPhase, type PhaseKind } from '../analysis/phase-quality.js';
import { pickArrays, sniffContainer } from '../io/containers/index.js';
import { consistencyProblem } from '../config/parse.js';
import type { PartialStftConfig, StftConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import { valueBytes } from '../io/dtype.js';
import { checkInputPaths } from '../io/input.js';
import { type ConsistencyResult, consistencyDb } from './consistency.js';
import { FALLBACK_ORDER, fallbackFor } from './fallbacks.js';

/** Why a field has its value in a candidate. */
export interface FieldEvidence {
  field: string;
  value: unknown;
  /** analyzer name, 'pinned' (the user), 'fallback' (a common value, arbitrated by consistency), or 'derived'. */
  source: string;
  reason: string;
  score?: number;
  /** The analyzer's best alternative for this field, when it had one. */
  runnerUp?: { value: unknown; score: number };
  /** The numbers behind the reason. */
  metrics?: Record<string, number | string | boolean>;
}

export interface Candidate {
  rank: number;
  /** Lower is better: consistency dB (when phase exists) plus the prior cost of the analyzers' doubts. */
  score: number;
  confidence: number;
  config: StftConfig;
  consistencyDb: number | null;
  /**
   * DESIGN 4.4's raw error 20·log10(‖STFT(ISTFT(X)) − X‖/‖X‖) on the sampled blocks: round-off for a
   * true STFT at any overlap, where consistencyDb (what ranks) also weighs how much the overlap tests.
   */
  consistencyErrorDb: number | null;
  priorCost: number;
  evidence: FieldEvidence[];
}

export interface AnalyzerRun {
  name: string;
  stage: string;
  runs: number;
  /** Wall time of all its runs (ms). */
  ms: number;
  undecided: string[];
  /** Readings it ruled out (states dropped), with the first reason. */
  rejected: number;
  rejectedReason?: string;
}

/** How the rank-1 value of one field was decided, and how close the best alternative came. */
export interface FieldDecision {
  field: string;
  value: unknown;
  source: string;
  reason: string;
  /** The best-ranked candidate with another value for this field: its value and how much worse (dB). */
  alternative: { value: unknown; marginDb: number; rank: number } | null;
  /** The deciding analyzer's own runner-up, when no ranked candidate differed. */
  analyzerRunnerUp?: { value: unknown; score: number };
}

/** What the phase file turned out to be, and what the analysis did about it. */
export interface PhaseStatus {
  kind: PhaseKind;
  usable: boolean;
  reason: string;
  /** The two files were given in the wrong order and were swapped. */
  swapped: boolean;
}

export interface AnalysisResult {
  magnitudeFile: string;
  phaseFile: string | null;
  candidates: Candidate[];
  /** Per field of the rank-1 config: the evidence that decided it and the runner-up's margin. */
  decisions: FieldDecision[];
  analyzers: AnalyzerRun[];
  notes: string[];
  /** Consistency evaluations made (each an ISTFT/STFT of a few sampled blocks), over every reading tried: the expensive test's count. */
  consistencyEvaluations: number;
  /** Whether candidates were ranked by consistency (phase available) or by the heuristics alone. */
  rankedBy: 'consistency' | 'heuristics';
  phase: PhaseStatus;
  elapsedMs: number;
}

export interface AnalyzeOptions {
  pins?: PartialStftConfig;
  /** How many candidates to return. */
  top?: number;
  analyzers?: readonly Analyzer[];
  onProgress?: (stage: string, fraction: number) => void;
}

interface State {
  values: PartialStftConfig;
  cost: number;
  trail: FieldEvidence[];
  ran: Set<string>;
}

/** Partial configs kept between analyzers, and hypotheses taken per analyzer run. */
const BEAM = 48;
const PER_ANALYZER = 4;
/** Hypotheses weaker than this fraction of the best are not worth a branch. */
const MIN_RELATIVE_SCORE = 0.02;
/** Prior cost of keeping a value an analyzer disagreed with (it found none of its own compatible). */
const DISAGREEMENT_COST = 10;
const CONFIDENCE_TAU_DB = 3;

/** Flatten a hypothesis's values to dotted field names. */
function flatten(values: PartialStftConfig): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(values)) {
    if ((k === 'magnitudeFile' || k === 'phaseFile') && v !== null && typeof v === 'object') {
      for (const [s, sv] of Object.entries(v as Record<string, unknown>)) out.push([`${k}.${s}`, sv]);
    } else out.push([k, v]);
  }
  return out;
}

function setFlat(values: PartialStftConfig, field: string, v: unknown): PartialStftConfig {
  const dot = field.indexOf('.');
  if (dot < 0) return { ...values, [field]: v };
  const head = field.slice(0, dot) as 'magnitudeFile' | 'phaseFile';
  const cur = values[head];
  return { ...values, [head]: { ...(cur ?? {}), [field.slice(dot + 1)]: v } };
}

function compatible(state: PartialStftConfig, h: Hypothesis): boolean {
  for (const [f, v] of flatten(h.values)) {
    const cur = getField(state, f);
    if (cur !== undefined && cur !== v && !(f === 'phaseFile' && v === null && cur === null)) return false;
  }
  return true;
}

function needsMet(a: Analyzer, values: PartialStftConfig): boolean {
  return a.needs.every((f) => getField(values, f) !== undefined);
}

function cacheKey(a: Analyzer, values: PartialStftConfig): string {
  if (a.reads === 'all') return `${a.name}|${JSON.stringify(flatten(values))}`;
  const parts = [...a.needs, ...(a.reads ?? [])].map((f) => JSON.stringify(getField(values, f)));
  // Pinned/decided values of the fields it decides also change what it may say.
  for (const f of a.decides) parts.push(JSON.stringify(getField(values, f) ?? null));
  return `${a.name}|${parts.join('|')}`;
}

const costOf = (score: number): number => -10 * Math.log10(Math.max(1e-6, Math.min(1, score)));

/** The best alternative value of `field` among an analyzer's hypotheses. */
function runnerUpFor(result: AnalyzerResult, chosen: Hypothesis, field: string): { value: unknown; score: number } | undefined {
  const mine = getField(chosen.values, field);
  for (const h of result.hypotheses) {
    const v = getField(h.values, field);
    if (v !== undefined && v !== mine) return { value: v, score: h.score };
  }
  return undefined;
}

function expand(state: State, a: Analyzer, result: AnalyzerResult, pins: PartialStftConfig): State[] {
  if (result.rejects !== undefined) return [];
  const hyps = result.hypotheses;
  if (hyps.length === 0) return [{ ...state, ran: new Set([...state.ran, a.name]) }];
  const best = hyps[0].score;
  const taken = hyps.filter((h) => h.score >= best * MIN_RELATIVE_SCORE && compatible(state.values, h)).slice(0, a.branches ?? PER_ANALYZER);
  const ran = new Set([...state.ran, a.name]);
  if (taken.length === 0) {
    // Every hypothesis contradicts what is fixed: keep the state, but pay for the disagreement unless the user pinned it.
    const pinnedAll = flatten(hyps[0].values).every(([f]) => getField(pins, f) !== undefined);
    const note: FieldEvidence = {
      field: flatten(hyps[0].values).map(([f]) => f).join(', '),
      value: null,
      source: a.name,
      reason: `disagrees with the fixed values: it prefers ${flatten(hyps[0].values).map(([f, v]) => `${f}=${JSON.stringify(v)}`).join(', ')} (${hyps[0].reason})`,
      score: hyps[0].score,
    };
    return [{ values: state.values, cost: state.cost + (pinnedAll ? 0 : DISAGREEMENT_COST), trail: [...state.trail, note], ran }];
  }
  return taken.map((h) => {
    let values = state.values;
    const trail = [...state.trail];
    for (const [f, v] of flatten(h.values)) {
      if (getField(values, f) !== undefined) continue;
      values = setFlat(values, f, v);
      trail.push({ field: f, value: v, source: a.name, reason: h.reason, score: h.score, runnerUp: runnerUpFor(result, h, f), ...(h.metrics ? { metrics: h.metrics } : {}) });
    }
    return { values, cost: state.cost + costOf(h.score), trail, ran };
  });
}

function prune(states: State[], limit = BEAM): State[] {
  const seen = new Map<string, State>();
  for (const s of states) {
    const key = JSON.stringify(s.values);
    const prev = seen.get(key);
    if (!prev || s.cost < prev.cost) seen.set(key, s);
  }
  return [...seen.values()].sort((a, b) => a.cost - b.cost).slice(0, limit);
}

/** Fields whose fallback options the consistency test can tell apart (the rest are prior-only). */
const TESTABLE = new Set<keyof StftConfig>(['layout', 'magnitudeScale', 'phaseUnit', 'hop', 'winLength', 'window', 'windowSymmetry', 'phaseReference', 'phaseSign']);
/** Beam states that get the consistency-driven fill; the rest only their cheapest fallbacks. */
const FILL_BY_CONSISTENCY = 8;
/** Complete candidates measured by consistency (every storage/shape reading first, then by prior cost). */
const FINAL_CANDIDATES = 24;
const DESCENT_PASSES = 2;
/**
 * Relative consistency (dB) above which a field's best common value leaves the reading as inconsistent
 * as random phase (garbage readings sit at −1.3…+0.5; a right hop under a wrong window is below −15).
 */
const HOPELESS_DB = -3;

type Scorer = (values: PartialStftConfig) => number | null;

/**
 * Fill the fields nobody decided. Testable fields are chosen by coordinate descent on consistency
 * (each field's common values tried in turn with the others held): a product of all options would be
 * thousands of configs, and pruning it by prior cost alone throws the truth away. The runner-up of
 * each field is kept as its own candidate so the report can show the margin. Prior-only fields
 * (centring, padding) expand as a small product.
 */
function fillFallbacks(states: State[], score: Scorer | null): State[] {
  const out: State[] = [];
  diverseFirst(states).forEach((s, i) => out.push(...fillOne(s, i < FILL_BY_CONSISTENCY ? score : null)));
  return diverseFirst(prune(out, Number.POSITIVE_INFINITY)).slice(0, FINAL_CANDIDATES);
}

/**
 * The storage/shape reading of a state: twins such as odd nfft N one-sided and N+1 one-no-nyquist store
 * the same bins and only consistency can separate them, so each reading keeps a place of its own.
 */
function structureKey(v: PartialStftConfig): string {
  return JSON.stringify([v.magnitudeFile, v.phaseFile, v.frames, v.bins, v.layout, v.nfft, v.sided, v.magnitudeScale, v.phaseUnit]);
}

/** The cheapest state of every structure first (by cost), then the rest (by cost). */
function diverseFirst(states: State[]): State[] {
  const sorted = [...states].sort((a, b) => a.cost - b.cost);
  const seen = new Set<string>();
  const heads: State[] = [];
  const rest: State[] = [];
  for (const s of sorted) {
    const k = structureKey(s.values);
    if (seen.has(k)) rest.push(s);
    else {
      seen.add(k);
      heads.push(s);
    }
  }
  return [...heads, ...rest];
}

interface Choice {
  field: keyof StftConfig;
  value: unknown;
  cost: number;
  reason: string;
  source: string;
}

/** Fill every open fallback field with its first option, in order (for scoring a partial choice). */
function withFirstOptions(values: PartialStftConfig): PartialStftConfig {
  let v = values;
  for (const f of FALLBACK_ORDER) {
    if (v[f] !== undefined) continue;
    const opts = fallbackFor(f, v);
    if (opts?.length) v = { ...v, [f]: opts[0].value };
  }
  return v;
}

function fillOne(state: State, score: Scorer | null): State[] {
  const open = FALLBACK_ORDER.filter((f) => state.values[f] === undefined);
  const choices = new Map<keyof StftConfig, Choice>();
  const alternatives: Choice[] = [];
  const productFields: (keyof StftConfig)[] = [];
  const chosen = (): PartialStftConfig => {
    let v = state.values;
    for (const c of choices.values()) v = { ...v, [c.field]: c.value };
    return v;
  };
  for (const f of open) {
    const opts = fallbackFor(f, chosen());
    if (!opts?.length) continue; // derived later, once what it follows is chosen
    if (!TESTABLE.has(f) && opts.length > 1) productFields.push(f);
    else choices.set(f, { field: f, value: opts[0].value, cost: opts[0].cost, reason: opts[0].reason, source: opts.length > 1 ? 'fallback' : 'derived' });
  }
  const testable = [...choices.values()].filter((c) => c.source === 'fallback').map((c) => c.field);
  if (score && testable.length) {
    descent: for (let pass = 0; pass < DESCENT_PASSES; pass++) {
      for (const f of testable) {
        const opts = fallbackFor(f, chosen()) ?? [];
        const tried = opts
          .map((o) => ({ o, c: score(withFirstOptions({ ...chosen(), [f]: o.value })) }))
          .filter((t): t is { o: (typeof opts)[number]; c: number } => t.c !== null)
          .sort((a, b) => a.c + a.o.cost - (b.c + b.o.cost));
        if (!tried.length) continue;
        const [best, second] = tried;
        // Nothing tried makes the reading consistent: it is not how the files were made, and sweeping
        // the other fields would cost dozens of evaluations to learn nothing (what made mutated files slow).
        if (best.c > HOPELESS_DB) break descent;
        const why = `best of ${tried.length} common values by consistency (${best.c.toFixed(1)} dB${second ? `; ${JSON.stringify(second.o.value)} gives ${second.c.toFixed(1)} dB` : ''})`;
        choices.set(f, { field: f, value: best.o.value, cost: best.o.cost, reason: why, source: 'consistency' });
        if (pass === DESCENT_PASSES - 1 && second) {
          alternatives.push({ field: f, value: second.o.value, cost: second.o.cost, reason: `runner-up by consistency (${second.c.toFixed(1)} dB)`, source: 'consistency' });
        }
      }
    }
  }
  const build = (over?: Choice): State => {
    let values = state.values;
    let cost = state.cost;
    const trail = [...state.trail];
    for (const c of choices.values()) {
      const use = over && over.field === c.field ? over : c;
      values = { ...values, [use.field]: use.value };
      cost += use.cost;
      trail.push({ field: use.field, value: use.value, source: use.source, reason: use.reason });
    }
    return { values, cost, trail, ran: state.ran };
  };
  return expandProduct([build(), ...alternatives.map((a) => build(a))], productFields);
}

/**
 * Prior-only fields with several options (centring) expand as a product; fields derived from them
 * (padMode and firstFrameStart follow center) are filled right after, each with its evidence line.
 */
function expandProduct(base: State[], fields: (keyof StftConfig)[]): State[] {
  let out = base;
  for (const f of fields) {
    const next: State[] = [];
    for (const s of out) {
      for (const o of fallbackFor(f, s.values) ?? []) {
        const trail = [...s.trail, { field: f, value: o.value, source: 'fallback', reason: o.reason }];
        let values: PartialStftConfig = { ...s.values, [f]: o.value };
        let cost = s.cost + o.cost;
        for (const d of FALLBACK_ORDER) {
          if (values[d] !== undefined) continue;
          const dOpts = fallbackFor(d, values);
          if (dOpts?.length !== 1) continue;
          values = { ...values, [d]: dOpts[0].value };
          cost += dOpts[0].cost;
          trail.push({ field: d, value: dOpts[0].value, source: 'derived', reason: dOpts[0].reason });
        }
        next.push({ values, cost, trail, ran: s.ran });
      }
    }
    out = next;
  }
  return out;
}

function isComplete(v: PartialStftConfig, hasPhase: boolean): v is StftConfig {
  // Storage fields come as partial objects from analyzers; `variable` is optional (finalise fills it).
  const fileOk = (f: PartialStftConfig['magnitudeFile']): boolean =>
    !!f && f.format !== undefined && f.dtype !== undefined && f.endian !== undefined && f.headerBytes !== undefined;
  const keys: (keyof StftConfig)[] = ['layout', 'frames', 'bins', 'nfft', 'sided', 'hop', 'winLength', 'windowPlacement', 'window', 'windowSymmetry', 'center', 'padMode', 'firstFrameStart', 'phaseReference', 'phaseSign', 'magnitudeScale', 'dbFloor', 'gain', 'phaseUnit', 'sampleRate', 'originalLength'];
  return keys.every((k) => v[k] !== undefined) && fileOk(v.magnitudeFile) && (hasPhase ? fileOk(v.phaseFile) : v.phaseFile === null);
}

/** A single complex file stands in for magnitude + phase: consistency applies. */
function isComplexInput(beam: State[]): boolean {
  return beam.some((s) => String(s.values.magnitudeFile?.dtype ?? '').startsWith('complex'));
}

/** Normalise a complete candidate: analyzers for raw files need not name a `variable`. */
function finalise(v: StftConfig): StftConfig {
  const file = (f: Partial<StftConfig['magnitudeFile']>) => ({ ...f, variable: f.variable ?? null }) as StftConfig['magnitudeFile'];
  return { ...v, magnitudeFile: file(v.magnitudeFile), phaseFile: v.phaseFile ? file(v.phaseFile) : null };
}

/** Run `fn` with an Evidence over the pair (optionally cut to their first bytes), always closed after. */
export function withEvidence<T>(magnitudeFile: string, phaseFile: string | null, fn: (e: Evidence) => T, limits?: ConstructorParameters<typeof Evidence>[2]): T {
  const evidence = new Evidence(magnitudeFile, phaseFile, limits);
  try {
    return fn(evidence);
  } finally {
    evidence.close();
  }
}

/** Analyze one pair as given and judge its phase under the winning config. */
function analyzeJudged(magnitudeFile: string, phaseFile: string | null, opts: AnalyzeOptions, t0: number, limits?: ConstructorParameters<typeof Evidence>[2]): AnalysisResult {
  return withEvidence(
    magnitudeFile,
    phaseFile,
    (evidence) => {
      const r = analyzeEvidence(evidence, opts, t0);
      if (phaseFile !== null) {
        const v = assessPhase(evidence, r.candidates[0].config);
        r.phase = { kind: v.kind, usable: v.usable, reason: v.reason, swapped: false };
      }
      return r;
    },
    limits,
  );
}

/** Fewest frames a prefix must hold to be analysed (the window and hop tests sample blocks of 16–32). */
const MIN_PREFIX_FRAMES = 16;

interface Shape {
  frames: number;
  bins: number;
  layout: StftConfig['layout'];
}

/**
 * The shape of a raw phase file under a storage, from its own real DC/Nyquist bins: dims read with the
 * file as both streams (the test needs only the phase), or null when it finds no confident shape.
 */
function phaseShape(phaseFile: string, storage: StftConfig['magnitudeFile']): Shape | null {
  try {
    return withEvidence(phaseFile, phaseFile, (e) => {
      const top = dims.run(e, { magnitudeFile: storage, phaseFile: storage }).hypotheses[0];
      const v = top?.values;
      return v && top.score >= 0.5 && v.frames !== undefined && v.bins !== undefined && v.layout !== undefined ? { frames: v.frames, bins: v.bins, layout: v.layout } : null;
    });
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
}

/**
 * One raw file of a pair ends early (an interrupted write) and the other is whole: the frames both hold
 * are still the pair's. The shape comes from the whole file (the magnitudes alone when the phase is
 * short, the phase's own DC bins when the magnitudes are), the pair is analysed on the whole frames
 * both cover (both files cut to that prefix, the phase taken as stored like the magnitudes, as pairs
 * usually are), and a reading that agrees with that shape is kept. A short phase file: the magnitudes'
 * full frame count, export keeps the covered phase and retrieves the rest. Short magnitudes: the frames
 * they hold. Frame-major only (a bin-major file's end holds the upper bins of every frame). Null when
 * the prefix reads otherwise or not at all.
 */
function analyzePrefix(magnitudeFile: string, phaseFile: string, alone: AnalysisResult, opts: AnalyzeOptions, t0: number): AnalysisResult | null {
  const c = alone.candidates[0]?.config;
  if (!c || c.magnitudeFile.format !== 'raw') return null;
  if (sniffContainer(phaseFile).format !== 'raw') return null;
  const h = c.magnitudeFile.headerBytes;
  const size = valueBytes(c.magnitudeFile.dtype);
  const values = (file: string): number => Math.floor((statSync(file).size - h) / size);
  const phaseShort = values(phaseFile) < values(magnitudeFile);
  const shape = phaseShort ? { frames: c.frames, bins: c.bins, layout: c.layout } : phaseShape(phaseFile, c.magnitudeFile);
  if (!shape || shape.layout !== 'frame-major') return null;
  const K = Math.floor(Math.min(values(phaseFile), values(magnitudeFile)) / shape.bins);
  if (K < MIN_PREFIX_FRAMES || K >= shape.frames) return null;
  const bytes = h + K * shape.bins * size;
  const frames = phaseShort ? shape.frames : K;
  // A pinned frame count is the whole pair's: the prefix is read without it, and must agree with it.
  const { frames: pinnedFrames, ...prefixPins } = opts.pins ?? {};
  if (pinnedFrames !== undefined && pinnedFrames !== frames) return null;
  let r: AnalysisResult;
  try {
    r = analyzeJudged(magnitudeFile, phaseFile, { ...opts, pins: prefixPins }, t0, { magnitudeBytes: bytes, phaseBytes: bytes });
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
  const same = (v: StftConfig): boolean => v.frames === K && v.bins === shape.bins && v.layout === shape.layout && storageKey(v.magnitudeFile) === storageKey(c.magnitudeFile);
  if (!r.phase.usable || !same(r.candidates[0].config)) return null;
  // The prefix's end is not the signal's: the length follows from the frame count.
  const full: Record<string, { value: unknown; reason: string }> = {
    frames: {
      value: frames,
      reason: phaseShort
        ? `the magnitude file holds ${frames} frames of ${shape.bins} bins; the pair was read on the first ${K}, which the phase file covers`
        : `the magnitude file holds ${K} whole frames of ${shape.bins} bins (the phase file ${shape.frames})`,
    },
    originalLength: { value: null, reason: 'a prefix of the pair: the length follows from frames, hop and padding' },
  };
  const fix = <T extends { field: string; value: unknown; reason: string }>(e: T): T => (full[e.field] ? { ...e, ...full[e.field] } : e);
  r.candidates = r.candidates
    .filter((x) => same(x.config))
    .map((x) => ({ ...x, config: { ...x.config, frames, originalLength: null }, evidence: x.evidence.map(fix) }));
  r.decisions = r.decisions.map(fix);
  r.consistencyEvaluations += alone.consistencyEvaluations;
  const diff = sizeDifference(statSync(phaseFile).size - statSync(magnitudeFile).size);
  if (phaseShort) {
    r.notes.unshift(`the phase file ${phaseFile} ends early (${diff} than the magnitude file): the pair was analysed on the ${K} of ${frames} frames it covers; export keeps their phase and retrieves the rest`);
    r.phase = { kind: 'partial', usable: true, reason: `phase file truncated: it covers ${K} of ${frames} frames (${r.phase.reason})`, swapped: false };
  } else {
    r.notes.unshift(`the magnitude file ${magnitudeFile} ends early (the phase file is ${diff}): the pair was analysed on the ${K} whole frames it holds, of the phase file's ${shape.frames}; the rest cannot be exported`);
  }
  return r;
}

/**
 * Analyze an unknown pair: run the analyzers stage by stage over a beam of partial configs (cheap,
 * decisive evidence first), fill what nobody decided from common values, then rank the survivors by
 * consistency on sampled frame blocks. Honours user pins: they are fixed before any analyzer runs.
 * A phase file that is unusable (zeros, NaN, constant, random...) is reported and the pair is ranked
 * from the magnitudes alone; a frame-major pair one of whose files ends early is read on the frames
 * both hold, and other pairs of mismatched sizes are refused; files given in the wrong order are
 * swapped, with a notice.
 */
export function analyze(magnitudeFile: string, phaseFile: string | null, opts: AnalyzeOptions = {}): AnalysisResult {
  const t0 = performance.now();
  checkInputPaths([{ path: magnitudeFile }, { path: phaseFile }]);
  if (phaseFile === null) {
    // One container may hold both arrays (np.savez(S=..., P=...), a MAT file with mag and phase).
    const pick = pickArrays(sniffContainer(magnitudeFile));
    if (!(pick.magnitude && pick.phase && !pick.complex)) return analyzeJudged(magnitudeFile, null, opts, t0);
    const r = analyze(magnitudeFile, magnitudeFile, opts);
    r.notes.unshift(`${magnitudeFile} holds both arrays: magnitudes "${pick.magnitude.name}", phases "${pick.phase.name}" (${pick.reason})`);
    return r;
  }
  let first: AnalysisResult | null = null;
  let failure: unknown = null;
  try {
    first = analyzeJudged(magnitudeFile, phaseFile, opts, t0);
    if (first.phase.usable) return first;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    failure = e;
  }
  // The phase file does not behave like phase: try the pair the other way round, but only where a swap
  // is possible at all (a pair of equal size) or the verdict says so: each analysis costs as much as the first.
  const sameSize = statSync(magnitudeFile).size === statSync(phaseFile).size;
  // Work spent on readings that failed counts too: the result reports what the whole analysis cost.
  let spent = first?.consistencyEvaluations ?? 0;
  if (first ? first.phase.kind === 'swapped' || first.phase.kind === 'out-of-bounds' : sameSize) {
    try {
      const swapped = analyzeJudged(phaseFile, magnitudeFile, opts, t0);
      swapped.consistencyEvaluations += spent;
      spent = swapped.consistencyEvaluations;
      if (swapped.phase.usable) {
        swapped.phase.swapped = true;
        swapped.notes.unshift(`the files were given in the wrong order: ${phaseFile} holds the magnitudes and ${magnitudeFile} the phases; they were swapped`);
        return swapped;
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  let alone: AnalysisResult;
  try {
    alone = analyzeJudged(magnitudeFile, null, opts, t0);
  } catch (e) {
    throw failure ?? e;
  }
  alone.consistencyEvaluations += spent;
  if (!sameSize) {
    const prefix = analyzePrefix(magnitudeFile, phaseFile, alone, opts, t0);
    if (prefix) return prefix;
    // Raw files of different sizes that no reading pairs, not even on the frames both hold, are not
    // one STFT's two halves: wrong input, refused (ranking the magnitudes alone behind the user's back
    // would hide it). Containers differ in size anyway; for them the verdict on the values decides.
    const raw = sniffContainer(magnitudeFile).format === 'raw' && sniffContainer(phaseFile).format === 'raw';
    if (raw || first?.phase.kind === 'size-mismatch') {
      const diff = sizeDifference(statSync(phaseFile).size - statSync(magnitudeFile).size);
      throw new InputError(phaseFile, `does not pair with ${magnitudeFile}: it is ${diff}, and no reading fits the values both hold; leave it out to analyse the magnitudes alone`);
    }
  }
  const why = first ? `${first.phase.kind}: ${first.phase.reason}` : `no configuration fits it (${(failure as Error).message})`;
  alone.notes.unshift(`the phase file ${phaseFile} is unusable (${why}); candidates are ranked from the magnitudes alone and export retrieves the phase`);
  const kind = first?.phase.kind ?? (failure instanceof ReadingsRuledOut ? 'random' : 'inconsistent');
  alone.phase = { kind, usable: false, reason: first?.phase.reason ?? (failure as Error).message, swapped: false };
  return alone;
}

function sizeDifference(d: number): string {
  return `${Math.abs(d)} byte${Math.abs(d) === 1 ? '' : 's'} ${d < 0 ? 'shorter' : 'longer'}`;
}

export function analyzeEvidence(evidence: Evidence, opts: AnalyzeOptions = {}, t0 = performance.now()): AnalysisResult {
  const analyzers = opts.analyzers ?? ANALYZERS;
  const hasPhaseFile = evidence.phase !== null;
  const pins: PartialStftConfig = { ...(opts.pins ?? {}) };
  const pinTrail: FieldEvidence[] = flatten(opts.pins ?? {}).map(([f, v]) => ({ field: f, value: v, source: 'pinned', reason: 'given by the user' }));
  if (!hasPhaseFile) {
    pins.phaseFile = null;
    // No phase file: the unit is moot (a complex file carries radians), but decoding needs a value.
    if (pins.phaseUnit === undefined) {
      pins.phaseUnit = 'radians';
      pinTrail.push({ field: 'phaseUnit', value: 'radians', source: 'derived', reason: 'no separate phase file' });
    }
  }
  let beam: State[] = [{ values: pins, cost: 0, trail: pinTrail, ran: new Set() }];
  const cache = new Map<string, AnalyzerResult>();
  const runs = new Map<string, AnalyzerRun>();
  const notes: string[] = [];

  for (const [si, stage] of STAGES.entries()) {
    opts.onProgress?.(stage, si / STAGES.length);
    const inStage = analyzers.filter((a) => a.stage === stage);
    // Analyzers of a stage may need fields decided by others of the same stage: loop until none can run.
    for (let progress = true; progress; ) {
      progress = false;
      for (const a of inStage) {
        const next: State[] = [];
        let ranHere = false;
        for (const s of beam) {
          if (s.ran.has(a.name) || !needsMet(a, s.values) || !a.applies(evidence, s.values)) {
            next.push(s);
            continue;
          }
          const key = cacheKey(a, s.values);
          let r = cache.get(key);
          if (!r) {
            const t = performance.now();
            r = a.run(evidence, s.values);
            cache.set(key, r);
            const run = runs.get(a.name) ?? { name: a.name, stage: a.stage, runs: 0, ms: 0, undecided: [], rejected: 0 };
            run.runs++;
            run.ms += Math.round(performance.now() - t);
            if (r.undecided && !run.undecided.includes(r.undecided)) run.undecided.push(r.undecided);
            if (r.rejects !== undefined) {
              run.rejected++;
              run.rejectedReason ??= r.rejects;
            }
            runs.set(a.name, run);
          }
          ranHere = true;
          next.push(...expand(s, a, r, pins));
        }
        if (ranHere) {
          beam = prune(next);
          progress = true;
          if (beam.length === 0) throw ruledOut(evidence, [...runs.values()], a.name);
        }
      }
    }
  }

  const consistencyCache = new Map<string, ConsistencyResult | null>();
  let evaluations = 0;
  const evaluate = (v: PartialStftConfig): ConsistencyResult | null => {
    if (!isComplete(v, hasPhaseFile) || consistencyProblem(finalise(v)) !== null) return null;
    // Centring, padding, length and sample rate do not change interior consistency: candidates that
    // differ only there share one evaluation.
    const { center: _c, padMode: _p, firstFrameStart: _f, originalLength: _o, sampleRate: _r, ...relevant } = v;
    const key = JSON.stringify(relevant);
    if (!consistencyCache.has(key)) {
      evaluations++;
      let c: ConsistencyResult | null = null;
      try {
        const config = finalise(v);
        c = consistencyDb(evidence, config, config.window === 'estimated' ? estimateWindow(evidence, config) : undefined);
      } catch (e) {
        if (!(e instanceof InputError) && !(e instanceof RangeError)) throw e;
      }
      consistencyCache.set(key, c);
    }
    return consistencyCache.get(key) ?? null;
  };
  const measure = (v: PartialStftConfig): number | null => evaluate(v)?.relativeDb ?? null;
  opts.onProgress?.('fill', 0.8);
  const complete = fillFallbacks(beam, hasPhaseFile || isComplexInput(beam) ? measure : null).filter((s) => isComplete(s.values, hasPhaseFile) && consistencyProblem(finalise(s.values)) === null);
  if (complete.length === 0) {
    const open = beam.length ? beam[0].values : pins;
    const missing = ['magnitudeFile.dtype', 'frames', 'bins', 'nfft'].filter((f) => getField(open, f) === undefined);
    throw new InputError(
      evidence.magnitude.path,
      `no plausible configuration${missing.length ? ` (could not determine ${missing.join(', ')})` : ''}`,
    );
  }

  opts.onProgress?.('consistency', 0.9);
  let rankedBy: AnalysisResult['rankedBy'] = 'heuristics';
  const scored = complete.map((s) => {
    const config = finalise(s.values as StftConfig);
    const e = evaluate(s.values);
    if (e !== null) rankedBy = 'consistency';
    return { s, config, consistency: e?.relativeDb ?? null, error: e?.db ?? null };
  });
  const valid = scored;
  if (rankedBy === 'heuristics') notes.push('no usable phase: candidates are ranked by the heuristics alone (consistency needs phase)');

  const ranked = valid
    .map(({ s, config, consistency, error }) => ({ s, config, consistency, error, score: (consistency ?? 0) + s.cost }))
    .sort((a, b) => a.score - b.score);
  const best = ranked[0].score;
  const weights = ranked.map((r) => Math.exp(-(r.score - best) / CONFIDENCE_TAU_DB));
  const total = weights.reduce((a, b) => a + b, 0);
  const top = opts.top ?? 5;
  const candidates: Candidate[] = ranked.slice(0, top).map((r, i) => ({
    rank: i + 1,
    score: round(r.score, 2),
    confidence: round(weights[i] / total, 4),
    config: r.config,
    consistencyDb: r.consistency === null ? null : round(r.consistency, 2),
    consistencyErrorDb: r.error === null ? null : round(r.error, 2),
    priorCost: round(r.s.cost, 2),
    evidence: r.s.trail,
  }));
  opts.onProgress?.('done', 1);
  return {
    magnitudeFile: evidence.magnitude.path,
    phaseFile: evidence.phase?.path ?? null,
    candidates,
    decisions: decide(ranked.map((r) => ({ config: r.config, score: r.score, trail: r.s.trail }))),
    analyzers: [...runs.values()],
    consistencyEvaluations: evaluations,
    notes,
    rankedBy,
    phase: hasPhaseFile
      ? { kind: 'ok', usable: true, reason: 'not yet assessed', swapped: false }
      : { kind: 'absent', usable: false, reason: 'no phase file: magnitudes only', swapped: false },
    elapsedMs: Math.round(performance.now() - t0),
  };
}

/**
 * Every reading was ruled out: no configuration fits. The phase file is named when there is one: what
 * rules readings out is the phase's structure (phase-structure, hop, phase-unit).
 */
export class ReadingsRuledOut extends InputError {}

/** The error once `last` dropped the last reading; earlier analyzers' rejections are counted too. */
function ruledOut(evidence: Evidence, runs: AnalyzerRun[], last: string): ReadingsRuledOut {
  const file = evidence.phase?.path ?? evidence.magnitude.path;
  const by = runs.filter((r) => r.rejected > 0);
  const final = by.find((r) => r.name === last);
  const n = by.reduce((t, r) => t + r.rejected, 0);
  const who = by.map((r) => (by.length > 1 ? `${r.name} ${r.rejected}` : r.name)).join(', ');
  return new ReadingsRuledOut(file, `no plausible configuration: ${who} ruled out ${n === 1 ? 'the only reading' : `all ${n} readings`} (${final?.rejectedReason ?? 'no reason given'})`);
}

/** The known tool preset a candidate matches, as the recipe analyzer named it (metrics.recipe). */
export function recipeOf(c: Candidate): string | null {
  const e = c.evidence.find((x) => typeof x.metrics?.recipe === 'string' && x.metrics.recipe !== '');
  return e ? String(e.metrics?.recipe) : null;
}

/** For each field of the winner: its evidence, and the closest ranked candidate that differs there. */
function decide(ranked: { config: StftConfig; score: number; trail: FieldEvidence[] }[]): FieldDecision[] {
  const [win] = ranked;
  const fields = flatten(win.config).map(([f]) => f);
  return fields.map((field) => {
    const value = getField(win.config, field);
    const trail = [...win.trail].reverse();
    const ev = trail.find((e) => e.field === field && JSON.stringify(e.value) === JSON.stringify(value)) ?? trail.find((e) => e.field === field);
    const altIndex = ranked.findIndex((r) => JSON.stringify(getField(r.config, field)) !== JSON.stringify(value));
    const alt = altIndex > 0 ? ranked[altIndex] : null;
    return {
      field,
      value,
      source: ev?.source ?? 'derived',
      reason: ev?.reason ?? 'follows from the other fields',
      alternative: alt ? { value: getField(alt.config, field), marginDb: round(alt.score - win.score, 2), rank: altIndex + 1 } : null,
      ...(ev?.runnerUp ? { analyzerRunnerUp: ev.runnerUp } : {}),
    };
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
