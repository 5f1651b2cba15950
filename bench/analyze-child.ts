/**
 * One analysis in its own process (the CLI's code path: analyze with phase assessment), so the
 * benchmark measures its wall time and peak RSS alone. argv: mag phase truth.json [report.html|report.md].
 * Prints one JSON line {seconds, heuristicsSeconds, maxRssMB, right, rank1, reportSeconds, reportCpuSeconds, reportKB}:
 * heuristicsSeconds is the analyzers' own time (the rest is candidate filling, consistency and the
 * phase assessment); reportSeconds is what `--report` adds (loading the charting code included),
 * reportCpuSeconds its CPU time (less sensitive to a busy machine than wall time).
 */
import { readFileSync, statSync } from 'node:fs';
import type { StftConfig } from '../src/config/types.js';
import { analyze, recipeOf } from '../src/analyze/index.js';
import { peakRssMB } from './rss.js';

const [mag, phase, truthFile, reportFile] = process.argv.slice(2);
const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as StftConfig;
const t0 = performance.now();
const r = analyze(mag, phase);
const seconds = (performance.now() - t0) / 1000;
const heuristicsSeconds = r.analyzers.reduce((t, a) => t + a.ms, 0) / 1000;
const c = r.candidates[0].config;
const fields: (keyof StftConfig)[] = [
  'frames',
  'bins',
  'layout',
  'nfft',
  'sided',
  'hop',
  'window',
  'windowSymmetry',
  'winLength',
  'center',
  'firstFrameStart',
  'phaseReference',
  'phaseSign',
  'magnitudeScale',
  'phaseUnit',
];
const wrong = fields.filter((f) => JSON.stringify(c[f]) !== JSON.stringify(truth[f]));
let reportSeconds: number | null = null;
let reportCpuSeconds: number | null = null;
let reportKB: number | null = null;
if (reportFile) {
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const { writeReport } = await import('../src/report/write.js');
  await writeReport(reportFile, r, recipeOf(r.candidates[0]));
  reportSeconds = (performance.now() - t1) / 1000;
  const used = process.cpuUsage(cpu);
  reportCpuSeconds = (used.user + used.system) / 1e6;
  reportKB = statSync(reportFile).size / 1024;
}
console.log(
  JSON.stringify({
    seconds,
    heuristicsSeconds,
    maxRssMB: peakRssMB(),
    right: wrong.length === 0,
    wrong,
    rank1: `${c.nfft}/${c.hop} ${c.window}`,
    reportSeconds,
    reportCpuSeconds,
    reportKB,
  }),
);
