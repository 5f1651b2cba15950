/**
 * One export run in its own process, so the benchmark measures its wall time and peak RSS alone.
 * argv: config.json mag phase out.wav [sequential]. Prints one JSON line {seconds, maxRssMB, samples, threads}.
 */
import { readFileSync } from 'node:fs';
import { completeConfig, parseConfigObject } from '../src/config/parse.js';
import { exportWithConfig } from '../src/export.js';

/**
 * Peak RSS of this process. Linux's getrusage maxrss (process.resourceUsage) also counts what the
 * parent had resident when it forked this child (the benchmark holds a 10-minute signal then), so
 * the high-water mark of this process's own memory is read from /proc where there is one.
 */
function peakRssMB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

const [cfgFile, mag, phase, out, mode] = process.argv.slice(2);
const config = completeConfig(parseConfigObject(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile), true, cfgFile);
const t0 = performance.now();
const r = exportWithConfig(config, mag, phase, { output: out, bits: 32, normalize: 'none', force: true, ...(mode === 'sequential' ? { parallel: false } : {}) });
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds, maxRssMB: peakRssMB(), samples: r.samples, threads: r.threads }));
