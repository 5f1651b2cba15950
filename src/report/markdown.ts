import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Evidence } from '../analysis/evidence.js';
import { truncatedShape } from '../analysis/phase-quality.js';
import type { AnalysisResult } from '../analyze/index.js';
import { differingFields, exportCommand, fieldOf, groupDecisions, runnerUpText, show } from './format.js';
import { consistencyPng, imprintPng, spectrogramPng, windowImprint } from './plots.js';

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

/** Write everything through temp names, then rename: a failed report leaves nothing half-written. */
function writeAll(files: [string, Uint8Array | string][]): void {
  const temps: string[] = [];
  try {
    for (const [path, data] of files) {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      temps.push(tmp);
    }
    files.forEach(([path], i) => renameSync(temps[i], path));
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    throw e;
  }
}

/**
 * The Markdown report from REPORT_TEMPLATE.md, with the PNG pictures and the rank-1 config JSON beside
 * it (FILE.md -> FILE.spectrogram.png, FILE.imprint.png, FILE.consistency.png, FILE.rank1.json).
 */
export function writeMarkdownReport(file: string, r: AnalysisResult, evidence: Evidence, recipe: string | null): string[] {
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
  const pictures: Record<string, string> = { spectrogramPng: '', imprintPng: '', consistencyPng: '' };
  const c = best.config;
  // The spectrogram shows magnitudes only; a phase file that ends early (read on the frames it covers)
  // gives the imprint those frames and no others.
  files.push([`${stem}.spectrogram.png`, spectrogramPng(evidence, { ...c, phaseFile: null })]);
  pictures.spectrogramPng = rel('spectrogram.png');
  const phaseValues = c.phaseFile && evidence.phase ? evidence.phase.source(c.phaseFile).length : c.frames * c.bins;
  const readable = truncatedShape(Math.min(phaseValues, c.frames * c.bins), c);
  // A bin-major file that ends early lacks the upper bins of every frame: no frame to take an imprint of.
  const covered = readable.bins === c.bins ? readable.frames : 0;
  const imprint = c.window === 'estimated' || covered < 2 ? null : windowImprint(evidence, { ...c, frames: covered });
  if (imprint) {
    files.push([`${stem}.imprint.png`, imprintPng(imprint.measured, imprint.chosen)]);
    pictures.imprintPng = rel('imprint.png');
  }
  const bars = consistencyPng(r.candidates);
  if (bars) {
    files.push([`${stem}.consistency.png`, bars]);
    pictures.consistencyPng = rel('consistency.png');
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
    ...pictures,
  };
  let text = readFileSync(templatePath(), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');
  // Pictures that could not be drawn (no phase: no imprint) leave no broken image links.
  text = text.replace(/^!\[[^\]]*\]\(\)\n?/gm, '_(not available for this input)_\n');
  files.push([file, text]);
  writeAll(files);
  return files.map(([p]) => p);
}
