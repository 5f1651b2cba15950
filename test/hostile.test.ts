import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { analyze } from '../src/analyze/index.js';
import { rng } from './helpers.js';
import { describeMutation, mutatePair, pairMutations } from '../bench/hostile-cases.js';

/**
 * Hostile and broken input through the CLI entry point: every case gets one line naming the file and
 * the problem, exit 2 (usage) or 3 (input), no stack trace, bounded work, and no output left behind.
 */
const ROOT = join(import.meta.dirname, '..');
const SAMPLE = (ext: string) => join(ROOT, 'samples', `torch-400.${ext}`);
const tmp = mkdtempSync(join(tmpdir(), 'sd-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

function file(name: string, data: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

function expectCleanFailure(r: { code: number; err: string }, code: number, pattern: RegExp): void {
  expect(r.code, r.err).toBe(code);
  expect(r.err).toMatch(pattern);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at |internal error/);
}

describe('hostile input', () => {
  const random = new Uint8Array(40000).map((_, i) => Math.floor(rng(i + 1)() * 256));
  const cases: [string, () => string[], number, RegExp][] = [
    ['missing file', () => [join(tmp, 'nope.mag')], 3, /nope\.mag: no such file/],
    ['a directory', () => [tmp], 3, /is a directory/],
    ['empty file', () => [file('empty.mag', new Uint8Array(0))], 3, /empty\.mag: is empty/],
    ['1-byte file', () => [file('one.mag', new Uint8Array([7]))], 3, /one\.mag: /],
    ['size that fits no dims', () => [file('odd.mag', new Uint8Array(4 * 13)), file('odd.phase', new Uint8Array(4 * 13))], 3, /odd\.mag: /],
    ['all zeros', () => [file('zeros.mag', new Uint8Array(80000)), file('zeros.phase', new Uint8Array(80000))], 3, /zeros\.(mag|phase): /],
    [
      'all NaN',
      () => [
        file('nan.mag', new Uint8Array(new Float32Array(20000).fill(NaN).buffer)),
        file('nan.phase', new Uint8Array(new Float32Array(20000).fill(NaN).buffer)),
      ],
      3,
      /nan\.(mag|phase): /,
    ],
    ['random bytes', () => [file('random.mag', random), file('random.phase', random.slice().reverse())], 3, /random\.(mag|phase): /],
    ['text that is not numbers', () => [file('words.csv', 'hello,world\nthis,is\nnot,numbers\n')], 3, /words\.csv: /],
  ];
  for (const [name, args, code, pattern] of cases) {
    it(`analyze: ${name}`, async () => {
      const r = await cli('analyze', ...args());
      expectCleanFailure(r, code, pattern);
    });
  }

  it('mismatched magnitude and phase sizes: refused, unless one file is a cut-short copy of the pair', async () => {
    const phase = readFileSync(SAMPLE('phase'));
    for (const cmd of [['analyze'], ['export', '-o', join(tmp, 'long.wav')]]) {
      const long = await cli(cmd[0], SAMPLE('mag'), file('long.phase', Buffer.concat([phase, phase.subarray(0, 4000)])), ...cmd.slice(1));
      expectCleanFailure(
        long,
        3,
        /long\.phase: does not pair with .*torch-400\.mag: it is 4000 bytes longer, and no reading fits the values both hold; leave it out/,
      );
    }
    expect(existsSync(join(tmp, 'long.wav'))).toBe(false);
    const short = await cli('analyze', SAMPLE('mag'), file('short.phase', phase.subarray(0, 40000)));
    expect(short.code, short.err).toBe(0);
    expect(short.out).toMatch(/note: the phase file .*short\.phase ends early .*: the pair was analysed on the 49 of 201 frames it covers/);
  });

  it('a phase file cut short by a few bytes: read on the frames it covers (frame-major) or refused (bin-major), at bounded work', () => {
    for (const [name, covered] of [
      ['torch-400', true],
      ['librosa-default', false],
    ] as const) {
      const at = (ext: string): string => join(ROOT, 'samples', `${name}.${ext}`);
      const whole = analyze(at('mag'), at('phase'));
      const alone = analyze(at('mag'), null);
      const bytes = readFileSync(at('phase'));
      for (const cut of [1, 3, 4, 8]) {
        const cutFile = file(`cut${cut}.phase`, bytes.subarray(0, bytes.length - cut));
        if (!covered) {
          // A bin-major file's end holds the upper bins of every frame: no frames are whole.
          expect(() => analyze(at('mag'), cutFile)).toThrow(new RegExp(`cut${cut}\\.phase: does not pair with .*: it is ${cut} bytes? shorter`));
          continue;
        }
        const r = analyze(at('mag'), cutFile);
        const what = `${name} cut ${cut}: ${r.notes[0]}`;
        expect(r.notes[0]).toMatch(new RegExp(`${cut} bytes? shorter than the magnitude file`));
        // The last frame is incomplete: the pair is read on the others, at the truth.
        expect(r.phase, what).toMatchObject({ kind: 'partial', usable: true });
        expect(r.candidates[0].config, what).toMatchObject({ ...whole.candidates[0].config, originalLength: null });
        // The fallbacks cost a pair's analysis, the magnitudes' alone and the covered frames' pair: at
        // most about twice the well-formed work. Readings that cannot be the pair's must not add a sweep
        // of their own (a 2 × 33311 reading once cost 95 evaluations against 31).
        expect(r.consistencyEvaluations, what).toBeLessThanOrEqual(2 * (whole.consistencyEvaluations + alone.consistencyEvaluations));
      }
    }
  });

  it('a 4 GB sparse file is refused or sampled, never read whole (its time is in npm run bench)', async () => {
    const big = join(tmp, 'big.mag');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 4 * 1024 ** 3);
    closeSync(fd);
    const r = await cli('analyze', big);
    expect([0, 3]).toContain(r.code);
    if (r.code === 3) expectCleanFailure(r, 3, /big\.mag: /);
    // Its time is measured by `npm run bench` (bench/hostile.ts); here only the outcome.
    rmSync(big);
  });

  it('export: output in a missing folder or unwritable, existing output kept', async () => {
    const cfg = SAMPLE('truth.json');
    expectCleanFailure(await cli('export', SAMPLE('mag'), SAMPLE('phase'), '--config', cfg, '-o', join(tmp, 'no', 'such', 'dir.wav')), 2, /does not exist/);
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    const keep = file('keep.wav', 'precious');
    expectCleanFailure(await cli('export', SAMPLE('mag'), SAMPLE('phase'), '--config', cfg, '-o', keep), 2, /already exists/);
    expect(readFileSync(keep, 'utf8')).toBe('precious');
    // A folder that takes no file (root may write almost anywhere, not in Linux's /sys) and a file used
    // as a folder: refused before the analysis (whose notes would make stderr more than one line).
    const unwritable: [string, RegExp][] = [[join(keep, 'out.wav'), /keep\.wav is not a folder/]];
    if (existsSync('/sys/kernel')) unwritable.push(['/sys/out.wav', /\/sys\/out\.wav: cannot write in \/sys \(permission denied\)/]);
    for (const [out, why] of unwritable) expectCleanFailure(await cli('export', SAMPLE('mag'), SAMPLE('phase'), '-o', out), 2, why);
    if (existsSync('/sys/kernel')) expectCleanFailure(await cli('analyze', SAMPLE('mag'), '--report', '/sys/r.md'), 2, /cannot write in \/sys/);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('usage errors exit 2', async () => {
    expectCleanFailure(await cli('analyze'), 2, /missing required argument/);
    expectCleanFailure(await cli('analyze', SAMPLE('mag'), '--top', '0'), 2, /--top must be a positive integer/);
    expectCleanFailure(await cli('analyze', SAMPLE('mag'), '--set', 'nfft=-3'), 2, /nfft = "-3" is not valid/);
    expectCleanFailure(await cli('analyze', SAMPLE('mag'), '--report', join(tmp, 'nodir', 'r.md')), 2, /does not exist/);
  });
});

describe('fuzz: mutated samples through the CLI', () => {
  it('never throws, exits 0 or 3, does bounded work, leaves no temp files', { timeout: 600_000 }, async () => {
    const mag = readFileSync(SAMPLE('mag'));
    const phase = readFileSync(SAMPLE('phase'));
    // "Bounded" as a count, not a clock (wall time is `npm run bench`'s, bench/hostile.ts, on these
    // same seeded inputs): no mutation makes analyze run many more consistency evaluations than the
    // well-formed input. A phase file found unusable is followed by the documented fallback, the
    // magnitudes analysed alone, so the well-formed work of such an input is the pair's plus the
    // magnitudes' alone.
    const evaluations = async (...argv: string[]): Promise<number> =>
      (JSON.parse((await cli('analyze', ...argv, '--json')).out) as { consistencyEvaluations: number }).consistencyEvaluations;
    const baseline = (await evaluations(SAMPLE('mag'), SAMPLE('phase'))) + (await evaluations(SAMPLE('mag')));
    const bound = 2 * baseline;
    let most = 0;
    const codes = new Map<number, number>();
    const mutations = pairMutations(Number(process.env.FUZZ_RUNS ?? 24));
    for (const [i, mutation] of mutations.entries()) {
      const what = describeMutation(mutation, i);
      const m = mutatePair(mag, phase, mutation);
      const mp = file('fz.mag', m.magnitude);
      const pp = file('fz.phase', m.phase);
      const r = await cli('analyze', mp, pp, '--json');
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      expect([0, 3], `${what}: ${r.err}`).toContain(r.code);
      if (r.code !== 0) {
        expectCleanFailure(r, 3, /fz\.(mag|phase): /);
        continue;
      }
      const n = (JSON.parse(r.out) as { consistencyEvaluations: number }).consistencyEvaluations;
      most = Math.max(most, n);
      expect(n, what).toBeLessThanOrEqual(bound);
    }
    console.log(
      `fuzz: ${mutations.length} mutated pairs, exit codes ${JSON.stringify(Object.fromEntries(codes))}, most consistency evaluations ${most} (well-formed ${baseline}, bound ${bound})`,
    );
    expect(existsSync(join(tmp, 'fz.mag'))).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('copies of the bundled samples analyse cleanly (sanity for the fuzz baseline)', async () => {
    const m = join(tmp, 'copy.mag');
    copyFileSync(SAMPLE('mag'), m);
    const r = await cli('analyze', m, SAMPLE('phase'), '--json');
    expect(r.code, r.err).toBe(0);
  });
});
