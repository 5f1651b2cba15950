import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import { MAGNITUDE_WORDS, pairName, sortPairs, tokens } from './pairing.js';
import type { BatchPair, BatchPlan } from './types.js';

/**
 * A manifest names the pairs itself: CSV with a header row, or JSON lines, with a `magnitude` column,
 * optional `phase` and `config` (a config JSON file, or in JSON lines the object itself) and an
 * optional `name`. Relative paths are relative to the manifest's folder. A malformed manifest is
 * refused whole (exit 3), naming the line: its rows have no identity to resume by.
 */
export function readManifest(file: string): BatchPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read the manifest (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const rows = /\.csv$/i.test(file) ? csvRows(file, text) : jsonRows(file, text);
  const dir = dirname(file);
  const at = (p: string): string => (isAbsolute(p) ? p : join(dir, p));
  const pairs: BatchPair[] = rows.map(({ line, row }) => {
    const mag = row.magnitude;
    if (typeof mag !== 'string' || mag.trim() === '') throw new InputError(file, `line ${line}: no magnitude file`);
    const phase = typeof row.phase === 'string' && row.phase.trim() !== '' ? at(row.phase.trim()) : null;
    if (row.phase !== undefined && row.phase !== null && typeof row.phase !== 'string') throw new InputError(file, `line ${line}: phase must be a path`);
    let config: BatchPair['config'] = null;
    if (typeof row.config === 'string' && row.config.trim() !== '') config = at(row.config.trim());
    else if (row.config !== null && typeof row.config === 'object' && !Array.isArray(row.config)) config = row.config as Record<string, unknown>;
    else if (row.config !== undefined && row.config !== null && row.config !== '')
      throw new InputError(file, `line ${line}: config must be a file path or an object`);
    const base = basename(mag.trim());
    const word = tokens(base).find((t) => MAGNITUDE_WORDS.includes(t.text.toLowerCase())) ?? null;
    const name = typeof row.name === 'string' && row.name.trim() !== '' ? safeName(row.name.trim()) : pairName(base, word);
    return { name, magnitude: at(mag.trim()), phase, config, problem: null };
  });
  if (pairs.length === 0) throw new InputError(file, 'the manifest lists no pairs');
  return { source: 'manifest', input: file, pairs: sortPairs(pairs), skipped: [] };
}

/** A name usable as a file name (it names the WAV). */
function safeName(s: string): string {
  return s.replace(/[/\\\0]/g, '_');
}

type Row = Record<string, unknown>;

function jsonRows(file: string, text: string): { line: number; row: Row }[] {
  const out: { line: number; row: Row }[] = [];
  text.split('\n').forEach((raw, i) => {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      throw new InputError(file, `line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(file, `line ${i + 1}: expected an object with "magnitude"`);
    out.push({ line: i + 1, row: v as Row });
  });
  return out;
}

const COLUMNS = ['magnitude', 'phase', 'config', 'name'];

function csvRows(file: string, text: string): { line: number; row: Row }[] {
  const records = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) throw new InputError(file, 'the manifest is empty');
  const cols = header.fields.map((h) => h.trim().toLowerCase());
  if (!cols.includes('magnitude')) throw new InputError(file, `line 1: the header names no "magnitude" column (it has: ${cols.join(', ')})`);
  const unknown = cols.filter((c) => c !== '' && !COLUMNS.includes(c));
  if (unknown.length) throw new InputError(file, `line 1: unknown column(s) ${unknown.join(', ')} (known: ${COLUMNS.join(', ')})`);
  return records
    .filter((r) => r.fields.some((f) => f.trim() !== ''))
    .map((r) => {
      if (r.fields.length > cols.length) throw new InputError(file, `line ${r.line}: ${r.fields.length} fields, the header has ${cols.length}`);
      const row: Row = {};
      cols.forEach((c, i) => (row[c] = r.fields[i] ?? ''));
      return { line: r.line, row };
    });
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      out.push({ line: start, fields });
      fields = [];
      field = '';
      line++;
      start = line;
    } else field += c;
  }
  if (field !== '' || fields.length) {
    fields.push(field);
    out.push({ line: start, fields });
  }
  return out;
}
