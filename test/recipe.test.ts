import { describe, expect, it } from 'vitest';
import { matchRecipes, SYMMETRY_HABIT_FACTOR, symmetryAgreement } from '../heuristics/recipe/index.js';
import type { StftConfig } from '../src/config/types.js';
import { analyzeEvidence, recipeOf } from '../src/analyze/index.js';
import { demoSignal } from '../src/synth/signals.js';
import { rawStorage, synthCase } from './synth-evidence.js';

/**
 * The recipe fingerprint end to end: STFTs made with each known preset's conventions are analysed
 * from their files alone, and the rank-1 candidate must name that preset and carry its usual sample
 * rate (or none); STFTs made with no preset's conventions must never be named after one they
 * contradict.
 */
interface RecipeCase {
  recipe: string;
  sampleRate: number | null;
  over: Partial<StftConfig>;
  /** Signal rate and length (s). */
  rate: number;
  seconds: number;
}

const centred = (nfft: number) => ({ center: true, firstFrameStart: -Math.floor(nfft / 2) });
const uncentred = { center: false, padMode: 'none' as const, firstFrameStart: 0 };

const RECIPES: RecipeCase[] = [
  {
    recipe: 'librosa.stft defaults',
    sampleRate: 22050,
    rate: 22050,
    seconds: 1.5,
    over: { nfft: 2048, hop: 512, layout: 'bin-major', ...centred(2048), padMode: 'zeros' },
  },
  {
    recipe: 'librosa.stft defaults before 0.10 (reflect padding)',
    sampleRate: 22050,
    rate: 22050,
    seconds: 1.5,
    over: { nfft: 2048, hop: 512, layout: 'bin-major', ...centred(2048), padMode: 'reflect' },
  },
  {
    recipe: 'scipy.signal.stft defaults',
    sampleRate: null,
    rate: 16000,
    seconds: 1,
    over: { nfft: 256, hop: 128, gain: 1 / 128, layout: 'bin-major', ...centred(256), padMode: 'zeros' },
  },
  {
    recipe: 'scipy.signal.ShortTimeFFT',
    sampleRate: null,
    rate: 16000,
    seconds: 1,
    over: { nfft: 512, hop: 128, layout: 'bin-major', center: true, padMode: 'zeros', firstFrameStart: -384, phaseReference: 'window-centre' },
  },
  {
    recipe: 'torchaudio.transforms.Spectrogram defaults',
    sampleRate: 16000,
    rate: 16000,
    seconds: 1,
    over: { nfft: 400, hop: 200, layout: 'bin-major', ...centred(400), padMode: 'reflect', magnitudeScale: 'power' },
  },
  {
    recipe: 'Whisper front end (torch.stft 400/160 at 16 kHz)',
    sampleRate: 16000,
    rate: 16000,
    seconds: 1,
    over: { nfft: 400, hop: 160, layout: 'bin-major', ...centred(400), padMode: 'reflect', magnitudeScale: 'power' },
  },
  {
    recipe: 'torch.stft defaults (hop nfft/4, reflect padding)',
    sampleRate: null,
    rate: 16000,
    seconds: 1,
    over: { nfft: 512, hop: 128, layout: 'bin-major', ...centred(512), padMode: 'reflect' },
  },
  {
    recipe: 'MATLAB spectrogram defaults',
    sampleRate: null,
    rate: 8000,
    seconds: 1,
    over: { nfft: 256, hop: 100, winLength: 200, window: 'hamming', windowSymmetry: 'symmetric', ...uncentred, layout: 'frame-major' },
  },
  {
    recipe: 'Octave specgram defaults',
    sampleRate: null,
    rate: 8000,
    seconds: 1,
    over: { nfft: 256, hop: 128, window: 'hann', windowSymmetry: 'symmetric', sided: 'one-no-nyquist', ...uncentred, layout: 'frame-major' },
  },
  {
    recipe: 'TTS front end 1024/256 at 22.05 kHz (Tacotron 2, WaveGlow, HiFi-GAN)',
    sampleRate: 22050,
    rate: 22050,
    seconds: 1.5,
    over: { nfft: 1024, hop: 256, layout: 'frame-major', ...centred(1024), padMode: 'reflect' },
  },
  {
    recipe: 'TTS front end 1200/300 at 24 kHz',
    sampleRate: 24000,
    rate: 24000,
    seconds: 1.5,
    over: { nfft: 2048, hop: 300, winLength: 1200, layout: 'frame-major', ...centred(2048), padMode: 'reflect' },
  },
];

/** Common settings that are no preset: none may be named after a preset the truth contradicts. */
const NO_RECIPE: Partial<StftConfig>[] = [
  { nfft: 1000, hop: 250, window: 'blackman', ...uncentred },
  { nfft: 512, hop: 100, window: 'hamming', windowSymmetry: 'periodic', ...centred(512), padMode: 'zeros' },
  { nfft: 300, hop: 75, window: 'hann', windowSymmetry: 'symmetric', ...centred(300), padMode: 'zeros', layout: 'bin-major' },
  { nfft: 768, hop: 192, ...uncentred, phaseReference: 'window-centre' },
  // One property away from a preset: librosa's settings saved frame-major, Whisper's with a Hamming window.
  { nfft: 2048, hop: 512, ...centred(2048), padMode: 'zeros', layout: 'frame-major' },
  { nfft: 400, hop: 160, window: 'hamming', ...centred(400), padMode: 'reflect', magnitudeScale: 'power', layout: 'bin-major' },
];

/** Two makings of each: float32 files of one signal, float64 files of another. */
const variants = (rate: number, seconds: number) =>
  [
    { storage: rawStorage(), signal: demoSignal(rate, seconds, 3) },
    { storage: rawStorage({ dtype: 'float64' }), signal: demoSignal(rate, seconds, 8) },
  ] as const;

function analyse(
  over: Partial<StftConfig>,
  v: ReturnType<typeof variants>[number],
): { truth: StftConfig; named: string | null; sampleRate: number | null; wrong: string[] } {
  const sc = synthCase({ ...over, magnitudeFile: v.storage, phaseFile: v.storage }, v.signal);
  try {
    const r = analyzeEvidence(sc.evidence);
    const c = r.candidates[0];
    const fields: (keyof StftConfig)[] = [
      'nfft',
      'hop',
      'winLength',
      'window',
      'windowSymmetry',
      'center',
      'padMode',
      'firstFrameStart',
      'layout',
      'sided',
      'phaseReference',
      'magnitudeScale',
    ];
    const wrong = fields.filter((f) => JSON.stringify(c.config[f]) !== JSON.stringify(sc.config[f]));
    return { truth: sc.config, named: recipeOf(c), sampleRate: c.config.sampleRate, wrong };
  } finally {
    sc.cleanup();
  }
}

describe('recipe: the preset named from an analysis of the files alone', () => {
  it('names each preset and its usual sample rate on >= 95 % of the grid', { timeout: 300_000 }, () => {
    let hits = 0;
    let total = 0;
    const misses: string[] = [];
    for (const rc of RECIPES) {
      for (const v of variants(rc.rate, rc.seconds)) {
        const r = analyse(rc.over, v);
        total++;
        // Presets can share every property the file shows (several are then listed): the truth must be first.
        const first = r.named?.split(' / ')[0] ?? null;
        if (first === rc.recipe && r.sampleRate === rc.sampleRate) hits++;
        else
          misses.push(
            `${rc.recipe} (${v.storage.dtype}) -> ${r.named ?? 'none'}, sampleRate ${r.sampleRate}; fields read wrong: ${r.wrong.join(', ') || 'none'}`,
          );
      }
    }
    console.log(
      `recipe grid: ${RECIPES.length} presets x 2 makings = ${total} cases, preset and sample rate named first in ${hits} (${((100 * hits) / total).toFixed(1)} %)`,
    );
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(hits / total).toBeGreaterThanOrEqual(0.95);
  });

  it('never names a preset that the true configuration contradicts', { timeout: 300_000 }, () => {
    const seen: string[] = [];
    for (const over of NO_RECIPE) {
      for (const v of variants(16000, 1)) {
        const r = analyse(over, v);
        const allowed = matchRecipes(r.truth)
          .filter((m) => m.mismatched.length === 0)
          .map((m) => m.name);
        for (const name of r.named?.split(' / ') ?? []) expect(allowed, `${JSON.stringify(over)} named ${name}`).toContain(name);
        seen.push(r.named ?? 'none');
      }
    }
    console.log(`recipe on ${seen.length} non-preset STFTs: named ${seen.join('; ')}`);
  });
});

describe('scipy.signal.spectrogram recipe', () => {
  const truth = (over: Partial<StftConfig>): Partial<StftConfig> => ({
    nfft: 256,
    winLength: 256,
    hop: 224,
    window: 'tukey-0.25',
    windowSymmetry: 'periodic',
    center: false,
    firstFrameStart: 0,
    detrend: 'constant',
    layout: 'bin-major',
    phaseReference: 'frame-start',
    phaseSign: '+',
    magnitudeScale: 'linear',
    ...over,
  });
  it('names the defaults and reads fs from the density gain 1/sqrt(fs·Σw²)', () => {
    const m = matchRecipes(truth({ gain: 0.000537914353639919 }));
    expect(m[0].name).toBe('scipy.signal.spectrogram defaults (any nperseg)');
    expect(m[0].mismatched).toEqual([]);
    expect(m[0].sampleRate).toBe(16000);
  });
  it("mode='psd' stores power with the one-sided doubling: sqrt(2/(fs·Σw²))", () => {
    expect(matchRecipes(truth({ magnitudeScale: 'power', gain: 0.001075828707279838 }))[0].sampleRate).toBe(8000);
  });
  it('an own nperseg/noverlap is still spectrogram, not its defaults', () => {
    const m = matchRecipes(truth({ nfft: 128, winLength: 128, hop: 32 })).filter((r) => r.mismatched.length === 0);
    expect(m.map((r) => r.name)).toEqual(['scipy.signal.spectrogram (own nperseg/noverlap)']);
  });
  it('segments that were not detrended are not spectrogram', () => {
    const m = matchRecipes(truth({ detrend: 'none' })).filter((r) => r.mismatched.length === 0 && r.name.startsWith('scipy.signal.spectrogram'));
    expect(m).toEqual([]);
  });
});

describe('mne.time_frequency.stft recipe', () => {
  const mne: Partial<StftConfig> = {
    nfft: 256,
    winLength: 256,
    hop: 64,
    window: 'cosine',
    windowSymmetry: 'symmetric',
    center: true,
    padMode: 'zeros',
    firstFrameStart: -96,
    layout: 'bin-major',
    phaseReference: 'frame-start',
    phaseSign: '+',
  };
  const named = (c: Partial<StftConfig>): string[] =>
    matchRecipes(c)
      .filter((m) => m.mismatched.length === 0 && m.matched.length >= 3)
      .map((m) => m.name);
  it('names its sine window, its (nfft − hop)/2 zero pad and its (signals, freqs, steps) array', () => {
    expect(named(mne)).toEqual(['mne.time_frequency.stft']);
    expect(named({ ...mne, hop: 128, firstFrameStart: -64 })).toEqual(['mne.time_frequency.stft']);
  });
  it('is not named for a sqrt-Hann, a periodic sine window or torch’s ⌊nfft/2⌋ pad', () => {
    expect(named({ ...mne, window: 'sqrt-hann' })).not.toContain('mne.time_frequency.stft');
    expect(named({ ...mne, windowSymmetry: 'periodic' })).not.toContain('mne.time_frequency.stft');
    expect(named({ ...mne, firstFrameStart: -128 })).not.toContain('mne.time_frequency.stft');
  });
});

describe('window symmetry from the tool’s habit (whole-dB files leave it within the noise)', () => {
  const torchLike: Partial<StftConfig> = {
    nfft: 512,
    hop: 128,
    winLength: 512,
    window: 'hann',
    layout: 'bin-major',
    phaseReference: 'frame-start',
    phaseSign: '+',
    ...centred(512),
    padMode: 'reflect',
  };
  it('a symmetric window where torch.stft would use a periodic one costs the habit factor, edges or not', () => {
    expect(symmetryAgreement({ ...torchLike, windowSymmetry: 'symmetric' }).factor).toBe(SYMMETRY_HABIT_FACTOR);
    expect(symmetryAgreement({ ...torchLike, ...uncentred, windowSymmetry: 'symmetric' }).factor).toBe(SYMMETRY_HABIT_FACTOR);
    expect(symmetryAgreement({ ...torchLike, windowSymmetry: 'periodic' })).toEqual({ factor: 1, note: null });
  });
  it('no habit where no preset’s identity holds, for rectangular windows, or where the symmetry follows it', () => {
    // MATLAB spectrogram: symmetric hamming, half overlap, frame-major.
    const matlab: Partial<StftConfig> = {
      nfft: 256,
      hop: 128,
      winLength: 256,
      window: 'hamming',
      windowSymmetry: 'symmetric',
      layout: 'frame-major',
      phaseReference: 'frame-start',
      phaseSign: '+',
      ...uncentred,
    };
    expect(symmetryAgreement(matlab).factor).toBe(1);
    expect(symmetryAgreement({ ...matlab, windowSymmetry: 'periodic' }).factor).toBe(SYMMETRY_HABIT_FACTOR);
    expect(symmetryAgreement({ ...torchLike, window: 'rectangular', windowSymmetry: 'symmetric' }).factor).toBe(1);
    expect(symmetryAgreement({ nfft: 500, hop: 70, winLength: 300, window: 'hann', windowSymmetry: 'symmetric', layout: 'frame-major' }).factor).toBe(1);
  });
  it('mlab.specgram’s defaults to the letter follow mlab’s habit (np.hanning), not scipy.stft’s; one field off, scipy’s habit holds', () => {
    const mlab: Partial<StftConfig> = {
      nfft: 256,
      hop: 128,
      winLength: 256,
      window: 'hann',
      windowSymmetry: 'symmetric',
      detrend: 'none',
      magnitudeScale: 'power',
      layout: 'bin-major',
      phaseReference: 'frame-start',
      phaseSign: '+',
      ...uncentred,
    };
    expect(matchRecipes(mlab)[0]).toMatchObject({ name: 'matplotlib.mlab.specgram defaults', mismatched: [] });
    expect(symmetryAgreement(mlab)).toEqual({ factor: 1, note: null });
    // Linear magnitudes are not mlab's psd: the symmetric Hann then contradicts scipy.signal.stft's 256/128 periodic Hann.
    expect(symmetryAgreement({ ...mlab, magnitudeScale: 'linear' }).factor).toBe(SYMMETRY_HABIT_FACTOR);
  });
  it('blocks cut from sample 0 take numpy’s symmetric windows; centred or overlapping frames do not', () => {
    const blocks: Partial<StftConfig> = { nfft: 256, hop: 256, winLength: 256, window: 'hamming', layout: 'frame-major', ...uncentred };
    expect(symmetryAgreement({ ...blocks, windowSymmetry: 'periodic' }).factor).toBe(SYMMETRY_HABIT_FACTOR);
    expect(symmetryAgreement({ ...blocks, windowSymmetry: 'symmetric' }).factor).toBe(1);
    expect(symmetryAgreement({ ...blocks, ...centred(256), windowSymmetry: 'periodic' }).factor).toBe(1);
    expect(symmetryAgreement({ ...blocks, hop: 64, windowSymmetry: 'periodic' }).factor).toBe(1);
  });
  it('a float32 file made with a symmetric Hann in a torch-like setting stays symmetric: the data decides', () => {
    const c = synthCase({ ...torchLike, windowSymmetry: 'symmetric', sampleRate: 16000 }, demoSignal(16000, 1, 3));
    try {
      expect(analyzeEvidence(c.evidence).candidates[0].config.windowSymmetry).toBe('symmetric');
    } finally {
      c.cleanup();
    }
  });
});
