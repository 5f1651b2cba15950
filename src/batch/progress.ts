import type { BatchEvent } from './types.js';

/**
 * The batch's progress line on stderr, when stderr is a terminal: pairs done of the total, failed,
 * the rate and the time left at that rate. Silent otherwise (logs stay clean).
 */
export function batchProgress(write: (s: string) => void, isTTY: boolean): { onEvent: (e: BatchEvent) => void; done: () => void } {
  if (!isTTY) return { onEvent: () => {}, done: () => {} };
  const t0 = performance.now();
  let drawn = false;
  const width = 24;
  return {
    onEvent: (e) => {
      if (e.type !== 'done') return;
      const s = (performance.now() - t0) / 1000;
      const rate = e.done / Math.max(s, 1e-3);
      const left = rate > 0 ? (e.total - e.done) / rate : Number.NaN;
      const filled = Math.round((e.done / Math.max(1, e.total)) * width);
      write(`\rbatch [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.done}/${e.total} done, ${e.failed} failed, ${rate.toFixed(2)} pairs/s, ${duration(left)} left\x1b[K`);
      drawn = true;
    },
    done: () => {
      if (drawn) write('\r\x1b[K');
    },
  };
}

/** 75 -> "1m15s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
