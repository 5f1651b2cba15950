import type { Evidence } from '../analysis/evidence.js';
import { flatten, setFlat } from '../config/fields.js';
import type { PartialStftConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import { type Analyzer, type AnalyzerResult, getField, type Hypothesis, type Stage } from '../../heuristics/types.js';
import type { AnalyzerRun, FieldEvidence } from '../analyze/types.js';

/**
 * The beam search over analyzer hypotheses: a beam of partial configs, each analyzer of a stage run on
 * every state whose needed fields are fixed, its best compatible hypotheses taken as branches, the beam
 * pruned by prior cost. Cheap, decisive evidence first (the stages run in order); an analyzer's result
 * is cached by the fields it reads, so states that agree there share one run.
 */

/** A partial config in the beam: its values, prior cost (dB) and the evidence line of every field. */
export interface State {
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
      field: flatten(hyps[0].values)
        .map(([f]) => f)
        .join(', '),
      value: null,
      source: a.name,
      reason: `disagrees with the fixed values: it prefers ${flatten(hyps[0].values)
        .map(([f, v]) => `${f}=${JSON.stringify(v)}`)
        .join(', ')} (${hyps[0].reason})`,
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
      trail.push({
        field: f,
        value: v,
        source: a.name,
        reason: h.reason,
        score: h.score,
        runnerUp: runnerUpFor(result, h, f),
        ...(h.metrics ? { metrics: h.metrics } : {}),
        ...(h.prior ? { prior: h.prior } : {}),
      });
    }
    return { values, cost: state.cost + costOf(h.score), trail, ran };
  });
}

export function prune(states: State[], limit = BEAM): State[] {
  const seen = new Map<string, State>();
  for (const s of states) {
    const key = JSON.stringify(s.values);
    const prev = seen.get(key);
    if (!prev || s.cost < prev.cost) seen.set(key, s);
  }
  return [...seen.values()].sort((a, b) => a.cost - b.cost).slice(0, limit);
}

/**
 * The fields fixed before any analyzer runs: the user's pins, plus what the absence of a phase file
 * implies (phaseFile null; phaseUnit radians, moot but needed for decoding), each with its evidence line.
 */
export function startFromPins(userPins: PartialStftConfig | undefined, hasPhaseFile: boolean): { pins: PartialStftConfig; trail: FieldEvidence[] } {
  const pins: PartialStftConfig = { ...(userPins ?? {}) };
  const trail: FieldEvidence[] = flatten(userPins ?? {}).map(([f, v]) => ({ field: f, value: v, source: 'pinned', reason: 'given by the user' }));
  if (!hasPhaseFile) {
    pins.phaseFile = null;
    // No phase file: the unit is moot (a complex file carries radians), but decoding needs a value.
    if (pins.phaseUnit === undefined) {
      pins.phaseUnit = 'radians';
      trail.push({ field: 'phaseUnit', value: 'radians', source: 'derived', reason: 'no separate phase file' });
    }
  }
  return { pins, trail };
}

/** The beam over one pair's evidence, narrowed stage by stage. */
export class BeamSearch {
  beam: State[];
  /** What each analyzer did: runs, time, undecided notes, readings it ruled out. */
  readonly runs = new Map<string, AnalyzerRun>();
  private readonly cache = new Map<string, AnalyzerResult>();

  constructor(
    private readonly evidence: Evidence,
    private readonly analyzers: readonly Analyzer[],
    private readonly pins: PartialStftConfig,
    trail: FieldEvidence[],
  ) {
    this.beam = [{ values: pins, cost: 0, trail, ran: new Set() }];
  }

  /**
   * Run a stage's analyzers over the beam. They may need fields decided by others of the same stage:
   * loop until none can run. Throws ReadingsRuledOut when the beam empties.
   */
  runStage(stage: Stage): void {
    const inStage = this.analyzers.filter((a) => a.stage === stage);
    for (let progress = true; progress;) {
      progress = false;
      for (const a of inStage) {
        const next: State[] = [];
        let ranHere = false;
        // The beam is sorted by prior cost: an expensive analyzer sees only the cheapest maxStates states.
        let budget = a.maxStates ?? Infinity;
        for (const s of this.beam) {
          if (s.ran.has(a.name) || !needsMet(a, s.values) || !a.applies(this.evidence, s.values)) {
            next.push(s);
            continue;
          }
          ranHere = true;
          if (budget-- <= 0) {
            next.push({ ...s, ran: new Set([...s.ran, a.name]) });
            continue;
          }
          next.push(...expand(s, a, this.result(a, s.values), this.pins));
        }
        if (ranHere) {
          this.beam = prune(next);
          progress = true;
          if (this.beam.length === 0) throw ruledOut(this.evidence, [...this.runs.values()], a.name);
        }
      }
    }
  }

  /** An analyzer's result on these values, from the cache when the fields it reads agree. */
  private result(a: Analyzer, values: PartialStftConfig): AnalyzerResult {
    const key = cacheKey(a, values);
    let r = this.cache.get(key);
    if (!r) {
      const t = performance.now();
      r = a.run(this.evidence, values);
      this.cache.set(key, r);
      const run = this.runs.get(a.name) ?? { name: a.name, stage: a.stage, runs: 0, ms: 0, undecided: [], rejected: 0 };
      run.runs++;
      run.ms += Math.round(performance.now() - t);
      if (r.undecided && !run.undecided.includes(r.undecided)) run.undecided.push(r.undecided);
      if (r.rejects !== undefined) {
        run.rejected++;
        run.rejectedReason ??= r.rejects;
      }
      this.runs.set(a.name, run);
    }
    return r;
  }
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
  return new ReadingsRuledOut(
    file,
    `no plausible configuration: ${who} ruled out ${n === 1 ? 'the only reading' : `all ${n} readings`} (${final?.rejectedReason ?? 'no reason given'})`,
  );
}
