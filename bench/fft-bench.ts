/**
 * Micro-benchmark of the exact real FFT: transforms per second of getRealFft(n).forward and
 * .inverse. Run with `node dist/bench/fft-bench.js` after `npm run build`.
 */
import { pathToFileURL } from 'node:url';
import { getRealFft } from '../src/dsp/fft.js';

export const FFT_BENCH_SIZES = [400, 441, 512, 1000, 1021, 1024, 2048, 4096];

/** Calls fn repeatedly for about `ms` milliseconds (after a warm-up) and returns calls per second. */
function rate(fn: () => void, ms: number): number {
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) fn();
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

/** Measures forward and inverse rates for each size (deterministic input). */
export function measureFft(sizes: number[] = FFT_BENCH_SIZES, ms = 400): FftBenchRow[] {
  return sizes.map((n) => {
    const plan = getRealFft(n);
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = Math.sin(0.37 * j) + 0.25 * Math.cos(1.3 * j);
    const re = new Float64Array(plan.bins);
    const im = new Float64Array(plan.bins);
    const y = new Float64Array(n);
    plan.forward(x, re, im);
    const forwardPerSec = rate(() => plan.forward(x, re, im), ms);
    const inversePerSec = rate(() => plan.inverse(re, im, y), ms);
    return { n, forwardPerSec, inversePerSec };
  });
}

export async function benchFft(): Promise<void> {
  const rows = measureFft();
  console.log('real FFT (float64, exact), transforms/s');
  console.log('     n   forward   inverse   ns/sample(fwd)');
  for (const r of rows) {
    const nsPerSample = 1e9 / (r.forwardPerSec * r.n);
    console.log(
      `${String(r.n).padStart(6)} ${Math.round(r.forwardPerSec).toString().padStart(9)} ${Math.round(r.inversePerSec)
        .toString()
        .padStart(9)}   ${nsPerSample.toFixed(2).padStart(6)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchFft();
}
