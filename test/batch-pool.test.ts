import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch } from '../src/batch/batch.js';
import { workerFlags } from '../src/batch/pool.js';
import type { BatchLine } from '../src/batch/types.js';

/**
 * batch in worker processes (the compiled build, as `npm test` makes it first): parallel jobs, a job
 * killed under its pair or over its memory limit is that pair's error line and the batch goes on.
 */
const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist', 'src');
const WORKER = join(DIST, 'batch', 'worker.js');
const tmp = mkdtempSync(join(tmpdir(), 'sd-batch-pool-'));
const data = join(tmp, 'data');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const readLines = (file: string): BatchLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((s) => s !== '')
    .map((s) => JSON.parse(s) as BatchLine);

function cli(...argv: string[]): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [join(DIST, 'cli', 'main.js'), ...argv], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, err: r.stderr };
}

beforeAll(() => {
  expect(existsSync(WORKER), 'build first (npm test runs tsc)').toBe(true);
  mkdirSync(data);
  for (const name of ['torch-400', 'matlab-db-degrees'])
    for (const ext of ['mag', 'phase']) copyFileSync(join(ROOT, 'samples', `${name}.${ext}`), join(data, `${name}.${ext}`));
  writeFileSync(join(data, 'junk_mag.f32'), new Uint8Array(4 * 13));
  writeFileSync(join(data, 'junk_phase.f32'), new Uint8Array(4 * 13));
});

describe('batch in worker processes', () => {
  it('--jobs 2: one line per pair from the parent, the peak memory of each job, exit 4 for the bad pair', () => {
    const out = join(tmp, 'jobs2.jsonl');
    const r = cli('batch', data, '--out', out, '--jobs', '2');
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(/3 pair\(s\): 2 ok, 1 failed, 0 already done; .*2 job\(s\), peak \d+ MB per job/);
    const lines = readLines(out);
    expect(Object.fromEntries(lines.map((l) => [l.pair, l.status]))).toEqual({ 'torch-400': 'ok', 'matlab-db-degrees': 'ok', junk: 'error' });
    for (const l of lines) expect(l.peakRssMB).toBeGreaterThan(10);
  });

  it('a job over its memory limit fails its pair as out-of-memory, and the batch goes on', () => {
    const out = join(tmp, 'oom.jsonl');
    const r = cli('batch', data, '--out', out, '--jobs', '1', '--max-memory', '24');
    expect(r.code, r.err).toBe(4);
    const lines = readLines(out);
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l.status).toBe('error');
      expect(l.errorKind, l.error ?? '').toBe('out-of-memory');
      expect(l.error).toMatch(/: out of memory: /);
    }
  });

  it("a job process killed under its pair: that pair's error line, a fresh process for the rest", { timeout: 120_000 }, async () => {
    const out = join(tmp, 'crash.jsonl');
    const s = await batch(data, {
      out,
      jobs: 2,
      workerScript: WORKER,
      onEvent: (e) => {
        if (e.type === 'start' && e.pair.name === 'matlab-db-degrees') process.kill(e.pid, 'SIGKILL');
      },
    });
    expect(s.isolation).toBe('process');
    const lines = readLines(out);
    expect(Object.fromEntries(lines.map((l) => [l.pair, l.errorKind]))).toEqual({ 'torch-400': null, 'matlab-db-degrees': 'crash', junk: 'input' });
    expect(lines.find((l) => l.pair === 'matlab-db-degrees')?.error).toMatch(/matlab-db-degrees\.mag: the job's process was killed \(SIGKILL\)/);
    // Run again: only the killed and the bad pair are run.
    const again = await batch(data, { out, jobs: 2, workerScript: WORKER });
    expect(again.alreadyDone).toBe(1);
    expect(again.lines.map((l) => [l.pair, l.status]).sort()).toEqual([
      ['junk', 'error'],
      ['matlab-db-degrees', 'ok'],
    ]);
  });
});

describe('job process flags', () => {
  it('a pool that fills the cores collects garbage on each job’s own thread and compiles less; one that leaves a core idle keeps the defaults', () => {
    expect(workerFlags(2, 900, 2)).toEqual([
      '--max-old-space-size=900',
      '--single-threaded-gc',
      '--interrupt-budget=270336',
      '--max-inlined-bytecode-size-cumulative=460',
    ]);
    expect(workerFlags(3, 900, 2)).toContain('--single-threaded-gc');
    expect(workerFlags(1, 900, 2)).toEqual(['--max-old-space-size=900']);
  });
});
