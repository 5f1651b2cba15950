/**
 * `analyze --report FILE`: the format follows the extension (.md: Markdown with SVG pictures beside it;
 * .html: one self-contained page with the pictures and the listening excerpts inside it).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AnalysisResult } from '../analyze/index.js';
import { reportContent, type ReportOptions } from './content.js';
import { reportFormat } from './format.js';
import { writeHtmlReport } from './html.js';
import { writeMarkdownReport } from './markdown.js';

/** Write the report (and, for Markdown, the files beside it); returns every path written. */
export async function writeReport(file: string, r: AnalysisResult, recipe: string | null, opts: ReportOptions = {}): Promise<string[]> {
  const format = reportFormat(file);
  if (!format) throw new RangeError(`${file}: a report is a .md or .html file`);
  const content = await reportContent(r, recipe, opts);
  const files = format === 'html' ? writeHtmlReport(file, content) : writeMarkdownReport(file, content);
  writeAll(files);
  return files.map(([p]) => p);
}

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
