import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { InputError } from '../src/errors.js';
import { analyze } from '../src/analyze/index.js';

/**
 * Every path argument is checked up front with one helper (src/io/input.ts): a missing or unreadable
 * input is the usual one-line error naming it (exit 3; a --config file exit 2), never an internal
 * error. And an unusable phase file is said on stderr under --json too.
 */
const ROOT = join(import.meta.dirname, '..');
const SAMPLE = (ext: string) => join(ROOT, 'samples', `torch-400.${ext}`);
const tmp = mkdtempSync(join(tmpdir(), 'sd-paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

function oneLine(r: { code: number; err: string }, code: number, pattern: RegExp): void {
  expect(r.code, r.err).toBe(code);
  expect(r.err).toMatch(pattern);
  expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
  expect(r.err).not.toMatch(/internal error|\n\s+at |ENOENT/);
}

describe('path arguments are checked up front', () => {
  const missing = join(tmp, 'nope.phase');
  const folder = join(tmp, 'a-folder');
  mkdirSync(folder);

  it('a phase file that does not exist: exit 3 naming it (analyze and export), nothing written', async () => {
    const report = join(tmp, 'r.md');
    oneLine(await cli('analyze', SAMPLE('mag'), missing), 3, /^spec-detect: .*nope\.phase: no such file$/m);
    oneLine(await cli('analyze', SAMPLE('mag'), missing, '--json', '--report', report), 3, /nope\.phase: no such file/);
    expect(existsSync(report)).toBe(false);
    const wav = join(tmp, 'out.wav');
    oneLine(await cli('export', SAMPLE('mag'), missing, '-o', wav), 3, /nope\.phase: no such file/);
    oneLine(await cli('export', SAMPLE('mag'), missing, '--config', SAMPLE('truth.json'), '-o', wav), 3, /nope\.phase: no such file/);
    expect(existsSync(wav)).toBe(false);
  });

  it('a folder where a file should be, for either file: exit 3', async () => {
    oneLine(await cli('analyze', SAMPLE('mag'), folder), 3, /a-folder: is a directory, not a file/);
    oneLine(await cli('analyze', folder, SAMPLE('phase')), 3, /a-folder: is a directory, not a file/);
    oneLine(await cli('export', folder, '-o', join(tmp, 'x.wav')), 3, /a-folder: is a directory, not a file/);
  });

  it('a missing magnitude file wins over a missing phase file (checked in order); --config: exit 2', async () => {
    oneLine(await cli('analyze', join(tmp, 'nope.mag'), missing), 3, /nope\.mag: no such file/);
    oneLine(await cli('analyze', SAMPLE('mag'), '--config', join(tmp, 'none.json')), 2, /none\.json: cannot read config \(no such file\)/);
    oneLine(await cli('analyze', SAMPLE('mag'), '--config', folder), 2, /a-folder: cannot read config \(is a directory, not a file\)/);
  });

  it('the library names the phase file too, as an InputError', () => {
    expect(() => analyze(SAMPLE('mag'), missing)).toThrow(InputError);
    expect(() => analyze(SAMPLE('mag'), missing)).toThrow(/nope\.phase: no such file/);
  });
});

describe('an unusable phase file is warned about on stderr', () => {
  const size = statSync(SAMPLE('mag')).size;
  const cases: [string, Uint8Array][] = [
    ['zeros.phase', new Uint8Array(size)],
    ['nan.phase', new Uint8Array(new Float32Array(size / 4).fill(NaN).buffer)],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: --json keeps stdout one JSON object and says it on stderr in one line; without --json too`, async () => {
      const p = join(tmp, name);
      writeFileSync(p, bytes);
      const json = await cli('analyze', SAMPLE('mag'), p, '--json');
      expect(json.code, json.err).toBe(0);
      const r = JSON.parse(json.out) as { phase: { usable: boolean }; notes: string[] };
      expect(r.phase.usable).toBe(false);
      expect(r.notes.join('\n')).toMatch(/unusable/);
      expect(json.err.trim().split('\n')).toHaveLength(1);
      expect(json.err).toMatch(
        new RegExp(`^warning: the phase file .*${name.replace('.', '\\.')} is unusable \\(.*\\); candidates are ranked from the magnitudes alone\\n$`),
      );
      const text = await cli('analyze', SAMPLE('mag'), p);
      expect(text.code).toBe(0);
      expect(text.err).toBe(json.err);
    });
  }

  it('a usable phase file: stderr stays empty', async () => {
    const r = await cli('analyze', SAMPLE('mag'), SAMPLE('phase'), '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});
