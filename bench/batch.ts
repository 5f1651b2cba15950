/**
 * `npm run bench`, batch section (also `node dist/bench/batch.js` alone): pairs per second of
 * `spec-detect batch` at --jobs 1 and --jobs 2 over the same synthesised folder, and the peak
 * resident memory of one job (each line's peakRssMB: the worker process's high-water mark during
 * that pair). Target on this 2-core machine: --jobs 2 at least 1.8x the pairs/s of --jobs 1.
 * BENCH_BATCH_PAIRS (default 200) pairs of BENCH_BATCH_SECONDS (default 30) seconds, the four
 * recipes of samples/ in turn, BENCH_BATCH_DISTINCT (default 8) distinct signals copied to make up
 * the count (the analysis of a copy costs what the original's does).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BatchLine } from '../src/batch/types.js';
import type { StftConfig } from '../src/config/types.js';
import { frameCountFor, geometryFromConfig } from '../src/dsp/stft.js';
import { makeStftFiles } from '../src/synth/make.js';
import { demoSignal } from '../src/synth/signals.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** Write `pairs` pairs of `seconds` s into `dir`; returns the true config of each pair by name. */
function makeFolder(dir: string, pairs: number, seconds: number, distinct: number): Map<string, StftConfig> {
  const recipes = readdirSync(join(ROOT, 'samples'))
    .filter((f) => f.endsWith('.truth.json'))
    .sort()
    .map((f) => ({ name: f.replace('.truth.json', ''), config: JSON.parse(readFileSync(join(ROOT, 'samples', f), 'utf8')) as StftConfig }));
  const truth = new Map<string, StftConfig>();
  const originals: { name: string; config: StftConfig }[] = [];
  for (let i = 0; i < Math.min(distinct, pairs); i++) {
    const r = recipes[i % recipes.length];
    const x = demoSignal(r.config.sampleRate ?? 16000, seconds, 100 + i);
    const frames = frameCountFor(x.length, geometryFromConfig(r.config));
    const config: StftConfig = { ...r.config, frames, originalLength: r.config.center ? x.length : null };
    const made = makeStftFiles(x, config);
    const name = `p${String(i).padStart(4, '0')}-${r.name}`;
    writeFileSync(join(dir, `${name}_mag.bin`), made.magnitude);
    writeFileSync(join(dir, `${name}_phase.bin`), made.phase ?? new Uint8Array(0));
    originals.push({ name, config });
    truth.set(name, config);
  }
  for (let i = originals.length; i < pairs; i++) {
    const o = originals[i % originals.length];
    const name = `p${String(i).padStart(4, '0')}-${o.name.slice(6)}`;
    copyFileSync(join(dir, `${o.name}_mag.bin`), join(dir, `${name}_mag.bin`));
    copyFileSync(join(dir, `${o.name}_phase.bin`), join(dir, `${name}_phase.bin`));
    truth.set(name, o.config);
  }
  return truth;
}

interface Run {
  jobs: number;
  seconds: number;
  /** CPU time (user + system) of the batch process and its workers. */
  cpuSeconds: number;
  /** The machine's 1-minute load average before and after (others' work shares the cores). */
  load: number[];
  medianPairMs: number;
  pairsPerSecond: number;
  ok: number;
  right: number;
  peakMax: number;
  peakMedian: number;
}

function runBatch(dir: string, out: string, jobs: number, truth: Map<string, StftConfig>): Run {
  rmSync(out, { force: true });
  const load0 = loadavg()[0];
  const cpu0 = childrenCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'batch', dir, '--out', out, '--jobs', String(jobs)], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = childrenCpuSeconds() - cpu0;
  const load = [load0, loadavg()[0]];
  if (r.status !== 0 && r.status !== 4) throw new Error(`batch failed (${r.status}): ${r.stderr}`);
  const lines = readFileSync(out, 'utf8')
    .split('\n')
    .filter((s) => s)
    .map((s) => JSON.parse(s) as BatchLine);
  const fields: (keyof StftConfig)[] = ['frames', 'bins', 'layout', 'nfft', 'hop', 'window', 'windowSymmetry', 'magnitudeScale', 'phaseUnit'];
  const right = lines.filter((l) => {
    const t = truth.get(l.pair);
    const c = l.candidates[0]?.config;
    return t && c && fields.every((f) => JSON.stringify(c[f]) === JSON.stringify(t[f]));
  }).length;
  const peaks = lines.map((l) => l.peakRssMB ?? 0).sort((a, b) => a - b);
  return {
    jobs,
    seconds,
    cpuSeconds,
    load,
    medianPairMs: lines.map((l) => l.elapsedMs).sort((a, b) => a - b)[Math.floor(lines.length / 2)] ?? 0,
    pairsPerSecond: lines.length / seconds,
    ok: lines.filter((l) => l.status === 'ok').length,
    right,
    peakMax: peaks[peaks.length - 1] ?? 0,
    peakMedian: peaks[Math.floor(peaks.length / 2)] ?? 0,
  };
}

/** CPU seconds (user + system) of this process's finished children, from /proc (0 elsewhere). */
function childrenCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // After the command: state is field 3, cutime 16 and cstime 17 (1-based), in clock ticks (100/s).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

export function benchBatch(): void {
  const pairs = Number(process.env.BENCH_BATCH_PAIRS ?? 200);
  const seconds = Number(process.env.BENCH_BATCH_SECONDS ?? 30);
  const distinct = Number(process.env.BENCH_BATCH_DISTINCT ?? 8);
  const dir = mkdtempSync(join(tmpdir(), 'sd-bench-batch-'));
  try {
    const data = join(dir, 'data');
    mkdirSync(data);
    process.stdout.write(`\nbatch: ${pairs} pairs of ${seconds} s (the 4 sample recipes, ${Math.min(distinct, pairs)} distinct signals), making the files... `);
    const t = performance.now();
    const truth = makeFolder(data, pairs, seconds, distinct);
    console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
    const runs = [1, 2].map((jobs) => runBatch(data, join(dir, `jobs${jobs}.jsonl`), jobs, truth));
    for (const r of runs) {
      console.log(
        `  --jobs ${r.jobs}: ${r.seconds.toFixed(1)} s, ${r.pairsPerSecond.toFixed(2)} pairs/s (CPU ${r.cpuSeconds.toFixed(1)} s, median pair ${r.medianPairMs} ms, machine load ${r.load.map((l) => l.toFixed(1)).join(' -> ')}); ${r.ok}/${pairs} ok, rank 1 right on ${r.right}; peak RSS per job ${r.peakMax} MB (median ${r.peakMedian} MB)`,
      );
    }
    const speedup = runs[1].pairsPerSecond / runs[0].pairsPerSecond;
    // A lone job also runs V8's helper threads (GC, compiler) on the idle core: the cores it uses bound
    // what two jobs on two cores can gain over it, however well they scale.
    const lone = runs[0].cpuSeconds / runs[0].seconds;
    console.log(
      `  speed-up --jobs 2 / --jobs 1: ${speedup.toFixed(3)}x (target >= 1.8x on 2 cores; other load on the machine lowers it); a lone job used ${lone.toFixed(2)} cores, so 2 cores allow at most ${(2 / lone).toFixed(2)}x at equal CPU per pair`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) benchBatch();
