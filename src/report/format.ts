import type { StftConfig } from '../config/types.js';
import type { AnalysisResult, Candidate, FieldDecision } from '../analyze/index.js';

/** Short display of a field value. */
export function show(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Coupled fields share one reason (an analyzer decides nfft, sided and bins together): grouped, to say it once. */
export function groupDecisions(decisions: readonly FieldDecision[]): FieldDecision[][] {
  const groups = new Map<string, FieldDecision[]>();
  for (const d of decisions) {
    const key = `${d.source}\u0000${d.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

/** The runner-up of one decision, or null: the closest ranked candidate that differs, else the analyzer's own. */
export function runnerUpText(d: FieldDecision): string | null {
  if (d.alternative) return `${show(d.alternative.value)} at rank ${d.alternative.rank}, +${d.alternative.marginDb.toFixed(1)} dB`;
  if (d.analyzerRunnerUp) return `${show(d.analyzerRunnerUp.value)} (analyzer score ${d.analyzerRunnerUp.score.toFixed(2)})`;
  return null;
}

/** Flat dotted fields of a config, in vocabulary order. */
export function flatConfig(c: StftConfig): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(c)) {
    if ((k === 'magnitudeFile' || k === 'phaseFile') && v !== null) {
      for (const [s, sv] of Object.entries(v as Record<string, unknown>)) out.push([`${k}.${s}`, sv]);
    } else out.push([k, v]);
  }
  return out;
}

/** The fields in which the shown candidates differ (always at least a few anchors). */
export function differingFields(cands: Candidate[]): string[] {
  if (cands.length === 0) return [];
  const flat = cands.map((c) => new Map(flatConfig(c.config)));
  const fields = [...flat[0].keys()].filter((f) => flat.some((m) => show(m.get(f)) !== show(flat[0].get(f))));
  return fields.length ? fields : ['nfft', 'hop', 'window'];
}

export function fieldOf(c: StftConfig, field: string): unknown {
  return new Map(flatConfig(c)).get(field);
}

/** A shell-quoted argument. */
export function q(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A ready-to-run export command for a candidate: every field pinned, so export skips the search. */
export function exportCommand(r: AnalysisResult, c: Candidate, out = 'reconstructed.wav'): string {
  const sets = flatConfig(c.config).map(([f, v]) => `--set ${q(`${f}=${v === null ? 'null' : String(v)}`)}`);
  return ['npx spec-detect export', q(r.magnitudeFile), ...(r.phaseFile ? [q(r.phaseFile)] : []), '-o', q(out), ...sets].join(' ');
}

/** The report format a file name asks for by its extension (.md, .html or .htm), or null for any other. */
export function reportFormat(file: string): 'md' | 'html' | null {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'md') return 'md';
  if (ext === 'html' || ext === 'htm') return 'html';
  return null;
}
