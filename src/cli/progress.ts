import { SingleBar } from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  update: (fraction: number) => void;
  done: () => void;
}

/** A bar over a count of items, with named values (payload) for its format's {tokens}. */
export interface CountProgress {
  update: (value: number, total: number, payload: Record<string, string | number>) => void;
  done: () => void;
}

/**
 * One-line progress bars on stderr when it is a terminal (cli-progress); silent otherwise, so logs
 * and pipes stay clean. The analysis and export are synchronous: cli-progress redraws from update()
 * itself (synchronousUpdate) at most every 2 × throttle, never from its timer.
 */
function bar(io: CliIo, format: string): CountProgress {
  if (!io.isTTY) return { update: () => {}, done: () => {} };
  // cli-progress writes to a stream; ours is io.stderr (a terminal, or a test's string).
  const stream = { isTTY: true, columns: process.stderr.columns, write: (s: string): boolean => (io.stderr(s), true) };
  const b = new SingleBar({
    format,
    stream: stream as unknown as NodeJS.WritableStream,
    barsize: 24,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: false,
    clearOnComplete: true,
  });
  let started = false;
  // cli-progress keeps a redraw timer while the bar is active. Work that throws never reaches
  // done(): unref the timer so it cannot keep the process alive after the error is printed.
  const unref = (): void => (b as unknown as { timer?: { unref?: () => void } | null }).timer?.unref?.();
  return {
    update: (value, total, payload) => {
      if (started) {
        b.setTotal(total);
        b.update(value, payload);
      } else {
        b.start(total, value, payload);
        started = true;
      }
      unref();
    },
    done: () => {
      if (started) b.stop();
    },
  };
}

/** A percentage bar for one long job (analyze, export). */
export function progressBar(io: CliIo, label: string): Progress {
  const b = bar(io, `${label} [{bar}] {percentage}%`);
  return { update: (f) => b.update(Math.floor(Math.max(0, Math.min(1, f)) * 100), 100, {}), done: b.done };
}

/** A bar over items: done of total, failed, the rate and the time left at that rate. */
export function countBar(io: CliIo, label: string, unit: string): CountProgress {
  return bar(io, `${label} [{bar}] {value}/{total} done, {failed} failed, {rate} ${unit}/s, {eta_formatted} left`);
}
