import { readFileSync } from 'node:fs';

/**
 * Peak RSS of this process. Linux's getrusage maxrss (process.resourceUsage) also counts what the
 * parent had resident when it forked this child (the benchmark holds a 10-minute signal then), so
 * the high-water mark of this process's own memory is read from /proc where there is one.
 */
export function peakRssMB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}
