import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/** Check an output path before any work is done: its folder exists and is writable, it is not clobbered. */
export function checkOutputPath(out: string, force: boolean): void {
  if (existsSync(out)) {
    if (statSync(out).isDirectory()) throw new UsageError(`${out}: is a directory`);
    if (!force) throw new UsageError(`${out}: already exists (use --force to overwrite)`);
  }
  checkWritableFolder(out);
}

/** The folder of `out` exists and takes a new file: found now, not after a long analysis. */
export function checkWritableFolder(out: string): void {
  const dir = dirname(out);
  if (!existsSync(dir)) throw new UsageError(`${out}: the folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${out}: ${dir} is not a folder`);
  const probe = join(dir, `.${basename(out)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(`${out}: cannot write in ${dir} (${writeProblem(e)})`);
  }
}

/** A write failure in words. */
export function writeProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is not a folder',
    ENOENT: 'the folder does not take new files',
  };
  return (code && words[code]) ?? code ?? String(e);
}
