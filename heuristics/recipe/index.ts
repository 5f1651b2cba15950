import type { Evidence } from '../../src/analysis/evidence.js';
import type { PartialStftConfig } from '../../src/config/types.js';
import { makeWindow } from '../../src/dsp/windows.js';
import { type Analyzer, type AnalyzerResult, getField } from '../types.js';

/**
 * Known tool presets (DESIGN.md §4.8), matched against whatever fields are fixed. Naming the recipe
 * ("looks like librosa.stft defaults") helps the user, and its usual sample rate is the best prior for
 * sampleRate, which an STFT does not store. Several recipes can match; all are listed.
 */

/** One property of a recipe: true/false when the fields it reads are fixed, undefined otherwise. */
interface Check {
  label: string;
  /** The fields it reads (edge conventions are told apart from a tool's identity by them). */
  fields: string[];
  test(c: PartialStftConfig): boolean | undefined;
}

interface Recipe {
  name: string;
  sampleRate: number | null;
  /** A rate the fixed fields themselves imply (a gain that contains fs), when there is one. */
  rateOf?: (c: PartialStftConfig) => number | null;
  checks: Check[];
}

export interface RecipeMatch {
  name: string;
  sampleRate: number | null;
  /** Labels of the recipe's properties the config has, and of those it contradicts. */
  matched: string[];
  mismatched: string[];
}

const eq = (field: string, value: unknown): Check => ({
  label: `${field} ${JSON.stringify(value)}`,
  fields: [field],
  test: (c) => {
    const v = getField(c, field);
    return v === undefined ? undefined : v === value;
  },
});

/** A property over several fields, tested once they are all fixed. */
const rule = (label: string, fields: string[], f: (...v: never[]) => boolean): Check => ({
  label,
  fields,
  test: (c) => {
    const v = fields.map((k) => getField(c, k));
    return v.some((x) => x === undefined) ? undefined : f(...(v as never[]));
  },
});

const hann = [eq('window', 'hann'), eq('windowSymmetry', 'periodic')];
const centredAt = (pad: number): Check[] => [eq('center', true), eq('firstFrameStart', -pad)];
const frameStartPlus = [eq('phaseReference', 'frame-start'), eq('phaseSign', '+')];
const fullWindow = rule('window fills the frame', ['winLength', 'nfft'], (L: number, N: number) => L === N);
const halfOverlap = rule('hop = winLength/2', ['hop', 'winLength'], (h: number, L: number) => h === Math.floor(L / 2));

/**
 * scipy `scaling='density'` stores |X|/sqrt(fs·Σw²) (mode 'magnitude'), and mode 'psd' stores
 * 2|X|²/(fs·Σw²) in the one-sided bins: decoded as power, a gain sqrt(2/(fs·Σw²)). The gain thus
 * names fs; null when it is not a plausible rate.
 */
function densityRate(c: PartialStftConfig): number | null {
  if (typeof c.gain !== 'number' || !(c.gain > 0) || c.window === undefined || c.window === 'estimated' || !c.winLength || !c.windowSymmetry) return null;
  const w = makeWindow(c.window, c.winLength, c.windowSymmetry);
  const energy = w.reduce((s, v) => s + v * v, 0);
  const fs = (c.magnitudeScale === 'power' ? 2 : 1) / (c.gain * c.gain * energy);
  return Number.isFinite(fs) && fs >= 1000 && fs <= 384000 ? Math.round(fs) : null;
}

const RECIPES: Recipe[] = [
  {
    // nperseg 256 by default; any nperseg keeps noverlap = nperseg // 8 and the rest of the defaults.
    name: 'scipy.signal.spectrogram defaults',
    sampleRate: null,
    rateOf: densityRate,
    checks: [
      fullWindow,
      eq('window', 'tukey-0.25'),
      eq('windowSymmetry', 'periodic'),
      rule('hop = nperseg − nperseg//8', ['hop', 'winLength'], (h: number, L: number) => h === L - Math.floor(L / 8)),
      eq('center', false),
      eq('firstFrameStart', 0),
      eq('detrend', 'constant'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'scipy.signal.spectrogram (own nperseg/noverlap)',
    sampleRate: null,
    rateOf: densityRate,
    checks: [
      fullWindow,
      eq('window', 'tukey-0.25'),
      eq('windowSymmetry', 'periodic'),
      eq('center', false),
      eq('firstFrameStart', 0),
      eq('detrend', 'constant'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'librosa.stft defaults',
    sampleRate: 22050,
    checks: [eq('nfft', 2048), eq('hop', 512), fullWindow, ...hann, ...centredAt(1024), eq('padMode', 'zeros'), eq('layout', 'bin-major'), ...frameStartPlus],
  },
  {
    name: 'librosa.stft defaults before 0.10 (reflect padding)',
    sampleRate: 22050,
    checks: [eq('nfft', 2048), eq('hop', 512), fullWindow, ...hann, ...centredAt(1024), eq('padMode', 'reflect'), eq('layout', 'bin-major'), ...frameStartPlus],
  },
  {
    name: 'scipy.signal.stft defaults',
    sampleRate: null,
    checks: [
      eq('nfft', 256),
      eq('hop', 128),
      fullWindow,
      ...hann,
      ...centredAt(128),
      eq('padMode', 'zeros'),
      // scaling='spectrum' divides by Σw = nfft/2 for a periodic Hann.
      {
        // Magnitudes alone rarely reveal a gain ('unknown'): then it neither confirms nor contradicts.
        label: 'gain 1/Σw',
        fields: ['gain', 'nfft'],
        test: (c) => (typeof c.gain !== 'number' || c.nfft === undefined ? undefined : Math.abs(c.gain * (c.nfft / 2) - 1) < 1e-3),
      },
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'scipy.signal.ShortTimeFFT',
    sampleRate: null,
    checks: [
      eq('phaseReference', 'window-centre'),
      eq('center', true),
      eq('padMode', 'zeros'),
      // The first slice p_min·hop − ⌊nfft/2⌋ is the earliest that still touches the signal.
      rule(
        'first slice −⌊nfft/2⌋ − k·hop',
        ['firstFrameStart', 'nfft', 'hop'],
        (f: number, N: number, h: number) => f <= -Math.floor(N / 2) && (-f - Math.floor(N / 2)) % h === 0 && -f - Math.floor(N / 2) < Math.floor(N / 2),
      ),
      eq('layout', 'bin-major'),
    ],
  },
  {
    name: 'torchaudio.transforms.Spectrogram defaults',
    sampleRate: 16000,
    checks: [
      eq('nfft', 400),
      eq('hop', 200),
      fullWindow,
      ...hann,
      ...centredAt(200),
      eq('padMode', 'reflect'),
      eq('magnitudeScale', 'power'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'Whisper front end (torch.stft 400/160 at 16 kHz)',
    sampleRate: 16000,
    checks: [
      eq('nfft', 400),
      eq('hop', 160),
      fullWindow,
      ...hann,
      ...centredAt(200),
      eq('padMode', 'reflect'),
      // No magnitude scale: Whisper squares torch.stft's output, but a file of |X| from the same
      // torch.stft(400, 160) call is the same transform (a power check made such files match nothing).
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'torch.stft defaults (hop nfft/4, reflect padding)',
    sampleRate: null,
    checks: [
      rule('hop = nfft/4', ['hop', 'nfft'], (h: number, N: number) => h === Math.floor(N / 4)),
      fullWindow,
      eq('center', true),
      rule('firstFrameStart −⌊nfft/2⌋', ['firstFrameStart', 'nfft'], (f: number, N: number) => f === -Math.floor(N / 2)),
      eq('padMode', 'reflect'),
      eq('layout', 'bin-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'MATLAB spectrogram defaults',
    sampleRate: null,
    checks: [
      eq('window', 'hamming'),
      eq('windowSymmetry', 'symmetric'),
      halfOverlap,
      // nfft = max(256, next power of two of the window length); the window sits at the frame start.
      rule('nfft max(256, 2^nextpow2(winLength))', ['nfft', 'winLength'], (N: number, L: number) => N === Math.max(256, 2 ** Math.ceil(Math.log2(L)))),
      eq('center', false),
      eq('firstFrameStart', 0),
      eq('layout', 'frame-major'),
      ...frameStartPlus,
    ],
  },
  {
    name: 'Octave specgram defaults',
    sampleRate: null,
    checks: [
      eq('nfft', 256),
      eq('hop', 128),
      fullWindow,
      eq('window', 'hann'),
      eq('windowSymmetry', 'symmetric'),
      eq('sided', 'one-no-nyquist'),
      eq('center', false),
      eq('firstFrameStart', 0),
      eq('layout', 'frame-major'),
    ],
  },
  {
    name: 'TTS front end 1024/256 at 22.05 kHz (Tacotron 2, WaveGlow, HiFi-GAN)',
    sampleRate: 22050,
    checks: [eq('nfft', 1024), eq('hop', 256), eq('winLength', 1024), ...hann],
  },
  {
    name: 'TTS front end 1200/300 at 24 kHz',
    sampleRate: 24000,
    checks: [eq('hop', 300), eq('winLength', 1200), ...hann],
  },
];

/** Fewest confirmed properties for a recipe to be named (a lone nfft is not a recipe). */
const MIN_MATCHED = 3;

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
    if (matched.length > 0) out.push({ name: r.name, sampleRate: r.rateOf?.(config) ?? r.sampleRate, matched, mismatched });
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
  },
};
