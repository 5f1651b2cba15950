import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { BatchPair, BatchPlan, SkippedFile } from './types.js';

/**
 * Where files are paired: the files of one folder whose names differ only by a magnitude word and a
 * phase word are one pair. A word is a whole token of the name: tokens are cut at separators (any
 * character that is not a letter or digit), at case boundaries (`speechMag` -> speech|Mag, `XMLFile`
 * -> XML|File) and between letters and digits, and compared in any case. So `x_S.npy` + `x_P.npy`,
 * `speech.mag` + `speech.phase` and `take1-magnitude.f32` + `take1-angle.f32` pair, while the `s` of
 * `speech` or the `P` of `PS.npy` is no word. Files that pair with nothing stand alone (analysed
 * magnitude-only, or as a container holding both arrays or a complex STFT); a phase file alone and
 * a file that would pair with two others are listed as pairs that cannot run, each with its reason.
 */
export const MAGNITUDE_WORDS: readonly string[] = ['mag', 'magnitude', 'spec', 'spectrogram', 'amp', 's'];
export const PHASE_WORDS: readonly string[] = ['phase', 'phases', 'phi', 'angle', 'p'];

/** Extensions that never hold an STFT: truth/config files, audio, documents, pictures, code, logs. */
const NOT_DATA = new Set(
  'json jsonl ndjson wav flac mp3 ogg opus m4a aac aif aiff md markdown rst html htm pdf png jpg jpeg gif svg webp py ipynb js mjs cjs ts sh bat ps1 yml yaml toml ini cfg log tmp probe gz tgz bz2 xz zip tar 7z'.split(
    ' ',
  ),
);
/** Names that are documentation whatever their extension. */
const DOC_NAME = /^(readme|license|licence|copying|changelog|notice|authors|makefile)(\.|$)/i;

interface Token {
  text: string;
  start: number;
  end: number;
}

/** The tokens of a file name, with their spans (see the module comment for the rules). */
export function tokens(name: string): Token[] {
  const out: Token[] = [];
  // Letters/digits runs, split further at lower->Upper, Upper->Upper+lower and letter<->digit boundaries.
  const re = /[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g;
  for (const run of name.matchAll(/[A-Za-z0-9]+/g)) {
    for (const m of run[0].matchAll(re)) {
      const start = (run.index ?? 0) + (m.index ?? 0);
      out.push({ text: m[0], start, end: start + m[0].length });
    }
  }
  return out;
}

/** The name with the token at each position of a word from `words` replaced by a placeholder (one key per such token). */
function keysFor(name: string, words: readonly string[]): { key: string; token: Token }[] {
  return tokens(name)
    .filter((t) => words.includes(t.text.toLowerCase()))
    .map((t) => ({ key: `${name.slice(0, t.start)}\u0000${name.slice(t.end)}`, token: t }));
}

/** Why a folder entry is not an input, or null when it is one. */
function skipReason(name: string, isDir: boolean): string | null {
  if (name.startsWith('.')) return 'hidden';
  if (isDir) return 'a subfolder (not a pair; batch does not descend into folders)';
  if (DOC_NAME.test(name)) return 'documentation';
  if (name.endsWith('~')) return 'a backup file';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (NOT_DATA.has(ext)) return `not STFT data (.${ext})`;
  return null;
}

/**
 * The pair's name: the magnitude file's name less its magnitude word (and the extension, unless the
 * word was the extension), trimmed of separators; the file's name without extension if nothing is left.
 */
export function pairName(file: string, word: Token | null): string {
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  const trim = (s: string): string => s.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (!word || (dot > 0 && word.start > dot)) return trim(stem) || file;
  const before = file.slice(0, word.start);
  const after = stem.slice(word.end);
  // `my_mag_v2` -> `my_v2`: of the separators on both sides of the word, one is kept.
  const joined = /[^A-Za-z0-9]$/.test(before) && /^[^A-Za-z0-9]/.test(after) ? before.replace(/[^A-Za-z0-9]+$/, '') + after : before + after;
  return trim(joined) || trim(stem) || file;
}

/** Pair the files of one folder (not its subfolders). Throws an InputError when the folder cannot be listed. */
export function pairFolder(folder: string, exclude: readonly string[] = []): BatchPlan {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch (e) {
    throw new InputError(folder, `cannot list the folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const skipped: SkippedFile[] = [];
  const files: string[] = [];
  const excluded = new Set(exclude.map((p) => resolve(p)));
  for (const name of names) {
    const path = join(folder, name);
    if (excluded.has(resolve(path))) {
      skipped.push({ path, reason: 'the batch output' });
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      /* a dangling link: listed as an input, its pair says why it cannot be read */
    }
    const why = skipReason(name, isDir);
    if (why) skipped.push({ path, reason: why });
    else files.push(name);
  }
  // Every (magnitude, phase) match by name.
  const byKey = new Map<string, { mags: { file: string; token: Token }[]; phases: string[] }>();
  const entry = (key: string) =>
    byKey.get(key) ?? (byKey.set(key, { mags: [], phases: [] }).get(key) as { mags: { file: string; token: Token }[]; phases: string[] });
  for (const f of files) {
    for (const { key, token } of keysFor(f, MAGNITUDE_WORDS)) entry(key).mags.push({ file: f, token });
    for (const { key } of keysFor(f, PHASE_WORDS)) entry(key).phases.push(f);
  }
  const partners = new Map<string, Set<string>>();
  const edges: { mag: string; phase: string; token: Token }[] = [];
  const link = (a: string, b: string): void => {
    partners.set(a, (partners.get(a) ?? new Set()).add(b));
  };
  for (const { mags, phases } of byKey.values()) {
    for (const m of mags) {
      for (const p of phases) {
        if (m.file === p) continue;
        edges.push({ mag: m.file, phase: p, token: m.token });
        link(m.file, p);
        link(p, m.file);
      }
    }
  }
  const pairs: BatchPair[] = [];
  const used = new Set<string>();
  for (const e of edges) {
    if (used.has(e.mag) || used.has(e.phase)) continue;
    if (partners.get(e.mag)?.size !== 1 || partners.get(e.phase)?.size !== 1) continue;
    used.add(e.mag).add(e.phase);
    pairs.push({ name: pairName(e.mag, e.token), magnitude: join(folder, e.mag), phase: join(folder, e.phase), problem: null });
  }
  for (const f of files) {
    if (used.has(f)) continue;
    const others = [...(partners.get(f) ?? [])].sort();
    const magWord = keysFor(f, MAGNITUDE_WORDS)[0]?.token ?? null;
    let problem: string | null = null;
    if (others.length > 1) problem = `its name pairs it with ${others.length} files (${others.join(', ')}): list the pairs in a manifest`;
    else if (others.length === 1) {
      const rivals = [...(partners.get(others[0]) ?? [])].filter((o) => o !== f).sort();
      problem = `its partner by name ${others[0]} also pairs with ${rivals.join(', ')}: list the pairs in a manifest`;
    } else if (!magWord && keysFor(f, PHASE_WORDS).length > 0)
      problem = 'a phase file with no magnitude file beside it (none is named like it with a magnitude word): nothing to analyse';
    pairs.push({ name: pairName(f, magWord), magnitude: join(folder, f), phase: null, problem });
  }
  return { source: 'folder', input: folder, pairs: sortPairs(pairs), skipped };
}

/**
 * Pairs in their one deterministic order (by magnitude path, then phase path), with names made unique
 * in that order (a second `take1` becomes `take1-2`): shards and resumed runs see the same list.
 */
export function sortPairs(pairs: BatchPair[]): BatchPair[] {
  const sorted = [...pairs].sort((a, b) => cmp(a.magnitude, b.magnitude) || cmp(a.phase ?? '', b.phase ?? ''));
  const seen = new Set<string>();
  return sorted.map((p) => {
    let name = p.name;
    for (let i = 2; seen.has(name); i++) name = `${p.name}-${i}`;
    seen.add(name);
    return { ...p, name };
  });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
