import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportWithConfig } from '../src/export.js';
import { analyzeEvidence } from '../src/search/search.js';
import { demoSignal } from '../src/synth/signals.js';
import { gridCases, wrongFields } from './grid.js';
import { readWav } from './helpers.js';
import { synthCase } from './synth-evidence.js';

/** Scale-invariant SNR: the absolute gain of a file cannot always be recovered, the waveform can. */
function siSnrDb(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let xy = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    yy += y[i] * y[i];
  }
  const a = yy > 0 ? xy / yy : 0;
  let s = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    e += (x[i] - a * y[i]) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

const N = Number(process.env.GRID_CASES ?? 150);
const rows: { name: string; rank1: boolean; top3: boolean; snr: number; lossy: boolean; wrong: string[] }[] = [];

afterAll(() => {
  const n = rows.length;
  if (!n) return;
  const r1 = rows.filter((r) => r.rank1).length;
  const t3 = rows.filter((r) => r.top3).length;
  const lossless = rows.filter((r) => !r.lossy);
  const lossy = rows.filter((r) => r.lossy);
  const lines = [
    `e2e grid: ${n} cases; rank-1 exactly right ${r1}/${n} (${((100 * r1) / n).toFixed(1)} %), truth in top 3 ${t3}/${n} (${((100 * t3) / n).toFixed(1)} %)`,
    `  SNR lossless: min ${Math.min(...lossless.map((r) => r.snr)).toFixed(1)} dB over ${lossless.length}; lossy: min ${Math.min(...lossy.map((r) => r.snr)).toFixed(1)} dB over ${lossy.length}`,
    ...rows.filter((r) => !r.rank1).map((r) => `  miss ${r.name}: ${r.wrong.join(', ')}`),
  ];
  console.log(lines.join('\n'));
});

describe('end to end: analyze then export, on a grid spanning every field', () => {
  const x = demoSignal(16000, 0.7, 21);
  for (const g of gridCases(N)) {
    it(g.name, () => {
      const k = synthCase(g.config, x);
      try {
        const r = analyzeEvidence(k.evidence, { top: 5 });
        const ranks = r.candidates.map((c) => wrongFields(k.config, c.config));
        const rank1 = ranks[0].length === 0;
        const top3 = ranks.slice(0, 3).some((w) => w.length === 0);
        const out = join(k.dir, 'out.wav');
        const e = exportWithConfig(r.candidates[0].config, k.magPath, k.phasePath, { output: out, bits: 32, normalize: 'none', force: true });
        const wav = readWav(out).samples;
        const edge = k.config.nfft; // edge samples may be uncovered (NOLA at the ends): judge the interior
        const from = Math.max(0, -e.start) + edge;
        const ref = x.subarray(e.start + from, e.start + wav.length - edge);
        const snr = siSnrDb(ref, wav.subarray(from, wav.length - edge));
        rows.push({ name: g.name, rank1, top3, snr, lossy: g.lossy, wrong: ranks[0] });
        expect(snr).toBeGreaterThan(g.lossy ? 15 : 60);
      } finally {
        k.cleanup();
      }
    });
  }
  it('meets the rates: rank 1 >= 95 %, top 3 >= 99 %', () => {
    const n = rows.length;
    expect(n).toBe(N);
    expect(rows.filter((r) => r.rank1).length / n).toBeGreaterThanOrEqual(0.95);
    expect(rows.filter((r) => r.top3).length / n).toBeGreaterThanOrEqual(0.99);
  });
});
