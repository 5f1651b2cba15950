import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { type Analyzer, type AnalyzerResult } from '../types.js';
import { type Check, MIN_MATCHED, RECIPES } from './presets.js';

/**
 * Known tool presets (DESIGN.md §4.8), matched against whatever fields are fixed. Naming the recipe
 * ("looks like librosa.stft defaults") helps the user, and its usual sample rate is the best prior for
 * sampleRate, which an STFT does not store. Several recipes can match; all are listed.
 */

export interface RecipeMatch {
  name: string;
  sampleRate: number | null;
  /** Labels of the recipe's properties the config has, and of those it contradicts. */
  matched: string[];
  mismatched: string[];
  /** How many of its properties the config leaves open (fields not fixed yet). */
  open: number;
}

/** Every recipe with at least one property confirmed, most confirmed first. */
export function matchRecipes(config: PartialStftConfig): RecipeMatch[] {
  const out: RecipeMatch[] = [];
  for (const r of RECIPES) {
    const matched: string[] = [];
    const mismatched: string[] = [];
    for (const ch of r.checks) {
      const t = ch.test(config);
      if (t === true) matched.push(ch.label);
      else if (t === false) mismatched.push(ch.label);
    }
    if (matched.length > 0)
      out.push({
        name: r.name,
        sampleRate: r.rateOf?.(config) ?? r.sampleRate,
        matched,
        mismatched,
        open: r.checks.length - matched.length - mismatched.length,
      });
  }
  return out.sort((a, b) => b.matched.length - b.mismatched.length - (a.matched.length - a.mismatched.length));
}

/** The fields that say where frame 0 starts: the edges of the STFT (DESIGN.md §4.7, §4.13). */
const EDGE_FIELDS = new Set(['center', 'padMode', 'firstFrameStart']);
const readsEdges = (ch: Check): boolean => ch.fields.some((f) => EDGE_FIELDS.has(f));

/**
 * The maker's convention for the edges, from the fields that are not edges (DESIGN.md §4.13): where the
 * audio starts in silence, zero padding, a reflected silence and no padding look alike, so the start
 * cannot be read from the data and only the tool's habit can place it. A named preset that matches every
 * non-edge property it can test speaks for its tool; else the window's symmetry names the family: a
 * periodic window with frame-start phase is scipy/librosa/torch (get_window's and torch.hann_window's
 * default; all three centre-pad by ⌊nfft/2⌋), a symmetric one is MATLAB/Octave/mlab (hamming(),
 * hanning(), np.hanning; none pads); Octave's Nyquist-less spectra never pad; a window-centre phase
 * reference is a phase vocoder (aubio pvoc: hop − nfft) or scipy ShortTimeFFT, both starting before the signal.
 */
export interface EdgeConvention {
  /** Who holds it: the preset names, or the family. */
  by: string;
  /** A named preset (strong), or only the family its window suggests. */
  preset: boolean;
  /** Whether the config's edge fields follow it (undefined while they are open). */
  accepts(c: PartialStftConfig): boolean | undefined;
}

export function edgeConvention(c: PartialStftConfig): EdgeConvention | null {
  const presets = RECIPES.filter((r) => {
    const identity = r.checks.filter((ch) => !readsEdges(ch)).map((ch) => ch.test(c));
    return r.checks.some(readsEdges) && !identity.includes(false) && identity.filter((t) => t === true).length >= MIN_MATCHED;
  });
  if (presets.length > 0) {
    return {
      by: presets.map((r) => r.name).join(' / '),
      preset: true,
      // Any of them may have made it (librosa pads with zeros today, with reflection before 0.10).
      accepts: (x) => anyOf(presets.map((r) => allOf(r.checks.filter(readsEdges).map((ch) => ch.test(x))))),
    };
  }
  const ffs = (x: PartialStftConfig): number | undefined => x.firstFrameStart;
  if (c.hop !== undefined && c.nfft !== undefined && c.hop >= c.nfft)
    return family('a block FFT (hop ≥ nfft: the signal cut into blocks, DESIGN.md 4.12): frames start at sample 0', (x) => map(ffs(x), (f) => f === 0));
  if (c.phaseReference === 'window-centre')
    return family('a phase vocoder (aubio pvoc) or scipy ShortTimeFFT: frames start before the signal', (x) => map(ffs(x), (f) => f < 0));
  if (c.sided === 'one-no-nyquist') return family('Octave specgram/stft (Nyquist dropped): no padding', (x) => map(ffs(x), (f) => f === 0));
  if (c.window === undefined || c.window === 'rectangular' || c.window === 'estimated' || c.nfft === undefined) return null;
  if (c.windowSymmetry === 'symmetric') return family('MATLAB/Octave/mlab (symmetric window): no padding', (x) => map(ffs(x), (f) => f === 0));
  const half = -Math.floor(c.nfft / 2);
  if (c.windowSymmetry === 'periodic' && c.phaseReference === 'frame-start') {
    return family('scipy/librosa/torch (periodic window): centred, padded by ⌊nfft/2⌋', (x) => map(ffs(x), (f) => f === half));
  }
  return null;
}

const family = (by: string, accepts: (x: PartialStftConfig) => boolean | undefined): EdgeConvention => ({ by, preset: false, accepts });
const map = <T>(v: T | undefined, f: (v: T) => boolean): boolean | undefined => (v === undefined ? undefined : f(v));
const allOf = (t: (boolean | undefined)[]): boolean | undefined => (t.includes(false) ? false : t.includes(undefined) ? undefined : true);
const anyOf = (t: (boolean | undefined)[]): boolean | undefined => (t.includes(true) ? true : t.includes(undefined) ? undefined : false);

/**
 * Prior factor of edges that contradict the convention: 7 dB against a named preset, 3 dB against a
 * family (a habit, not a rule: torch and scipy both take center=False). Applied only where the data
 * cannot place the start (a silent start: centring's ambiguous readings; no phase or an open transform:
 * the centring fallback): an edge the data read, even unclearly (a noisy floor), is not the habit's to overrule.
 */
export const PRESET_EDGE_FACTOR = 0.2;
export const FAMILY_EDGE_FACTOR = 0.5;

/** The prior factor and its reason for a config's edges under its convention (1 and null when it follows it or none applies). */
export function edgeAgreement(c: PartialStftConfig): { factor: number; note: string | null } {
  const conv = edgeConvention(c);
  const ok = conv?.accepts(c);
  if (!conv || ok === undefined) return { factor: 1, note: null };
  if (ok) return { factor: 1, note: `the edges follow the convention of ${conv.by}` };
  return { factor: conv.preset ? PRESET_EDGE_FACTOR : FAMILY_EDGE_FACTOR, note: `the edges contradict the convention of ${conv.by}` };
}

/**
 * Prior factor of a window symmetry that contradicts a named preset whose every other property (but the
 * edges) the config has: the rule of DESIGN.md §4.13 for what the data cannot read, applied to symmetry.
 * Coarse storage (whole-dB magnitudes) leaves a periodic and a symmetric window of one length within its
 * noise, and the tool's habit (torch, scipy, librosa: periodic; MATLAB, Octave: symmetric) is the best
 * guess there. 3 dB: data that tells them apart (any float file) does so by tens of dB.
 */
export const SYMMETRY_HABIT_FACTOR = 0.5;

export function symmetryAgreement(c: PartialStftConfig): { factor: number; note: string | null } {
  if (c.windowSymmetry === undefined || c.window === undefined || c.window === 'rectangular' || c.window === 'estimated') return { factor: 1, note: null };
  // A config that is another tool's default to the letter (mlab.specgram: scipy.stft's 256/128 Hann,
  // but np.hanning's symmetry) follows that tool's habit, not the neighbour's.
  if (matchRecipes(c).some((m) => m.mismatched.length === 0 && m.matched.length >= MIN_MATCHED && m.matched.some((l) => l.startsWith('windowSymmetry')))) {
    return { factor: 1, note: null };
  }
  for (const r of RECIPES) {
    const symmetry = r.checks.find((ch) => ch.fields.includes('windowSymmetry'));
    if (!symmetry || symmetry.test(c) !== false) continue;
    // Edges are a habit too where a silent start hides them (edgeConvention): they are not the tool's identity.
    const others = r.checks.filter((ch) => ch !== symmetry && !readsEdges(ch)).map((ch) => ch.test(c));
    if (others.includes(false) || others.filter((t) => t === true).length < MIN_MATCHED) continue;
    return { factor: SYMMETRY_HABIT_FACTOR, note: `a ${c.windowSymmetry} window where ${r.name} uses another (${symmetry.label})` };
  }
  // Blocks cut from sample 0 without overlap are hand-written (scipy's stft centres them; MATLAB's
  // spectrogram takes hamming(): symmetric), and numpy's np.hanning/np.hamming/np.blackman are symmetric.
  if (c.hop !== undefined && c.nfft !== undefined && c.hop >= c.nfft && c.firstFrameStart === 0 && c.windowSymmetry === 'periodic') {
    return {
      factor: SYMMETRY_HABIT_FACTOR,
      note: 'a periodic window in blocks cut from sample 0 (hop ≥ nfft), where hand-written code takes numpy’s symmetric ones',
    };
  }
  return { factor: 1, note: null };
}

export const recipe: Analyzer = {
  name: 'recipe',
  stage: 'prior',
  decides: ['sampleRate'],
  needs: [],
  // It matches whatever is fixed: every state gets its own answer (one cached answer for all once
  // named no recipe for a MATLAB file whose first state was another window).
  reads: 'all',
  applies: (_evidence: Evidence, _fixed: PartialStftConfig) => true,
  run(_evidence: Evidence, fixed: PartialStftConfig): AnalyzerResult {
    const r = named(fixed);
    const habit = symmetryAgreement(fixed);
    if (habit.note === null) return r;
    return { hypotheses: r.hypotheses.map((h) => ({ ...h, score: h.score * habit.factor, reason: `${h.reason}; ${habit.note}` })) };
  },
};

/** The recipes the fixed fields match, and the sample rate the best of them suggests. */
function named(fixed: PartialStftConfig): AnalyzerResult {
  const matches = matchRecipes(fixed).filter((m) => m.mismatched.length === 0 && m.matched.length >= MIN_MATCHED);
  // A rate already decided (axis labels state it) stands: the recipe only names itself beside it.
  if (fixed.sampleRate !== undefined) {
    const named = matches.length > 0 ? `looks like ${matches.map((m) => m.name).join(' / ')}` : 'no recipe matches';
    return {
      hypotheses: [
        {
          values: { sampleRate: fixed.sampleRate },
          score: 1,
          reason: `${named}; sample rate already decided`,
          metrics: { recipe: matches.map((m) => m.name).join(' / ') },
        },
      ],
    };
  }
  if (matches.length === 0) {
    return { hypotheses: [{ values: { sampleRate: null }, score: 1, reason: 'no recipe matches', metrics: { recipe: '' } }] };
  }
  // One hypothesis: the rate is a prior only (consistency cannot test it), so branching on it would
  // split the ranking into twins that differ in nothing the files show. The best-matching recipe that
  // has a usual rate gives it; the others are named beside it.
  const best = matches[0];
  const rated = matches.find((m) => m.sampleRate !== null);
  const total = RECIPES.find((r) => r.name === best.name)!.checks.length;
  const names = matches.map((m) => m.name).join(' / ');
  const rate = rated ? `; usual sample rate ${rated.sampleRate} Hz${matches.length > 1 ? ` (${rated.name})` : ''}` : '; no usual sample rate';
  return {
    hypotheses: [
      {
        values: { sampleRate: rated?.sampleRate ?? null },
        score: Math.max(0.05, best.matched.length / total),
        reason: `looks like ${names}: ${best.matched.join(', ')} match (${best.matched.length} of ${total} properties; the rest not fixed)${rate}`,
        metrics: { recipe: names, matched: best.matched.length, properties: total },
      },
    ],
  };
}
