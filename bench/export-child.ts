/**
 * One export run in its own process, so the benchmark measures its wall time and peak RSS alone.
 * argv: config.json mag phase out.wav [sequential]. Prints one JSON line {seconds, maxRssMB, samples, threads}.
 */
import { readFileSync } from 'node:fs';
import { completeConfig, parseConfigObject } from '../src/config/parse.js';
import { exportWithConfig } from '../src/export/index.js';
import { peakRssMB } from './rss.js';

const [cfgFile, mag, phase, out, mode] = process.argv.slice(2);
const config = completeConfig(parseConfigObject(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile), true, cfgFile);
const t0 = performance.now();
const r = exportWithConfig(config, mag, phase, {
  output: out,
  bits: 32,
  normalize: 'none',
  force: true,
  ...(mode === 'sequential' ? { parallel: false } : {}),
});
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds, maxRssMB: peakRssMB(), samples: r.samples, threads: r.threads }));
