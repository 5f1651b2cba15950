import Table from 'cli-table3';
import type { AnalysisResult } from '../analyze/index.js';
import { differingFields, fieldOf, groupDecisions, runnerUpText, show } from './format.js';

/** The human report for a terminal: the top candidates, then one line per field saying what decided it. */
export function terminalReport(r: AnalysisResult): string {
  const lines: string[] = [];
  const fields = differingFields(r.candidates);
  const table = new Table({
    head: ['rank', 'score dB', 'consistency dB', 'error dB', 'confidence', ...fields],
    style: { head: [], border: [] },
  });
  for (const c of r.candidates) {
    table.push([
      c.rank,
      c.score.toFixed(1),
      c.consistencyDb === null ? '-' : c.consistencyDb.toFixed(1),
      c.consistencyErrorDb === null ? '-' : c.consistencyErrorDb.toFixed(1),
      `${(c.confidence * 100).toFixed(1)} %`,
      ...fields.map((f) => show(fieldOf(c.config, f))),
    ]);
  }
  lines.push(
    `${r.magnitudeFile}${r.phaseFile ? ` + ${r.phaseFile}` : ' (no phase file)'}: ${r.candidates.length} candidate(s), ranked by ${r.rankedBy}, ${r.elapsedMs} ms`,
  );
  lines.push(table.toString());
  lines.push('', 'rank 1, what decided each field:');
  for (const ds of groupDecisions(r.decisions)) {
    lines.push(`  ${ds.map((d) => `${d.field}=${show(d.value)}`).join(', ')}`);
    lines.push(`      [${ds[0].source}] ${ds[0].reason}`);
    for (const d of ds) {
      const next = runnerUpText(d);
      if (next) lines.push(`      ${d.alternative ? `next ${d.field}:` : `${d.field} runner-up:`} ${next}`);
    }
  }
  lines.push(`phase: ${r.phase.kind}${r.phase.usable ? '' : ' (not used)'}: ${r.phase.reason}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
