/**
 * `npm run bench`, hostile-input section (also `node dist/bench/hostile.js` alone): the wall-time
 * bounds the tests used to assert, measured here instead (tests check outcomes and counts, never the
 * clock, which a loaded CI machine stretches: the fuzz once took 7.6 s against its 8.2 s bound).
 * Each group reports its slowest input by name against its bound:
 * - the fuzz test's seeded mutations of torch-400 (bench/hostile-cases.ts) through `analyze --json`:
 *   bound 2 x (the pair's time + the magnitudes' alone) + 2 s;
 * - the hostile test's broken files (missing, folder, empty, zeros, NaN, random...): bound 20 s each;
 * - a 4 GB sparse file: bound 30 s (it must be sampled or refused, never read whole);
 * - container sniffing: a .npy header claiming a huge shape (bound 200 ms) and random byte mutations
 *   of the container fixtures (seed 424242, as the containers test): bound 2 s each.
 */
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { run } from '../src/cli/run.js';
import { openArray, sniffContainer } from '../src/io/containers/index.js';
import { describeMutation, mutate, mutatePair, mutationArb, pairMutations } from './hostile-cases.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLE = (ext: string) => join(ROOT, 'samples', `torch-400.${ext}`);
const FIX = join(ROOT, 'test', 'fixtures', 'containers');

async function timed(argv: string[]): Promise<{ ms: number; code: number }> {
  const t = performance.now();
  const code = await run(argv, { stdout: () => {}, stderr: () => {}, isTTY: false });
  return { ms: performance.now() - t, code };
}

function report(group: string, times: { name: string; ms: number }[], boundMs: number): void {
  const slowest = times.reduce((a, b) => (b.ms > a.ms ? b : a), { name: '-', ms: 0 });
  const over = times.filter((t) => t.ms > boundMs);
  console.log(
    `  ${group}: ${times.length} inputs, slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms against a bound of ${boundMs.toFixed(0)} ms: ${over.length ? `OVER on ${over.map((o) => o.name).join(', ')}` : 'within'}`,
  );
}

async function fuzz(tmp: string): Promise<void> {
  const mag = readFileSync(SAMPLE('mag'));
  const phase = readFileSync(SAMPLE('phase'));
  const baseline = (await timed(['analyze', SAMPLE('mag'), SAMPLE('phase'), '--json'])).ms + (await timed(['analyze', SAMPLE('mag'), '--json'])).ms;
  const times: { name: string; ms: number }[] = [];
  for (const [i, m] of pairMutations(Number(process.env.FUZZ_RUNS ?? 24)).entries()) {
    const files = mutatePair(mag, phase, m);
    writeFileSync(join(tmp, 'fz.mag'), files.magnitude);
    writeFileSync(join(tmp, 'fz.phase'), files.phase);
    times.push({ name: describeMutation(m, i), ms: (await timed(['analyze', join(tmp, 'fz.mag'), join(tmp, 'fz.phase'), '--json'])).ms });
  }
  report(`fuzz (well-formed pair + magnitudes alone ${baseline.toFixed(0)} ms)`, times, 2 * baseline + 2000);
}

async function brokenFiles(tmp: string): Promise<void> {
  const put = (name: string, data: Uint8Array | string): string => {
    writeFileSync(join(tmp, name), data);
    return join(tmp, name);
  };
  let s = 1;
  const random = new Uint8Array(40000).map(() => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) & 255);
  mkdirSync(join(tmp, 'dir'));
  const cases: [string, string[]][] = [
    ['missing file', [join(tmp, 'nope.mag')]],
    ['a directory', [join(tmp, 'dir')]],
    ['empty file', [put('empty.mag', new Uint8Array(0))]],
    ['1-byte file', [put('one.mag', new Uint8Array([7]))]],
    ['size that fits no dims', [put('odd.mag', new Uint8Array(52)), put('odd.phase', new Uint8Array(52))]],
    ['all zeros', [put('zeros.mag', new Uint8Array(80000)), put('zeros.phase', new Uint8Array(80000))]],
    [
      'all NaN',
      [
        put('nan.mag', new Uint8Array(new Float32Array(20000).fill(Number.NaN).buffer)),
        put('nan.phase', new Uint8Array(new Float32Array(20000).fill(Number.NaN).buffer)),
      ],
    ],
    ['random bytes', [put('random.mag', random), put('random.phase', random.slice().reverse())]],
    ['text that is not numbers', [put('words.csv', 'hello,world\nthis,is\nnot,numbers\n')]],
  ];
  const times: { name: string; ms: number }[] = [];
  for (const [name, args] of cases) times.push({ name, ms: (await timed(['analyze', ...args])).ms });
  report('broken files', times, 20000);
  const big = join(tmp, 'big.mag');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 4 * 1024 ** 3);
  closeSync(fd);
  report('4 GB sparse file', [{ name: 'big.mag', ms: (await timed(['analyze', big])).ms }], 30000);
  rmSync(big);
}

function containers(tmp: string): void {
  const good = readFileSync(join(FIX, 'npy/f8_le_C.npy'));
  const header = good.subarray(0, 10 + good.readUInt16LE(8)).toString('latin1');
  const huge = Buffer.from(header.replace('(3, 5)', '(999999999, 9999)').padEnd(header.length, ' ').slice(0, header.length), 'latin1');
  const hugeFile = join(tmp, 'huge.npy');
  writeFileSync(hugeFile, Buffer.concat([huge, good.subarray(huge.length)]));
  report('npy header claiming 999999999 x 9999', [{ name: 'huge.npy', ms: time(() => exercise(hugeFile)) }], 200);
  const targets = [
    'npy/f4_le_C.npy',
    'npy/c16_be_F.npy',
    'npz/magphase_stored.npz',
    'npz/magphase_deflate.npz',
    'mat/v5_plain.mat',
    'mat/v5_compressed.mat',
    'mat/v5_handmade_be.mat',
    'text/comma_header.csv',
    'text/space.txt',
  ];
  const times: { name: string; ms: number }[] = [];
  for (const rel of targets) {
    const original = readFileSync(join(FIX, rel));
    const target = join(tmp, `mutant-${rel.replace('/', '-')}`);
    fc.sample(mutationArb, { numRuns: 300, seed: 424242 }).forEach((ms, i) => {
      writeFileSync(target, ms.reduce(mutate, original));
      times.push({ name: `${rel} #${i}`, ms: time(() => exercise(target)) });
    });
  }
  report('container mutations', times, 2000);
}

const time = (f: () => void): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

/** Sniff and read every array; an input error is an outcome like success (the test checks which). */
function exercise(file: string): void {
  try {
    const info = sniffContainer(file);
    for (const a of info.arrays) {
      const { source } = openArray(file, info, a.name);
      try {
        const re = new Float64Array(source.length);
        source.read(0, source.length, re, source.complex ? new Float64Array(source.length) : undefined);
      } finally {
        source.close();
      }
    }
  } catch {
    /* outcomes are the containers test's */
  }
}

export async function benchHostile(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'sd-bench-hostile-'));
  try {
    console.log('\nhostile input: wall time against the bounds the tests no longer assert');
    await fuzz(tmp);
    await brokenFiles(tmp);
    containers(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchHostile();
