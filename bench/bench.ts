/**
 * `npm run bench`: speed and memory figures (tests check correctness, never wall time).
 * - FFT transforms/s; STFT and ISTFT frames/s for nfft 400, 512, 1024, 2048.
 * - Export of a 10-minute 44.1 kHz pair (2048/512, float32): wall time and peak RSS of a child process,
 *   with the default worker threads and with one thread. Target: no slower than numpy's ISTFT of the
 *   same data (~1.6 s here), peak RSS < 1 GB.
 * - Hostile input against the time bounds the tests no longer assert (bench/hostile.ts).
 * - batch pairs/s at --jobs 1 and 2 in alternating blocks of the same pairs, CPU per pair, peak RSS per job (bench/batch.ts).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StftConfig } from '../src/config/types.js';
import { frameCountFor, geometryFromConfig, istft, outputRange, stft, subGeometry } from '../src/dsp/stft.js';
import { encodeValues } from '../src/io/dtype.js';
import { demoSignal } from '../src/synth/signals.js';
import { benchFft } from './fft-bench.js';
import { benchRetrieval } from './retrieval-bench.js';
import { benchBatch } from './batch.js';
import { benchHostile } from './hostile.js';

function baseConfig(nfft: number, hop: number, frames: number): StftConfig {
  const raw = { format: 'raw' as const, dtype: 'float32' as const, endian: 'little' as const, headerBytes: 0, variable: null };
  return {
    magnitudeFile: raw,
    phaseFile: raw,
    layout: 'frame-major',
    frames,
    bins: nfft / 2 + 1,
    nfft,
    sided: 'one',
    hop,
    winLength: nfft,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    center: true,
    padMode: 'zeros',
    firstFrameStart: -nfft / 2,
    phaseReference: 'frame-start',
    phaseSign: '+',
    magnitudeScale: 'linear',
    dbFloor: null,
    gain: 1,
    phaseUnit: 'radians',
    sampleRate: 44100,
    originalLength: null,
    channels: 1,
    binOrder: 'ascending',
    detrend: 'none',
  };
}

function stftThroughput(): void {
  console.log('\nSTFT / ISTFT throughput (float64, frames/s, 10 s of 44.1 kHz audio, hop nfft/4)');
  const x = demoSignal(44100, 10, 3);
  for (const nfft of [400, 512, 1024, 2048]) {
    const g = geometryFromConfig(baseConfig(nfft, nfft / 4, 0));
    stft(x.subarray(0, 44100), g); // warm-up
    let t = performance.now();
    const X = stft(x, g);
    const tf = (performance.now() - t) / 1000;
    t = performance.now();
    istft(X, g, outputRange(g, X.frames, null));
    const ti = (performance.now() - t) / 1000;
    console.log(
      `  nfft ${String(nfft).padStart(4)}: STFT ${Math.round(X.frames / tf).toLocaleString('en')} frames/s, ISTFT ${Math.round(X.frames / ti).toLocaleString('en')} frames/s`,
    );
  }
}

/** Write a 10-minute pair block by block (never the whole STFT in memory). */
function makeLongPair(dir: string, seconds: number): { config: StftConfig; mag: string; phase: string } {
  const x = demoSignal(44100, seconds, 5);
  const nfft = 2048;
  const hop = 512;
  const cfg0 = baseConfig(nfft, hop, 0);
  const g = geometryFromConfig(cfg0);
  const frames = frameCountFor(x.length, g);
  const config: StftConfig = { ...cfg0, frames, originalLength: x.length };
  const mag = join(dir, 'long.mag');
  const phase = join(dir, 'long.phase');
  const fm = openSync(mag, 'w');
  const fp = openSync(phase, 'w');
  const B = 1024;
  for (let m0 = 0; m0 < frames; m0 += B) {
    const X = stft(x, subGeometry(g, m0), Math.min(B, frames - m0));
    const a = new Float64Array(X.re.length);
    const p = new Float64Array(X.re.length);
    for (let i = 0; i < a.length; i++) {
      a[i] = Math.hypot(X.re[i], X.im[i]);
      p[i] = Math.atan2(X.im[i], X.re[i]);
    }
    writeSync(fm, encodeValues(a, 'float32', 'little'));
    writeSync(fp, encodeValues(p, 'float32', 'little'));
  }
  closeSync(fm);
  closeSync(fp);
  writeFileSync(join(dir, 'long.json'), JSON.stringify(config));
  return { config, mag, phase };
}

function exportBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sd-bench-'));
  try {
    const minutes = Number(process.env.BENCH_MINUTES ?? 10);
    process.stdout.write(`\nexport of a ${minutes}-minute 44.1 kHz pair (2048/512, float32, frame-major): making the files... `);
    const t = performance.now();
    const { config } = makeLongPair(dir, minutes * 60);
    console.log(`${((performance.now() - t) / 1000).toFixed(1)} s, ${((config.frames * config.bins * 4) / 1e6).toFixed(0)} MB per file`);
    const child = join(import.meta.dirname, 'export-child.js');
    type Run = { seconds: number; maxRssMB: number; samples: number; threads: number };
    const run = (mode: 'default' | 'sequential'): Run => {
      const r = spawnSync(process.execPath, [child, join(dir, 'long.json'), join(dir, 'long.mag'), join(dir, 'long.phase'), join(dir, 'out.wav'), mode], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`export child failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Run;
    };
    const show = (label: string, runs: Run[]): void => {
      const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
      console.log(
        `  ${label}: best of ${runs.length} ${best.seconds.toFixed(2)} s (runs ${runs.map((r) => r.seconds.toFixed(2)).join(', ')}), peak RSS ${Math.max(...runs.map((r) => r.maxRssMB)).toFixed(0)} MB, ${best.samples} samples, ${best.threads} thread(s)`,
      );
    };
    show('export', [run('default'), run('default'), run('default')]);
    show('export, one thread (parallel: false)', [run('sequential')]);
    console.log('  targets: <= numpy ISTFT of the same data (~1.6 s on this machine), peak RSS < 1024 MB');
    analyzeBench(dir, `${minutes}-minute`, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** analyze on the pair in `dir` (long.*), best of 3 in child processes, against its true config. */
function analyzeBench(dir: string, label: string, targetSeconds: number): void {
  const child = join(import.meta.dirname, 'analyze-child.js');
  type Run = { seconds: number; heuristicsSeconds: number; maxRssMB: number; right: boolean; wrong: string[]; rank1: string };
  const pairMB = (statSync(join(dir, 'long.mag')).size + statSync(join(dir, 'long.phase')).size) / 2 / 1e6;
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [child, join(dir, 'long.mag'), join(dir, 'long.phase'), join(dir, 'long.json')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`analyze child failed: ${r.stderr}`);
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Run);
  }
  const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
  console.log(
    `  analyze (${label} pair, ${pairMB.toFixed(0)} MB each): best of 3 ${best.seconds.toFixed(2)} s (runs ${runs.map((r) => r.seconds.toFixed(2)).join(', ')}), peak RSS ${Math.max(...runs.map((r) => r.maxRssMB)).toFixed(0)} MB; rank 1 ${best.right ? 'right' : `wrong in ${best.wrong.join(', ')}`} (${best.rank1}); target < ${targetSeconds} s, < 1024 MB`,
  );
  console.log(`    of which the heuristics (analyzers alone): ${best.heuristicsSeconds.toFixed(2)} s; target < 1 s on a 200 MB pair, since they sample`);
}

/** What `--report FILE.html` adds to analyze on the pair in `dir`: best of 3 child processes. */
function reportBench(dir: string, label: string, targetSeconds: number): void {
  const child = join(import.meta.dirname, 'analyze-child.js');
  type Run = { seconds: number; reportSeconds: number; reportCpuSeconds: number; reportKB: number };
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [child, join(dir, 'long.mag'), join(dir, 'long.phase'), join(dir, 'long.json'), join(dir, 'report.html')], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`analyze child failed: ${r.stderr}`);
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Run);
  }
  const best = runs.reduce((a, b) => (a.reportSeconds < b.reportSeconds ? a : b));
  console.log(
    `  --report FILE.html (${label} pair): adds best of 3 ${best.reportSeconds.toFixed(2)} s (runs ${runs.map((r) => r.reportSeconds.toFixed(2)).join(', ')}; CPU ${best.reportCpuSeconds.toFixed(2)} s) to analyze's ${best.seconds.toFixed(2)} s, ${best.reportKB.toFixed(0)} KB; target < ${targetSeconds} s`,
  );
}

function shortPairBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sd-bench-'));
  try {
    process.stdout.write('\nanalyze of a 30-second 44.1 kHz pair (2048/512, float32): making the files... ');
    const t = performance.now();
    makeLongPair(dir, 30);
    console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
    analyzeBench(dir, '30-second', 2);
    reportBench(dir, '30-second', 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchFft();
stftThroughput();
await benchRetrieval();
shortPairBench();
exportBench();
await benchHostile();
benchBatch();
