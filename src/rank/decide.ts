import { flatten } from '../config/fields.js';
import type { StftConfig } from '../config/types.js';
import { getField } from '../../heuristics/types.js';
import type { Candidate, FieldDecision, FieldEvidence } from '../analyze/types.js';
import { round } from './rank.js';

/** For each field of the winner: its evidence, and the closest ranked candidate that differs there. */
export function decide(ranked: { config: StftConfig; score: number; trail: FieldEvidence[] }[]): FieldDecision[] {
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

/** The known tool preset a candidate matches, as the recipe analyzer named it (metrics.recipe). */
export function recipeOf(c: Candidate): string | null {
  const e = c.evidence.find((x) => typeof x.metrics?.recipe === 'string' && x.metrics.recipe !== '');
  return e ? String(e.metrics?.recipe) : null;
}
