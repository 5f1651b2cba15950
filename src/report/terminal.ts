import Table from 'cli-table3';
import type { AnalysisResult } from '../search/search.js';
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
  lines.push('', 'rank 1, field by field:');
  const width = Math.max(...r.decisions.map((d) => d.field.length));
  for (const d of r.decisions) {
    const alt = d.alternative
      ? `; next: ${show(d.alternative.value)} at rank ${d.alternative.rank}, +${d.alternative.marginDb.toFixed(1)} dB`
      : d.analyzerRunnerUp
        ? `; analyzer's runner-up: ${show(d.analyzerRunnerUp.value)} (score ${d.analyzerRunnerUp.score.toFixed(2)})`
        : '';
    lines.push(`  ${d.field.padEnd(width)} = ${show(d.value)}  [${d.source}] ${d.reason}${alt}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
