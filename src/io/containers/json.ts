/**
 * JSON nested lists (`json.dump(S.tolist())`: a list of rows, each a list of numbers) and objects
 * holding named arrays (`{"magnitude": [[...]], "phase": [[...]]}`, read like an npz). Parsed whole
 * with JSON.parse up to MAX_JSON_BYTES: a 31 MB file of 1.5 M values (1025 × 1500) took 2.3 s and
 * 198 MB peak RSS here (2 shared cores), so the limit (256 MB of text, about 13 M values) bounds the
 * peak near 1.7 GB; past it, ask for .npy. Python writes NaN and ±Infinity as bare words, which JSON.parse refuses: they are read
 * as the numbers they name (null, which pandas writes for NaN, too).
 */
import { statSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { ArraySource, type ValueSource } from '../source.js';
import { withFile } from './fileio.js';
import type { ArrayEntry, AxisLabels, ContainerInfo } from './types.js';

export const MAX_JSON_BYTES = 256 << 20;
/** Deepest nesting read as an array (channels × bins × frames plus one spare). */
const MAX_DIMS = 4;
/** Object levels searched for named arrays ({"data": {"mag": ...}}). */
const MAX_OBJECT_DEPTH = 3;

/** Whether a text prefix starts like JSON (after a BOM and whitespace): '[' or '{'. */
export function looksLikeJson(prefix: Uint8Array): boolean {
  let i = prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf ? 3 : 0;
  while (i < prefix.length && (prefix[i] === 0x20 || prefix[i] === 0x09 || prefix[i] === 0x0a || prefix[i] === 0x0d)) i++;
  return prefix[i] === 0x5b || prefix[i] === 0x7b;
}

interface JsonArray {
  name: string | null;
  shape: number[];
  values: Float64Array;
  labels?: AxisLabels;
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');

/**
 * pandas `DataFrame.to_json(orient='split')`: {"columns": [...], "index": [...], "data": [[...]]}.
 * Numeric columns and index are axis labels (bin frequencies, frame times), as in a labelled CSV.
 */
function splitFrame(file: string, root: Record<string, unknown>, notes: string[]): JsonArray | null {
  if (!Array.isArray(root.data) || !('columns' in root) || !('index' in root)) return null;
  const shape = shapeOf(root.data);
  if (typeof shape === 'string' || shape.length !== 2) return null;
  const values = flatten(root.data, shape);
  if (typeof values === 'string') throw new InputError(file, `JSON "data" ${values}`);
  const columns = isNumbers(root.columns) && root.columns.length === shape[1] ? root.columns : null;
  const rows = isNumbers(root.index) && root.index.length === shape[0] ? root.index : null;
  notes.push('pandas split-oriented frame: "data" with its index and columns');
  const out: JsonArray = { name: 'data', shape, values };
  if (columns || rows) out.labels = { columns, rows, rowName: null };
  return out;
}

/** Python's bare NaN / Infinity / -Infinity, outside strings as far as a token boundary tells. */
const PYTHON_SPECIALS = /([[,:]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g;

function parse(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const fixed = text.replace(
      PYTHON_SPECIALS,
      (_, pre: string, word: string) => `${pre}${word === 'NaN' ? 'null' : word === 'Infinity' ? '1e999' : '-1e999'}`,
    );
    if (fixed !== text) {
      try {
        return JSON.parse(fixed);
      } catch {
        // Report the first error: the file's own.
      }
    }
    const msg = first instanceof Error ? first.message.split('\n')[0] : String(first);
    throw new InputError(file, `not valid JSON (${msg.slice(0, 160)})`);
  }
}

/** Shape of a nested numeric list, or a reason it is not one (ragged, not numbers, too deep). */
function shapeOf(v: unknown): number[] | string {
  const shape: number[] = [];
  let cur: unknown = v;
  while (Array.isArray(cur)) {
    if (shape.length >= MAX_DIMS) return `nested deeper than ${MAX_DIMS} levels`;
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  if (shape.length === 0) return 'not a list';
  if (shape.includes(0)) return 'an empty list';
  return shape;
}

/** Flatten `v` (checked against `shape` at every level) into C order; a reason string when it does not fit. */
function flatten(v: unknown, shape: number[]): Float64Array | string {
  let count = 1;
  for (const d of shape) count *= d;
  const out = new Float64Array(count);
  let n = 0;
  let problem: string | null = null;
  const walk = (x: unknown, depth: number, at: string): void => {
    if (problem) return;
    if (depth === shape.length) {
      if (typeof x === 'number') out[n++] = x;
      else if (x === null) out[n++] = NaN;
      else problem = `item ${at} is ${Array.isArray(x) ? 'a list' : JSON.stringify(x)?.slice(0, 30)}, not a number`;
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      problem = `item ${at || '(top)'} has ${Array.isArray(x) ? `${x.length} entries` : 'no list'}, expected ${shape[depth]} (ragged lists)`;
      return;
    }
    for (let i = 0; i < x.length && !problem; i++) walk(x[i], depth + 1, `${at}[${i}]`);
  };
  walk(v, 0, '');
  return problem ?? out;
}

function collect(file: string, root: unknown, notes: string[]): JsonArray[] {
  if (Array.isArray(root)) {
    const shape = shapeOf(root);
    if (typeof shape === 'string') throw new InputError(file, `JSON list is ${shape}`);
    const values = flatten(root, shape);
    if (typeof values === 'string') throw new InputError(file, `JSON ${values}`);
    return [{ name: null, shape, values }];
  }
  if (root !== null && typeof root === 'object') {
    const frame = splitFrame(file, root as Record<string, unknown>, notes);
    if (frame) return [frame];
  }
  const out: JsonArray[] = [];
  const visit = (obj: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      const name = `${prefix}${k}`;
      if (typeof v === 'number') out.push({ name, shape: [1], values: Float64Array.of(v) });
      else if (Array.isArray(v)) {
        const shape = shapeOf(v);
        const values = typeof shape === 'string' ? shape : flatten(v, shape);
        if (typeof values === 'string') notes.push(`"${name}" skipped: ${values}`);
        else out.push({ name, shape: shape as number[], values });
      } else if (v !== null && typeof v === 'object' && depth < MAX_OBJECT_DEPTH) visit(v as Record<string, unknown>, `${name}/`, depth + 1);
      else notes.push(`"${name}" is not a numeric array: skipped`);
    }
  };
  if (root !== null && typeof root === 'object') visit(root as Record<string, unknown>, '', 1);
  else throw new InputError(file, `JSON holds ${JSON.stringify(root)?.slice(0, 30)}, not a list or an object of lists`);
  if (out.length === 0) throw new InputError(file, `JSON object without a numeric array (${notes.slice(0, 3).join('; ') || 'no keys'})`);
  return out;
}

/**
 * The last two files parsed: sniff and open read each file of a pair several times in one analysis,
 * alternating magnitude and phase, so one entry would parse every time.
 */
const parsed = new Map<string, { arrays: JsonArray[]; notes: string[] }>();
const CACHED_FILES = 2;

function read(file: string): { arrays: JsonArray[]; notes: string[] } {
  const st = statSync(file);
  const key = `${file}|${st.size}|${st.mtimeMs}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  if (st.size > MAX_JSON_BYTES) throw new InputError(file, `JSON file of ${st.size} bytes is over the ${MAX_JSON_BYTES}-byte limit; save it as .npy`);
  const bytes = withFile(file, (fb) => fb.read(0, fb.size, 'JSON text'));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(file, 'JSON text is not valid UTF-8');
  }
  const notes: string[] = [];
  const arrays = collect(file, parse(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), notes);
  notes.unshift(`JSON ${arrays.length === 1 && arrays[0].name === null ? 'nested list' : `object with ${arrays.length} numeric arrays`}`);
  const result = { arrays, notes };
  if (parsed.size >= CACHED_FILES) parsed.delete(parsed.keys().next().value as string);
  parsed.set(key, result);
  return result;
}

function entryOf(a: JsonArray): ArrayEntry {
  const e: ArrayEntry = { name: a.name, dtype: 'float64', endian: 'little', shape: a.shape, order: 'C', dataOffset: null };
  if (a.labels) e.labels = a.labels;
  return e;
}

export function sniffJson(file: string): ContainerInfo {
  const { arrays, notes } = read(file);
  return { format: 'json', arrays: arrays.map(entryOf), notes: [...notes] };
}

export function openJson(file: string, name: string | null): { source: ValueSource; entry: ArrayEntry } {
  const a = read(file).arrays.find((x) => x.name === name);
  if (!a) throw new InputError(file, `JSON has no array "${name ?? ''}"`);
  return { source: new ArraySource(file, a.values), entry: entryOf(a) };
}
