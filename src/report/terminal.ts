import Table from 'cli-table3';
import type { AnalysisResult, FieldDecision } from '../search/search.js';
import { differingFields, fieldOf, show } from './format.js';

/** The human report for a terminal: the top candidates, then one line per field saying what decided it. */
export function terminalReport(r: AnalysisResult): string {
  const lines: string[] = [];
  const fields = differingFields(r.candidates);
  const table = new Table({
    head: ['rank', 'score dB', 'consistency dB', 'confidence', ...fields],
    style: { head: [], border: [] },
  });
  for (const c of r.candidates) {
    table.push([
      c.rank,
      c.score.toFixed(1),
      c.consistencyDb === null ? '-' : c.consistencyDb.toFixed(1),
      `${(c.confidence * 100).toFixed(1)} %`,
      ...fields.map((f) => show(fieldOf(c.config, f))),
    ]);
  }
  lines.push(`${r.magnitudeFile}${r.phaseFile ? ` + ${r.phaseFile}` : ' (no phase file)'}: ${r.candidates.length} candidate(s), ranked by ${r.rankedBy}, ${r.elapsedMs} ms`);
  lines.push(table.toString());
  lines.push('', 'rank 1, what decided each field:');
  // Coupled fields share one reason (an analyzer decides nfft, sided and bins together): say it once.
  const groups = new Map<string, FieldDecision[]>();
  for (const d of r.decisions) {
    const key = `${d.source}\u0000${d.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const ds of groups.values()) {
    lines.push(`  ${ds.map((d) => `${d.field}=${show(d.value)}`).join(', ')}`);
    lines.push(`      [${ds[0].source}] ${ds[0].reason}`);
    for (const d of ds) {
      if (d.alternative) lines.push(`      next ${d.field}: ${show(d.alternative.value)} at rank ${d.alternative.rank}, +${d.alternative.marginDb.toFixed(1)} dB`);
      else if (d.analyzerRunnerUp) lines.push(`      ${d.field} runner-up: ${show(d.analyzerRunnerUp.value)} (analyzer score ${d.analyzerRunnerUp.score.toFixed(2)})`);
    }
  }
  lines.push(`phase: ${r.phase.kind}${r.phase.usable ? '' : ' (not used)'}: ${r.phase.reason}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
