import { accessSync, constants, statSync } from 'node:fs';
import { InputError, UsageError } from '../errors.js';

/**
 * Check the input paths a command was given before any work is done: each one exists, is what it
 * should be (a file, or a folder for `batch`) and can be read. The first that fails throws the usual
 * one-line error naming it (InputError, exit 3; a `--config` file is a usage error, exit 2, as the
 * config reader says). Nothing else is opened or read here.
 */
export function checkInputPaths(paths: readonly InputPath[]): void {
  for (const p of paths) {
    if (p.path === null || p.path === undefined) continue;
    const problem = inputProblem(p.path, p.kind ?? 'file');
    if (problem === null) continue;
    if (p.role === 'config') throw new UsageError(`${p.path}: cannot read config (${problem})`);
    throw new InputError(p.path, problem);
  }
}

export interface InputPath {
  path: string | null | undefined;
  /** What the path must be: a file (default), a folder, or either. */
  kind?: 'file' | 'folder' | 'any';
  /** A `--config` file reports as a usage error (exit 2), data inputs as input errors (exit 3). */
  role?: 'data' | 'config';
}

/** Why `path` cannot be read as a `kind`, in words, or null when it can. */
export function inputProblem(path: string, kind: 'file' | 'folder' | 'any' = 'file'): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return errnoWords(e);
  }
  if (kind === 'file' && isDir) return 'is a directory, not a file';
  if (kind === 'folder' && !isDir) return 'is not a folder';
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    return errnoWords(e);
  }
  return null;
}

function errnoWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ENOTDIR') return 'no such file (a part of the path is not a folder)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ENAMETOOLONG') return 'the name is too long';
  return `cannot open (${code ?? String(e)})`;
}
