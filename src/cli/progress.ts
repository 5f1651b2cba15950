import { SingleBar } from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  update: (fraction: number) => void;
  done: () => void;
}

/**
 * A one-line progress bar on stderr when it is a terminal (cli-progress); silent otherwise, so logs
 * and pipes stay clean. The analysis and export are synchronous: cli-progress redraws from update()
 * itself (synchronousUpdate) at most every 2 × throttle, never from its timer.
 */
export function progressBar(io: CliIo, label: string): Progress {
  if (!io.isTTY) return { update: () => {}, done: () => {} };
  // cli-progress writes to a stream; ours is io.stderr (a terminal, or a test's string).
  const stream = { isTTY: true, columns: process.stderr.columns, write: (s: string): boolean => (io.stderr(s), true) };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}%`,
    stream: stream as unknown as NodeJS.WritableStream,
    barsize: 30,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: false,
    clearOnComplete: true,
  });
  let started = false;
  // cli-progress keeps a redraw timer while the bar is active. An analysis that throws never reaches
  // done(): unref the timer so it cannot keep the process alive after the error is printed.
  const unref = (): void => (bar as unknown as { timer?: { unref?: () => void } | null }).timer?.unref?.();
  return {
    update: (f) => {
      const pct = Math.floor(Math.max(0, Math.min(1, f)) * 100);
      if (started) bar.update(pct);
      else {
        bar.start(100, pct);
        started = true;
      }
      unref();
    },
    done: () => {
      if (started) bar.stop();
    },
  };
}
