/**
 * Micro-benchmark of the exact real FFT: transforms per second of getRealFft(n).forward and
 * .inverse. Run with `node dist/bench/fft-bench.js` after `npm run build`.
 */
import { pathToFileURL } from 'node:url';
import { getRealFft } from '../src/dsp/fft.js';

export const FFT_BENCH_SIZES = [400, 441, 512, 1000, 1021, 1024, 2048, 4096];
const ROUNDS = 5;

/** Calls fn repeatedly for about `ms` milliseconds and returns calls per second. */
function rate(fn: () => void, ms: number): number {
  let calls = 0;
  let batch = 16;
  const start = performance.now();
  let now = start;
  // Time in growing batches so the clock read stays negligible next to small transforms.
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    batch = Math.min(batch * 2, 4096);
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}

export interface FftBenchRow {
  n: number;
  forwardPerSec: number;
  inversePerSec: number;
}

/**
 * Best of `rounds` timed rounds, after a warm-up: on a shared 2-core machine the best round is
 * the one least disturbed by other processes, so it is the most repeatable figure.
 */
function bestRate(fn: () => void, rounds: number, ms: number): number {
  rate(fn, ms);
  let best = 0;
  for (let r = 0; r < rounds; r++) best = Math.max(best, rate(fn, ms));
  return best;
}

/** Measures forward and inverse rates for each size (deterministic input). */
export function measureFft(sizes: number[] = FFT_BENCH_SIZES, rounds = ROUNDS, ms = 100): FftBenchRow[] {
  return sizes.map((n) => {
    const plan = getRealFft(n);
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = Math.sin(0.37 * j) + 0.25 * Math.cos(1.3 * j);
    const re = new Float64Array(plan.bins);
    const im = new Float64Array(plan.bins);
    const y = new Float64Array(n);
    plan.forward(x, re, im);
    const forwardPerSec = bestRate(() => plan.forward(x, re, im), rounds, ms);
    const inversePerSec = bestRate(() => plan.inverse(re, im, y), rounds, ms);
    return { n, forwardPerSec, inversePerSec };
  });
}

export async function benchFft(): Promise<void> {
  const rows = measureFft();
  const pad = (v: string | number, w: number): string => String(v).padStart(w);
  console.log(`real FFT (float64, exact), transforms/s, best of ${ROUNDS} rounds`);
  console.log(`${pad('n', 6)}${pad('forward', 10)}${pad('inverse', 10)}${pad('ns/sample', 11)}`);
  for (const r of rows) {
    const nsPerSample = (1e9 / (r.forwardPerSec * r.n)).toFixed(2);
    console.log(`${pad(r.n, 6)}${pad(Math.round(r.forwardPerSec), 10)}${pad(Math.round(r.inversePerSec), 10)}${pad(nsPerSample, 11)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchFft();
}
