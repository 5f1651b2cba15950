/**
 * Window lengths makers type as durations (used by the window and magnitude-fit analyzers): 20–64 ms
 * windows, as speech and music front ends take them, at common sample rates, in whole samples.
 */

/** Sample rates and durations (ms) behind the common window lengths. */
const RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000];
const WINDOW_MS = [20, 25, 30, 32, 40, 50, 64];

/**
 * Every such length, truncated (int(0.025 · sr) in librosa and torchaudio recipes: 1102 at 44.1 kHz) and
 * rounded (1103), where the two differ.
 */
export const DURATION_LENGTHS: ReadonlySet<number> = new Set(
  RATES.flatMap((r) => WINDOW_MS.flatMap((ms) => [Math.floor((r * ms) / 1000), Math.round((r * ms) / 1000)])),
);
