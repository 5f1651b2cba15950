import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPECTROGRAM_RANGE_DB } from './charts.js';
import { excerptDescription, type ReportContent } from './content.js';
import { differingFields, exportCommand, fieldOf, groupDecisions, runnerUpText, show } from './format.js';

/** REPORT_TEMPLATE.md ships at the package root (two levels above dist/src/report or src/report). */
function templatePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const p = join(here, up, 'REPORT_TEMPLATE.md');
    try {
      readFileSync(p);
      return p;
    } catch {
      /* try the next level */
    }
  }
  throw new Error('REPORT_TEMPLATE.md not found beside the package');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The Markdown report from REPORT_TEMPLATE.md, with the SVG pictures and the rank-1 config JSON beside
 * it (FILE.md -> FILE.spectrogram.svg, FILE.imprint.svg, FILE.consistency.svg, FILE.waveform.svg,
 * FILE.rank1.json): the files to write, the report last.
 */
export function writeMarkdownReport(file: string, content: ReportContent): [string, Uint8Array | string][] {
  const { result: r, recipe } = content;
  const stem = file.replace(/\.md$/i, '');
  const rel = (suffix: string): string => `${basename(stem)}.${suffix}`;
  const best = r.candidates[0];
  const fields = differingFields(r.candidates);
  const candidateTable = [
    `| rank | score dB | consistency dB | error dB | confidence | ${fields.join(' | ')} |`,
    `|${' --- |'.repeat(5 + fields.length)}`,
    ...r.candidates.map(
      (c) =>
        `| ${c.rank} | ${c.score.toFixed(1)} | ${c.consistencyDb === null ? '–' : c.consistencyDb.toFixed(1)} | ${c.consistencyErrorDb === null ? '–' : c.consistencyErrorDb.toFixed(1)} | ${(c.confidence * 100).toFixed(1)} % | ${fields.map((f) => cell(show(fieldOf(c.config, f)))).join(' | ')} |`,
    ),
  ].join('\n');
  const decisionTable = [
    '| fields | decided by | evidence | runner-up |',
    '| --- | --- | --- | --- |',
    ...groupDecisions(r.decisions).map((ds) => {
      const fieldsText = ds.map((d) => `${d.field} = ${show(d.value)}`).join('<br>');
      const alts = ds.flatMap((d) => {
        const next = runnerUpText(d);
        return next ? [`${d.field}: ${next}`] : [];
      });
      return `| ${cell(fieldsText)} | ${ds[0].source} | ${cell(ds[0].reason)} | ${cell(alts.join('<br>') || '–')} |`;
    }),
  ].join('\n');
  const analyzerTable = [
    '| analyzer | stage | runs | ms | undecided |',
    '| --- | --- | --- | --- | --- |',
    ...r.analyzers.map((a) => `| ${a.name} | ${a.stage} | ${a.runs} | ${a.ms} | ${cell(a.undecided.join('; ') || '–')} |`),
  ].join('\n');

  const files: [string, Uint8Array | string][] = [];
  const pictures: Record<string, string> = {};
  const shown: [string, string | null][] = [
    ['spectrogram', content.pictures.spectrogram],
    ['imprint', content.pictures.imprint],
    ['consistency', content.pictures.candidates],
    ['waveform', content.pictures.waveform],
  ];
  for (const [name, svg] of shown) {
    pictures[`${name}Svg`] = svg ? rel(`${name}.svg`) : '';
    if (svg) files.push([`${stem}.${name}.svg`, svg]);
  }
  files.push([`${stem}.rank1.json`, `${JSON.stringify(best.config, null, 2)}\n`]);
  const command = `npx spec-detect export ${r.magnitudeFile}${r.phaseFile ? ` ${r.phaseFile}` : ''} --config ${stem}.rank1.json -o ${basename(stem)}.wav`;

  const values: Record<string, string> = {
    magnitudeFile: r.magnitudeFile,
    phaseFile: r.phaseFile ?? '(none: magnitude only)',
    date: new Date().toISOString(),
    elapsed: `${r.elapsedMs} ms`,
    rankedBy: r.rankedBy === 'consistency' ? 'STFT consistency plus the analyzers’ prior cost' : 'the analyzers alone (no usable phase)',
    recipe: recipe ?? 'none of the known presets',
    candidateTable,
    decisionTable,
    analyzerTable,
    exportCommand: `${command}\n# or, field by field:\n${exportCommand(r, best, `${basename(stem)}.wav`)}`,
    notes: r.notes.length ? r.notes.map((n) => `- ${n}`).join('\n') : '- none',
    candidatesCaption:
      content.candidatesMeasure === 'consistency'
        ? 'consistency of each candidate in dB (more negative = more consistent)'
        : 'score of each candidate (no phase to test consistency; lower is better)',
    spectrogramAxes: `${best.config.sampleRate ? 'time in seconds →, frequency in Hz ↑' : 'frames →, bins ↑ (no sample rate known)'}; colour: |X| in dB, the bar spanning ${SPECTROGRAM_RANGE_DB} dB below the loudest cell`,
    excerpt: content.listening[0] ? excerptDescription(content.listening[0], true) : '(no candidate)',
    ...pictures,
  };
  let text = readFileSync(templatePath(), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');
  // Pictures that could not be drawn (no phase: no imprint) leave no broken image links.
  text = text.replace(/^!\[[^\]]*\]\(\)\n?/gm, '_(not available for this input)_\n');
  files.push([file, text]);
  return files;
}
