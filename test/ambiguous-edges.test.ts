import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeAgreement, FAMILY_EDGE_FACTOR, PRESET_EDGE_FACTOR } from '../heuristics/recipe/index.js';
import type { StftConfig } from '../src/config/types.js';
import { analyzeEvidence } from '../src/analyze/index.js';
import { run } from '../src/cli/run.js';
import { reconstruct } from '../src/export/index.js';
import { demoSignal } from '../src/synth/signals.js';
import { readWav } from './helpers.js';
import { synthCase } from './synth-evidence.js';

/**
 * DESIGN.md §4.13: where the audio starts in digital silence, zero padding, reflected silence and no
 * padding look alike. The maker's convention decides the start then, the evidence says the start is
 * ambiguous, and without a convention the confidence stays split; a start the data shows still wins
 * against the convention.
 */

/** A signal whose first and last `quiet` samples are digital silence (espeak, alsa). */
function silentEdges(rate: number, seconds: number, quiet: number): Float64Array {
  const x = demoSignal(rate, seconds, 5);
  x.fill(0, 0, quiet);
  x.fill(0, x.length - quiet);
  return x;
}

describe('the edge convention of a maker (recipe edgeAgreement)', () => {
  const periodic: Partial<StftConfig> = { nfft: 512, hop: 100, winLength: 512, window: 'hann', windowSymmetry: 'periodic', phaseReference: 'frame-start' };
  it('follows a preset matched on its non-edge properties, else the family its window names', () => {
    const whisper: Partial<StftConfig> = {
      ...periodic,
      nfft: 400,
      hop: 160,
      winLength: 400,
      layout: 'bin-major',
      phaseSign: '+',
      center: true,
      firstFrameStart: -200,
    };
    expect(edgeAgreement({ ...whisper, padMode: 'reflect' }).factor).toBe(1);
    expect(edgeAgreement({ ...whisper, padMode: 'zeros' })).toMatchObject({ factor: PRESET_EDGE_FACTOR, note: expect.stringMatching(/contradict .*Whisper/) });
    // scipy/librosa/torch pad by ⌊nfft/2⌋; MATLAB/Octave/mlab (symmetric windows, Nyquist dropped) do not.
    expect(edgeAgreement({ ...periodic, center: true, padMode: 'zeros', firstFrameStart: -256 }).factor).toBe(1);
    expect(edgeAgreement({ ...periodic, center: false, padMode: 'none', firstFrameStart: 0 }).factor).toBe(FAMILY_EDGE_FACTOR);
    const symmetric = { ...periodic, window: 'hamming', windowSymmetry: 'symmetric' } as const;
    expect(edgeAgreement({ ...symmetric, center: false, padMode: 'none', firstFrameStart: 0 }).factor).toBe(1);
    expect(edgeAgreement({ ...symmetric, center: true, padMode: 'zeros', firstFrameStart: -256 }).factor).toBe(FAMILY_EDGE_FACTOR);
    expect(edgeAgreement({ ...periodic, sided: 'one-no-nyquist', center: true, padMode: 'zeros', firstFrameStart: -256 }).factor).toBe(FAMILY_EDGE_FACTOR);
    // A phase vocoder (window-centre phase) starts before the signal: hop − nfft. (No preset: hop 100 is none's.)
    expect(edgeAgreement({ ...periodic, phaseReference: 'window-centre', center: true, padMode: 'zeros', firstFrameStart: -412 }).factor).toBe(1);
  });

  it('has no opinion where nothing names a maker (a rectangular window, or the edges still open)', () => {
    expect(edgeAgreement({ ...periodic, window: 'rectangular', center: false, padMode: 'none', firstFrameStart: 0 })).toEqual({ factor: 1, note: null });
    expect(edgeAgreement(periodic)).toEqual({ factor: 1, note: null });
  });
});

describe('a start hidden by digital silence (end to end)', () => {
  const analyse = (over: Partial<StftConfig>, x: Float64Array) => {
    const sc = synthCase(over, x);
    try {
      return { truth: sc.config, r: analyzeEvidence(sc.evidence) };
    } finally {
      sc.cleanup();
    }
  };

  it("the maker's convention decides, and the evidence says the start is ambiguous and by how much", { timeout: 120_000 }, () => {
    const x = silentEdges(16000, 1, 1200);
    const cases: Partial<StftConfig>[] = [
      // torch.stft(400, 160) pads by reflection: a reflected silence is silence.
      { nfft: 400, hop: 160, layout: 'bin-major', center: true, padMode: 'reflect', firstFrameStart: -200 },
      // MATLAB/Octave style: a symmetric Hamming window, no padding.
      { nfft: 256, hop: 64, window: 'hamming', windowSymmetry: 'symmetric', center: false, padMode: 'none', firstFrameStart: 0 },
      // mne.time_frequency.stft: the symmetric sine window ('cosine'), zero padding by (nfft − hop)/2.
      { nfft: 256, hop: 64, window: 'cosine', windowSymmetry: 'symmetric', layout: 'bin-major', center: true, padMode: 'zeros', firstFrameStart: -96 },
    ];
    for (const over of cases) {
      const { truth, r } = analyse(over, x);
      const c = r.candidates[0].config;
      expect({ center: c.center, padMode: c.padMode, firstFrameStart: c.firstFrameStart }, JSON.stringify(over)).toEqual({
        center: truth.center,
        padMode: truth.padMode,
        firstFrameStart: truth.firstFrameStart,
      });
      const why = r.candidates[0].evidence.find((e) => e.field === 'center');
      expect(why?.reason).toMatch(/start is ambiguous \(the readings differ by up to \d+ samples\)/);
      expect(why?.metrics?.ambiguousEdge).toBe(true);
      expect(why?.reason).toMatch(/edges follow the convention of/);
    }
  });

  it('audio that starts in digital silence a frame in is ambiguous, not a zero pad where the silent frames end', { timeout: 120_000 }, () => {
    // Unpadded 512/256 frames (numpy blocks, mlab, MATLAB) of espeak's speech, silent for 702 samples: frame 0 holds
    // nothing and rebuilds exact zeros, frame 1 holds the onset and brings its float32 rounding to every
    // sample it covers, so the rebuilt start fell from rounding to exact zero at 256 = a torch pad.
    // At hop 128 the onset falls in frames 2 and 3 at different loudness: the rebuilt start steps from one
    // rounding level to another at 384 = 256 + 128, a torch pad (a scipy triangle file read so at 99.6 %).
    const espeak = Float64Array.from(new Float32Array(readFileSync(join(import.meta.dirname, 'fixtures/real/signals/speech16.f32')).buffer)).subarray(0, 4000);
    const readings = [
      ['hamming', 256, silentEdges(16000, 1, 702)],
      ['hann', 256, silentEdges(16000, 1, 702)],
      ['hann', 128, espeak],
      // np.hamming blocks of the same clip: a centring result cached across window symmetries once gave
      // this symmetric window the convention of a periodic one (centred).
      ['hamming', 256, espeak],
    ] as const;
    for (const [window, hop, x] of readings) {
      const over: Partial<StftConfig> = { nfft: 512, hop, window, windowSymmetry: 'symmetric', center: false, padMode: 'none', firstFrameStart: 0 };
      const { r } = analyse(over, x);
      const top = r.candidates[0];
      const why = top.evidence.find((e) => e.field === 'center');
      expect(why?.metrics?.ambiguousEdge, `${window} hop ${hop}: ${why?.reason}`).toBe(true);
      expect({ center: top.config.center, firstFrameStart: top.config.firstFrameStart }, `${window} hop ${hop}: ${why?.reason}`).toEqual({
        center: false,
        firstFrameStart: 0,
      });
      expect(top.confidence).toBeLessThanOrEqual(0.9);
    }
  });

  it('without a convention the confidence stays split; a start the data shows beats the convention', { timeout: 120_000 }, () => {
    // A rectangular window names no maker: every reading of the silent start ties.
    const tied = analyse({ nfft: 256, hop: 128, window: 'rectangular', center: false, padMode: 'none', firstFrameStart: 0 }, silentEdges(16000, 1, 1200)).r;
    expect(tied.candidates[0].confidence).toBeLessThanOrEqual(0.9);
    // An unpadded periodic-Hann file whose audio starts at once: the family says "centred", the data say not.
    const shown = analyse({ nfft: 512, hop: 128, center: false, padMode: 'none', firstFrameStart: 0 }, demoSignal(16000, 1, 5)).r;
    expect(shown.candidates[0].config.center).toBe(false);
    expect(shown.candidates[0].confidence).toBeGreaterThan(0.9);
  });
});

describe('export of a start hidden by digital silence keeps every covered sample in either reading', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sd-ambiguous-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  /** Analyse a made file, export rank 1 as the CLI does, and the truth; both WAVs with their starts. */
  const both = async (over: Partial<StftConfig>, x: Float64Array) => {
    const sc = synthCase(over, x);
    try {
      const analysis = analyzeEvidence(sc.evidence);
      const top = analysis.candidates[0];
      const wav = (config: StftConfig, tag: string, startAmbiguous: boolean) => {
        const output = join(tmp, `${tag}.wav`);
        const r = reconstruct(config, sc.magPath, sc.phasePath, { output, bits: 32, normalize: 'none', force: true, parallel: false, startAmbiguous });
        return { start: r.start, y: readWav(output).samples };
      };
      // `export --config` of the whole candidate (as analyze --json prints it) keeps frame 0 whole as well.
      const candidate = join(tmp, 'candidate.json');
      writeFileSync(candidate, JSON.stringify(top));
      const viaCli = join(tmp, 'cli.wav');
      const argv = [
        'export',
        sc.magPath,
        ...(sc.phasePath ? [sc.phasePath] : []),
        '--config',
        candidate,
        '-o',
        viaCli,
        '--bits',
        '32',
        '--normalize',
        'none',
        '--force',
      ];
      const code = await run(argv, { stdout: () => {}, stderr: () => {}, isTTY: false });
      return {
        top,
        notes: analysis.notes,
        truth: sc.config,
        rank1: wav(top.config, 'rank1', top.ambiguousStart !== null),
        own: wav(sc.config, 'truth', false),
        cli: { code, y: readWav(viaCli).samples },
      };
    } finally {
      sc.cleanup();
    }
  };
  const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

  it("an unpadded torch-style file read centred by the preset writes the truth's samples, from frame 0 on", { timeout: 120_000 }, async () => {
    // torch.stft(400, 160, center=False) on audio that starts in silence: the Whisper preset reads it centred.
    const { top, notes, truth, rank1, own, cli } = await both(
      { nfft: 400, hop: 160, layout: 'bin-major', center: false, padMode: 'none', firstFrameStart: 0, sampleRate: 16000 },
      silentEdges(16000, 1, 1200),
    );
    expect(top.config.center).toBe(true);
    expect(top.ambiguousStart?.spreadSamples).toBeGreaterThanOrEqual(200);
    expect(top.confidence).toBeLessThanOrEqual(0.9);
    expect(notes.join('\n')).toMatch(/start is ambiguous.*differ by up to \d+ samples/);
    expect(rank1.start).toBe(top.config.firstFrameStart);
    expect(own.start).toBe(truth.firstFrameStart);
    expect(rank1.y.length).toBe(own.y.length);
    expect(maxDiff(rank1.y, own.y)).toBeLessThan(1e-6);
    expect(cli.code).toBe(0);
    expect(maxDiff(cli.y, own.y)).toBeLessThan(1e-6);
  });

  it('a centred file whose audio starts at once is read centred, not ambiguous, and its pad is trimmed', { timeout: 120_000 }, async () => {
    const { top, notes, rank1, cli } = await both(
      { nfft: 512, hop: 128, center: true, padMode: 'zeros', firstFrameStart: -256, sampleRate: 16000 },
      demoSignal(16000, 1, 5),
    );
    expect(top.config).toMatchObject({ center: true, firstFrameStart: -256 });
    expect(top.ambiguousStart).toBeNull();
    expect(notes.join('\n')).not.toMatch(/ambiguous/);
    expect(rank1.start).toBe(0);
    expect(cli.y.length).toBe(rank1.y.length);
  });
});
