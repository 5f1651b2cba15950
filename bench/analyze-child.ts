/**
 * One analysis in its own process (the CLI's code path: analyze with phase assessment), so the
 * benchmark measures its wall time and peak RSS alone. argv: mag phase truth.json.
 * Prints one JSON line {seconds, heuristicsSeconds, maxRssMB, right, rank1}: heuristicsSeconds is the
 * analyzers' own time (the rest is candidate filling, consistency and the phase assessment).
 */
import { readFileSync } from 'node:fs';
import type { StftConfig } from '../src/config/types.js';
import { analyze } from '../src/analyze/index.js';
import { peakRssMB } from './rss.js';

const [mag, phase, truthFile] = process.argv.slice(2);
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
console.log(JSON.stringify({ seconds, heuristicsSeconds, maxRssMB: peakRssMB(), right: wrong.length === 0, wrong, rank1: `${c.nfft}/${c.hop} ${c.window}` }));
