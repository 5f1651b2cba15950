import type { Detrend, PartialStftConfig } from '../../src/config/types.js';
import { matchRecipes } from '../recipe/index.js';
import { MIN_MATCHED } from '../recipe/presets.js';
import type { TransformInput } from '../shared/transform-input.js';
import { contrastDb, type Excerpt, type Reading } from './contrast.js';
import { hops, placementConvention, PROBE_WINDOWS, type WindowChoice, windowLengths, windows } from './readings.js';

/**
 * The search over readings for one decoding of a magnitude file: coordinate descent over the common
 * values (readings.ts), window length at a probe hop, hop at that length, length again at that hop, for
 * two probe shapes; then every window family and symmetry at the best few (length, hop); then every
 * reading that completes a named tool preset (heuristics/recipe). Each reading's FGLA contrast
 * (contrast.ts) is computed once.
 */

/**
 * Prior of a reading that completes a named tool preset, in dB of contrast, times the share of the
 * preset's properties the config confirms (a preset that names nfft, hop, window, scale and layout and
 * finds them all outweighs one that only names a hop rule and a symmetry).
 */
export const PRESET_BONUS_DB = 9;
/** Octave's and MATLAB's window functions (hamming(), hanning()) are symmetric: the habit where the data ties, in dB. */
const SYMMETRY_HABIT_DB = 1;
/**
 * How common each family is, in dB (the fill's window fallbacks, src/search/fallbacks.ts, less its
 * Hann base): the tie-break where the data cannot tell two windows apart. It cannot, often: a Hamming
 * 200 and a Blackman 256 in a 256 frame (Octave's speech file) fit every excerpt within 1–3 dB of
 * each other at 16, 50 and 100 iterations alike; both shapes explain the magnitudes.
 */
const FAMILY_DB: Record<string, number> = { hann: 0, hamming: 1, blackman: 2, 'tukey-0.25': 2, 'sqrt-hann': 3 };
/** (length, hop) pairs carried into the window-family pass. */
const FINALISTS = 3;
/**
 * The best contrast (summed over the excerpts) must stand this far (dB) below the median reading's for
 * the magnitudes to have said anything. Against the shuffle alone it said too much: on short files every
 * reading beats its shuffle by 10 dB (torch 400/160, 26 frames: median −10.4 dB) and the best is a less
 * redundant wrong one. Measured best − median on the 18 real magnitude-only fixtures: −11.3 to −31.9 dB
 * where the contrast found the truth, −3.5 to −9.6 where it misled or could not tell.
 */
export const INFORMATIVE_DB = -10;
/**
 * Contrasts this close to the best are a tie (dB): the spread of one reading's contrast over excerpts
 * and iteration counts (the Hamming 200 / Blackman 256 pair above moved by 1–3 dB).
 */
const TIED_DB = 2;

export interface Scored {
  r: Reading;
  contrast: number;
  sc: number;
}

export interface PresetReading {
  name: string;
  detrend: Detrend;
  /** Share of the preset's properties the config confirms. */
  share: number;
  /** Whether the preset names the window family (not only a length or symmetry rule). */
  namesWindow: boolean;
  matched: string;
}

/** Every reading tried, best first by cost (dB, lower is better), with what the cost was made of. */
export interface ScanResult {
  ranked: { s: Scored; cost: number; preset: PresetReading | undefined }[];
  /** Whether the best reading stood INFORMATIVE_DB out from the median reading: else contrasts did not rank. */
  informative: boolean;
}

export function scanReadings(x: Excerpt[], c: TransformInput, fixed: PartialStftConfig): ScanResult {
  return new Scan(x, c, fixed).run();
}

class Scan {
  private readonly done = new Map<string, Scored>();
  private readonly N: number;

  constructor(
    private readonly x: Excerpt[],
    private readonly c: TransformInput,
    private readonly fixed: PartialStftConfig,
  ) {
    this.N = c.nfft;
  }

  run(): ScanResult {
    this.descend();
    const presets = this.presetReadings();
    const all = [...this.done.values()];
    const bestContrast = Math.min(...all.map((s) => s.contrast));
    const informative = bestContrast - median(all.map((s) => s.contrast)) <= INFORMATIVE_DB;
    // Contrast differences within TIED_DB of the best are noise, not evidence: the presets and habits
    // rank those readings (and every reading of an uninformative excerpt). A preset decides among
    // readings the data ties, never against a reading clearly better.
    const behind = (s: Scored): number => (informative ? Math.max(0, s.contrast - bestContrast - TIED_DB) : 0);
    const bonus = (s: Scored): number => (behind(s) > 0 ? 0 : PRESET_BONUS_DB * (presets.get(key(s.r))?.share ?? 0));
    // A preset that names the window family is itself the prior on it: the family habit is not added twice.
    const habit = (s: Scored): number => this.habit(s.r, bonus(s) > 0 && presets.get(key(s.r))?.namesWindow === true);
    const cost = (s: Scored): number => behind(s) - bonus(s) + habit(s);
    const ranked = all.map((s) => ({ s, cost: cost(s), preset: presets.get(key(s.r)) })).sort((a, b) => a.cost - b.cost || a.s.contrast - b.s.contrast);
    return { ranked, informative };
  }

  private descend(): void {
    const lengths = windowLengths(this.N, this.fixed);
    const hopsOf = (L: number): number[] => hops(L, this.N, this.fixed);
    for (const w of PROBE_WINDOWS) {
      const probed = lengths.filter((l) => hopsOf(l).length > 0).map((l) => this.score(l, nearest(hopsOf(l), l / 4), w));
      let L = bestOf(probed)?.r.winLength;
      if (L === undefined) continue;
      const hop = bestOf(hopsOf(L).map((h) => this.score(L!, h, w)))!.r.hop;
      L = bestOf(lengths.filter((l) => hop < l).map((l) => this.score(l, hop, w)))?.r.winLength ?? L;
      for (const h of hopsOf(L)) this.score(L, h, w);
    }
    const pairs = [...this.done.values()].sort((a, b) => a.contrast - b.contrast);
    const finalists = pairs.filter((s, i) => pairs.findIndex((o) => o.r.winLength === s.r.winLength && o.r.hop === s.r.hop) === i).slice(0, FINALISTS);
    for (const f of finalists) for (const w of windows(this.fixed)) this.score(f.r.winLength, f.r.hop, w);
  }

  /** Contrast of one reading, each evaluated once. */
  private score(L: number, hop: number, w: WindowChoice): Scored {
    const r: Reading = { hop, winLength: L, ...w, windowPlacement: placementConvention(this.fixed, w, L, this.N) };
    const k = JSON.stringify(r);
    let s = this.done.get(k);
    if (!s) {
      s = { r, ...contrastDb(this.x, this.c, r) };
      this.done.set(k, s);
    }
    return s;
  }

  /** The habits where the data ties: how common the family is, and Octave's symmetric windows in a Nyquist-less spectrum. */
  private habit(r: Reading, familyNamed: boolean): number {
    const symmetry = this.c.sided === 'one-no-nyquist' && r.windowSymmetry === 'periodic' && r.window !== 'rectangular' ? SYMMETRY_HABIT_DB : 0;
    return symmetry + (familyNamed ? 0 : (FAMILY_DB[r.window] ?? 3));
  }

  /**
   * Readings that complete a named preset by its hop and window rules (scipy.signal.spectrogram's
   * defaults, mlab.specgram's, MATLAB's, torch's), scored like the rest; keyed by reading, with the
   * segment detrend the preset implies.
   */
  private presetReadings(): Map<string, PresetReading> {
    const out = new Map<string, PresetReading>();
    const detrends: Detrend[] = this.fixed.detrend !== undefined ? [this.fixed.detrend] : ['none', 'constant'];
    for (const L of windowLengths(this.N, this.fixed)) {
      for (const h of hops(L, this.N, this.fixed)) {
        for (const w of windows(this.fixed)) {
          const r: Reading = { hop: h, winLength: L, ...w, windowPlacement: placementConvention(this.fixed, w, L, this.N) };
          for (const detrend of detrends) {
            const m = matchRecipes({ ...this.fixed, ...this.c, ...r, detrend }).find(
              (m) =>
                m.mismatched.length === 0 && m.matched.length >= MIN_MATCHED && m.matched.some((l) => /hop/.test(l)) && m.matched.some((l) => /window/.test(l)),
            );
            if (!m) continue;
            // The detrend tried here is the preset's own, not one the data confirmed: it counts as open.
            const own = this.fixed.detrend === undefined && m.matched.some((l) => l.startsWith('detrend')) ? 1 : 0;
            const share = (m.matched.length - own) / (m.matched.length + m.open);
            if ((out.get(key(r))?.share ?? 0) >= share) continue;
            this.score(L, h, w);
            out.set(key(r), {
              name: m.name,
              detrend,
              share,
              namesWindow: m.matched.some((l) => /^window "/.test(l)),
              matched: `${m.matched.length} of ${m.matched.length + m.open} properties`,
            });
          }
        }
      }
    }
    return out;
  }
}

const bestOf = (list: Scored[]): Scored | null => list.reduce<Scored | null>((b, s) => (!b || s.contrast < b.contrast ? s : b), null);
const key = (r: Reading): string => JSON.stringify([r.hop, r.winLength, r.window, r.windowSymmetry]);
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const nearest = (v: number[], target: number): number => v.reduce((b, x) => (Math.abs(x - target) < Math.abs(b - target) ? x : b), v[0]);
