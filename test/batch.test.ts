import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, planBatch } from '../src/batch/batch.js';
import type { BatchLine } from '../src/batch/types.js';
import { run } from '../src/cli/run.js';
import * as library from '../src/index.js';
import { rng } from './helpers.js';

/**
 * batch on the bundled samples plus ten broken pairs, built in a temp folder: one line per pair, exit 4,
 * a second run skips what is done, two shards cover every pair once, a cut-short line is repaired.
 * Run from the TypeScript sources, pairs run inline (test/batch-pool.test.ts covers worker processes).
 */
const ROOT = join(import.meta.dirname, '..');
const SAMPLES = join(ROOT, 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'sd-batch-'));
const data = join(tmp, 'data');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

const readLines = (file: string): BatchLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((s) => s !== '')
    .map((s) => JSON.parse(s) as BatchLine);

const GOOD = ['librosa-default', 'matlab-db-degrees', 'odd-int16', 'torch-400'];
/** Broken pairs -> the status their line must have, and what its error must say. */
const BROKEN: Record<string, [BatchLine['status'], RegExp | null]> = {
  lonely: ['ok', null], // missing partner: magnitude-only
  orphan_phase: ['error', /a phase file with no magnitude file beside it/],
  trunc: ['error', /trunc_(mag|phase)\.f32: /],
  random: ['error', /random_(mag|phase)\.f32: /],
  zerophase: ['ok', null], // unusable phase: the magnitudes alone, said in phaseStatus
  dir_phase: ['error', /a phase file with no magnitude file beside it/], // dir_mag.f32 is a folder
  empty: ['error', /empty_mag\.f32: is empty/],
  nan: ['error', /nan_(mag|phase)\.f32: /],
  text: ['error', /text_(mag|phase)\.csv: /],
  odd: ['error', /odd_(mag|phase)\.f32: /],
};
const ALL = [...GOOD, ...Object.keys(BROKEN)].sort();

beforeAll(() => {
  mkdirSync(data);
  for (const f of readdirSync(SAMPLES)) copyFileSync(join(SAMPLES, f), join(data, f));
  const mag = readFileSync(join(SAMPLES, 'torch-400.mag'));
  const put = (name: string, bytes: Uint8Array | string) => writeFileSync(join(data, name), bytes);
  const r = rng(14);
  const random = new Uint8Array(40000).map(() => Math.floor(r() * 256));
  put('lonely_mag.f32', mag);
  put('orphan_phase.f32', readFileSync(join(SAMPLES, 'torch-400.phase')));
  put('trunc_mag.f32', mag.subarray(0, 1001));
  put('trunc_phase.f32', readFileSync(join(SAMPLES, 'torch-400.phase')));
  put('random_mag.f32', random);
  put('random_phase.f32', random.slice().reverse());
  put('zerophase_mag.f32', mag);
  put('zerophase_phase.f32', new Uint8Array(mag.length));
  mkdirSync(join(data, 'dir_mag.f32'));
  put('dir_phase.f32', readFileSync(join(SAMPLES, 'torch-400.phase')));
  put('empty_mag.f32', new Uint8Array(0));
  put('empty_phase.f32', new Uint8Array(0));
  put('nan_mag.f32', new Uint8Array(new Float32Array(20000).fill(Number.NaN).buffer));
  put('nan_phase.f32', new Uint8Array(new Float32Array(20000).fill(Number.NaN).buffer));
  put('text_mag.csv', 'hello,world\nthis,is\nnot,numbers\n');
  put('text_phase.csv', 'hello,world\nthis,is\nnot,numbers\n');
  put('odd_mag.f32', new Uint8Array(4 * 13));
  put('odd_phase.f32', new Uint8Array(4 * 13));
});

function checkLines(lines: BatchLine[], names: string[]): void {
  expect(lines.map((l) => l.pair).sort()).toEqual([...names].sort());
  for (const l of lines) {
    const want = BROKEN[l.pair] ?? ['ok', null];
    expect(l.status, `${l.pair}: ${l.error}`).toBe(want[0]);
    if (l.status === 'ok') {
      expect(l.error).toBeNull();
      expect(l.candidates.length).toBeGreaterThan(0);
      expect(l.candidates[0]).toMatchObject({ rank: 1, config: expect.objectContaining({ nfft: expect.any(Number) }) });
      expect(l.phaseStatus).not.toBeNull();
    } else {
      expect(l.error, l.pair).toMatch(want[1] ?? /./);
      expect(l.error).not.toMatch(/\n|internal error/);
      expect(l.candidates).toEqual([]);
    }
    expect(l.elapsedMs).toBeGreaterThanOrEqual(0);
  }
}

describe('batch: samples plus ten broken pairs', () => {
  const out0 = join(tmp, 'shard0.jsonl');
  const out1 = join(tmp, 'shard1.jsonl');
  const merged = join(tmp, 'merged.jsonl');
  const wavs = join(tmp, 'wav');

  it('--dry-run lists every pair and what it skipped, and runs nothing', async () => {
    const r = await cli('batch', data, '--dry-run');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${ALL.length} pair\\(s\\) in `));
    for (const name of ALL) expect(r.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.out).toMatch(/skipped 6:/);
    expect(r.out).toMatch(/README\.md: documentation/);
    expect(r.out).toMatch(/torch-400\.truth\.json: not STFT data \(\.json\)/);
    expect(r.out).toMatch(/dir_mag\.f32: a subfolder/);
    expect(r.out).toMatch(/orphan_phase +cannot run: a phase file with no magnitude file/);
  });

  it('shard 0/2 through the library (with WAVs) and 1/2 through the CLI cover every pair exactly once; exit 4', { timeout: 300_000 }, async () => {
    const s0 = await batch(data, { out: out0, shard: { index: 0, count: 2 }, exportDir: wavs, top: 3 });
    expect(s0.isolation).toBe('inline');
    expect(s0.selected).toBe(Math.ceil(ALL.length / 2));
    const lines0 = readLines(out0);
    expect(lines0.length).toBe(s0.selected);
    expect(s0.failed).toBeGreaterThan(0);
    for (const l of lines0) {
      expect(l.candidates.length).toBeLessThanOrEqual(3);
      if (l.status === 'ok') {
        expect(l.wav).toBe(join(wavs, `${l.pair}.wav`));
        expect(statSync(l.wav ?? '').size).toBeGreaterThan(44);
      } else expect(l.wav).toBeNull();
    }

    const r1 = await cli('batch', data, '--out', out1, '--shard', '1/2', '--top', '3');
    expect(r1.code, r1.err).toBe(4);
    expect(r1.err.trim().split('\n')).toHaveLength(2);
    expect(r1.err).toMatch(/^batch: 7 pair\(s\) in shard 1\/2: \d+ ok, \d+ failed, 0 already done;/);
    expect(r1.err).toMatch(/spec-detect: \d+ of 7 pair\(s\) failed: their lines in .*shard1\.jsonl say why\n$/);
    const lines1 = readLines(out1);

    // Exactly once: no pair in both, every pair in one.
    const names0 = lines0.map((l) => l.pair);
    const names1 = lines1.map((l) => l.pair);
    expect(names0.filter((n) => names1.includes(n))).toEqual([]);
    checkLines([...lines0, ...lines1], ALL);
    // The sorted list's (by magnitude path) even indices, then its odd ones.
    const sorted = planBatch(data).pairs.map((p) => p.name);
    expect(names0.sort()).toEqual(sorted.filter((_, i) => i % 2 === 0).sort());
    expect(names1.sort()).toEqual(sorted.filter((_, i) => i % 2 === 1).sort());

    // The candidates are analyze --json's, as is.
    const torch = [...lines0, ...lines1].find((l) => l.pair === 'torch-400') as BatchLine;
    const a = await cli('analyze', join(data, 'torch-400.mag'), join(data, 'torch-400.phase'), '--json', '--top', '3');
    const json = JSON.parse(a.out) as { candidates: { config: unknown; rank: number; evidence: unknown }[] };
    expect(torch.candidates.map((c) => c.config)).toEqual(json.candidates.map((c) => c.config));
    expect(torch.candidates[0].evidence).toEqual(json.candidates[0].evidence);
    // An unusable phase file: ok, and the line says so.
    const zero = [...lines0, ...lines1].find((l) => l.pair === 'zerophase') as BatchLine;
    expect(zero.phaseStatus).toMatchObject({ usable: false });
    expect(zero.notes.join(' ')).toMatch(/unusable/);
  });

  it('a second run over the merged shards (cat) skips the finished pairs and reruns only the failed ones', { timeout: 300_000 }, async () => {
    writeFileSync(merged, readFileSync(out0, 'utf8') + readFileSync(out1, 'utf8'));
    const before = readLines(merged);
    const ok = before.filter((l) => l.status === 'ok').map((l) => l.pair);
    const failed = before.filter((l) => l.status === 'error').map((l) => l.pair);
    const started: string[] = [];
    const s = await batch(data, { out: merged, onEvent: (e) => e.type === 'start' && started.push(e.pair.name) });
    expect(s.alreadyDone).toBe(ok.length);
    expect(started.sort()).toEqual(failed.sort());
    expect(s.failed).toBe(failed.length);
    const after = readLines(merged);
    expect(after.length).toBe(before.length + failed.length);
    // Dry run agrees: the done ones are marked.
    const r = await cli('batch', data, '--out', merged, '--dry-run');
    expect(r.out).toMatch(new RegExp(`${ok.length} already ok in `));
    for (const name of ok) expect(r.out).toMatch(new RegExp(`^  ${name} +\\(done\\) `, 'm'));
  });

  it('a results file whose last line was cut short by a kill is repaired before appending', { timeout: 120_000 }, async () => {
    const out = join(tmp, 'cut.jsonl');
    const good = readLines(merged).find((l) => l.pair === 'torch-400') as BatchLine;
    // The torch-400 line is complete; an ok line of the same name as odd-int16 but of other files is
    // another pair's; a cut-short line for a third pair follows.
    const other = { ...good, pair: 'odd-int16', magnitude: '/elsewhere/odd-int16.f32', phase: '/elsewhere/odd-int16.phase' };
    writeFileSync(out, `${JSON.stringify(good)}\n${JSON.stringify(other)}\n{"pair":"matlab-db-degrees","status":"ok","magn`);
    const s = await batch(join(SAMPLES), { out, shard: { index: 0, count: 1 } });
    expect(s.repaired).toBe(true);
    expect(s.alreadyDone).toBe(1);
    expect(s.lines.map((l) => l.pair).sort()).toEqual(['librosa-default', 'matlab-db-degrees', 'odd-int16']);
    const lines = readLines(out);
    expect(lines.map((l) => l.pair).sort()).toEqual([...GOOD, 'odd-int16'].sort());
    expect(readFileSync(out, 'utf8').endsWith('\n')).toBe(true);
  });

  it('the library entry exports batch; a TTY gets a progress line (done, failed, rate, time left), a pipe none', async () => {
    expect(library.batch).toBe(batch);
    const tty = { code: 0, err: '' };
    const out = join(tmp, 'tty.jsonl');
    tty.code = await run(['batch', SAMPLES, '--out', out, '--shard', '3/4'], { stdout: () => {}, stderr: (s) => (tty.err += s), isTTY: true });
    expect(tty.code, tty.err).toBe(0);
    expect(tty.err).toMatch(/batch \[#+\] 1\/1 done, 0 failed, \d+\.\d\d pairs\/s, 0s left/);
    const pipe = await cli('batch', SAMPLES, '--out', join(tmp, 'pipe.jsonl'), '--shard', '3/4');
    expect(pipe.err).not.toMatch(/\r/);
    expect(pipe.err.trim().split('\n')).toHaveLength(1);
  });

  it('bad commands exit 2, an unreadable folder or manifest exits 3, one line each, nothing written', async () => {
    const out = join(tmp, 'never.jsonl');
    const one = (r: { err: string }) => expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    const cases: [string[], number, RegExp][] = [
      [['batch', data], 2, /required option '--out/],
      [['batch', data, '--out', out, '--shard', '2/2'], 2, /--shard 2\/2: expected I\/N/],
      [['batch', data, '--out', out, '--shard', 'x'], 2, /--shard x/],
      [['batch', data, '--out', out, '--jobs', '0'], 2, /--jobs must be a positive integer/],
      [['batch', data, '--out', join(tmp, 'no', 'dir', 'r.jsonl')], 2, /does not exist/],
      [['batch', data, '--out', out, '--set', 'nfft=-1'], 2, /nfft = "-1" is not valid/],
      [['batch', data, '--out', out, '--config', join(tmp, 'none.json')], 2, /none\.json: cannot read config \(no such file\)/],
      [['batch', join(tmp, 'missing'), '--out', out], 3, /missing: no such file/],
      [['batch', join(data, 'torch-400.mag'), '--out', out], 2, /expected a folder, or a manifest/],
    ];
    for (const [argv, code, why] of cases) {
      const r = await cli(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(code);
      expect(r.err).toMatch(why);
      one(r);
    }
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, '{"magnitude": 3}\n');
    const r = await cli('batch', bad, '--out', out);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/bad\.jsonl: line 1: no magnitude file/);
    expect(existsSync(out)).toBe(false);
  });

  it("a manifest pairs what names cannot, with a per-pair config; a missing file is that pair's error line", { timeout: 120_000 }, async () => {
    const m = join(data, 'list.csv');
    writeFileSync(m, `magnitude,phase,config\ntorch-400.mag,torch-400.phase,torch-400.truth.json\nnope.mag,nope.phase,\ndir_mag.f32,dir_phase.f32,\n`);
    const out = join(tmp, 'manifest.jsonl');
    const r = await cli('batch', m, '--out', out);
    expect(r.code, r.err).toBe(4);
    const lines = readLines(out);
    expect(Object.fromEntries(lines.map((l) => [l.pair, l.error]))).toEqual({
      'torch-400': null,
      nope: `${join(data, 'nope.mag')}: no such file`,
      dir: `${join(data, 'dir_mag.f32')}: is a directory, not a file`,
    });
  });
});
