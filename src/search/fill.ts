import type { PartialStftConfig, StftConfig } from '../config/types.js';
import type { State } from './beam.js';
import { prune } from './beam.js';
import { FALLBACK_ORDER, fallbackFor } from './fallbacks.js';
import { HOPELESS_DB, interiorKey } from '../rank/consistency.js';

/**
 * After the beam search: the fields no analyzer decided and the user did not pin get common values
 * (fallbacks.ts), the testable ones chosen by consistency, the prior-only ones expanded as a product.
 */

/** Fields whose fallback options the consistency test can tell apart (the rest are prior-only). */
const TESTABLE = new Set<keyof StftConfig>([
  'layout',
  'magnitudeScale',
  'phaseUnit',
  'hop',
  'winLength',
  'window',
  'windowSymmetry',
  'phaseReference',
  'phaseSign',
]);
/** Beam states that get the consistency-driven fill; the rest only their cheapest fallbacks. */
const FILL_BY_CONSISTENCY = 8;
/**
 * Readings measured by consistency (every storage/shape reading first, then by prior cost), counted by
 * what consistency sees: twins that differ only where frame 0 starts share one evaluation and one place.
 */
const FINAL_CANDIDATES = 24;
const DESCENT_PASSES = 2;

/** Relative consistency (dB) of a config, or null when it cannot be measured. */
export type Scorer = (values: PartialStftConfig) => number | null;

/**
 * Fill the fields nobody decided. Testable fields are chosen by coordinate descent on consistency
 * (each field's common values tried in turn with the others held): a product of all options would be
 * thousands of configs, and pruning it by prior cost alone throws the truth away. The runner-up of
 * each field is kept as its own candidate so the report can show the margin. Prior-only fields
 * (centring, padding) expand as a small product.
 */
export function fillFallbacks(states: State[], score: Scorer | null): State[] {
  const out: State[] = [];
  diverseFirst(states).forEach((s, i) => out.push(...fillOne(s, i < FILL_BY_CONSISTENCY ? score : null)));
  const ordered = diverseFirst(prune(out, Number.POSITIVE_INFINITY));
  // Twins of a kept reading that differ only where frame 0 starts (an ambiguous edge: DESIGN.md §4.13)
  // stay too: they cost no consistency evaluation (the same interior), and cut, they would leave the
  // confidence blind to the other readings of the start. They do not take a reading's place: counted as
  // states, the four edge readings of each cheap window filled the places on audio that starts in
  // silence, and scipy's flattop, which only the measured window reads, was cut at place 25.
  const interiors = new Set<string>();
  return ordered.filter((s) => {
    const k = interiorKey(s.values);
    if (interiors.has(k)) return true;
    if (interiors.size >= FINAL_CANDIDATES) return false;
    interiors.add(k);
    return true;
  });
}

/**
 * The storage/shape reading of a state: twins such as odd nfft N one-sided and N+1 one-no-nyquist store
 * the same bins and only consistency can separate them, so each reading keeps a place of its own (so do
 * the two bin orders of a flat spectrum: both are consistent, only the tilt prior separates them).
 */
function structureKey(v: PartialStftConfig): string {
  return JSON.stringify([v.magnitudeFile, v.phaseFile, v.frames, v.bins, v.layout, v.binOrder, v.nfft, v.sided, v.magnitudeScale, v.phaseUnit]);
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
          alternatives.push({
            field: f,
            value: second.o.value,
            cost: second.o.cost,
            reason: `runner-up by consistency (${second.c.toFixed(1)} dB)`,
            source: 'consistency',
          });
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

/** A single complex file stands in for magnitude + phase: consistency applies. */
export function isComplexInput(beam: State[]): boolean {
  return beam.some((s) => String(s.values.magnitudeFile?.dtype ?? '').startsWith('complex'));
}
