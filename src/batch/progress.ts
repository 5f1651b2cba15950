import type { CountProgress } from '../cli/progress.js';
import type { BatchEvent } from './types.js';

/** The batch's events drawn on a count bar: pairs done of the total, failed, and the rate. */
export function batchProgress(bar: CountProgress): { onEvent: (e: BatchEvent) => void; done: () => void } {
  const t0 = performance.now();
  return {
    onEvent: (e) => {
      if (e.type !== 'done') return;
      const rate = e.done / Math.max((performance.now() - t0) / 1000, 1e-3);
      bar.update(e.done, e.total, { failed: e.failed, rate: rate.toFixed(2) });
    },
    done: bar.done,
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
