/**
 * Window lengths makers type as durations (used by the window and magnitude-fit analyzers): 20–64 ms
 * windows, as speech and music front ends take them, at common sample rates, in whole samples.
 */

/** Sample rates and durations (ms) behind the common window lengths. */
const RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000];
const WINDOW_MS = [20, 25, 30, 32, 40, 50, 64];

/** Every such length, rounded (round(ms · rate / 1000), as the ms lists in front ends are). */
export const DURATION_LENGTHS: ReadonlySet<number> = new Set(RATES.flatMap((r) => WINDOW_MS.map((ms) => Math.round((r * ms) / 1000))));
