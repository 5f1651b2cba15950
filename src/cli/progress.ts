import type { CliIo } from './run.js';

export interface Progress {
  update: (fraction: number) => void;
  done: () => void;
}

/** A one-line progress bar on stderr when it is a terminal; silent otherwise (logs stay clean). */
export function progressBar(io: CliIo, label: string): Progress {
  if (!io.isTTY) return { update: () => {}, done: () => {} };
  let last = -1;
  const width = 30;
  return {
    update: (f) => {
      const pct = Math.floor(Math.max(0, Math.min(1, f)) * 100);
      if (pct === last) return;
      last = pct;
      const filled = Math.round((pct / 100) * width);
      io.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}%`);
    },
    done: () => {
      if (last >= 0) io.stderr('\r\x1b[K');
    },
  };
}
