/**
 * Regenerates samples/: small magnitude/phase pairs made with the project's own exact STFT under
 * other programs' conventions, each with its true config (<name>.truth.json) and a README table.
 * Run with `npm run samples`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StftConfig } from '../src/config/types.js';
import { frameCountFor, geometryFromConfig } from '../src/dsp/stft.js';
import { makeStftFiles } from '../src/synth/make.js';
import { demoSignal } from '../src/synth/signals.js';

const DIR = join(process.cwd(), 'samples');

interface Sample {
  name: string;
  what: string;
  seconds: number;
  config: Omit<StftConfig, 'frames' | 'bins'>;
}

const raw = (dtype: StftConfig['magnitudeFile']['dtype'], endian: 'little' | 'big' = 'little', headerBytes = 0) => ({
  format: 'raw' as const,
  dtype,
  endian,
  headerBytes,
  variable: null,
});

const common = {
  phaseSign: '+' as const,
  dbFloor: null,
  gain: 1,
  originalLength: null,
  windowPlacement: 'centred' as const,
  channels: 1,
  binOrder: 'ascending' as const,
  detrend: 'none' as const,
};

const SAMPLES: Sample[] = [
  {
    name: 'librosa-default',
    what: 'librosa.stft defaults: 2048/512, periodic Hann, centre with zero padding, (bins, frames) array written with tofile',
    seconds: 1.5,
    config: {
      ...common,
      magnitudeFile: raw('float32'),
      phaseFile: raw('float32'),
      layout: 'bin-major',
      nfft: 2048,
      sided: 'one',
      hop: 512,
      winLength: 2048,
      window: 'hann',
      windowSymmetry: 'periodic',
      center: true,
      padMode: 'zeros',
      firstFrameStart: -1024,
      phaseReference: 'frame-start',
      magnitudeScale: 'linear',
      phaseUnit: 'radians',
      sampleRate: 22050,
    },
  },
  {
    name: 'torch-400',
    what: 'torch.stft / Whisper front end: nfft 400 (not a power of two), hop 160, reflect padding, power spectrogram, frame-major',
    seconds: 2,
    config: {
      ...common,
      magnitudeFile: raw('float32'),
      phaseFile: raw('float32'),
      layout: 'frame-major',
      nfft: 400,
      sided: 'one',
      hop: 160,
      winLength: 400,
      window: 'hann',
      windowSymmetry: 'periodic',
      center: true,
      padMode: 'reflect',
      firstFrameStart: -200,
      phaseReference: 'frame-start',
      magnitudeScale: 'power',
      phaseUnit: 'radians',
      sampleRate: 16000,
    },
  },
  {
    name: 'matlab-db-degrees',
    what: 'MATLAB-style: symmetric Hamming 512, 50 % overlap, no padding, float64 column-major, magnitude in dB, phase in degrees',
    seconds: 1,
    config: {
      ...common,
      magnitudeFile: raw('float64'),
      phaseFile: raw('float64'),
      layout: 'frame-major',
      nfft: 512,
      sided: 'one',
      hop: 256,
      winLength: 512,
      window: 'hamming',
      windowSymmetry: 'symmetric',
      center: false,
      padMode: 'none',
      firstFrameStart: 0,
      phaseReference: 'frame-start',
      magnitudeScale: 'db',
      phaseUnit: 'degrees',
      sampleRate: 16000,
    },
  },
  {
    name: 'odd-int16',
    what: 'An ad-hoc writer: odd nfft 511, hop 128, big-endian with a 16-byte header, float16 log1p magnitudes, int16 phase scaled so ±32768 is ±π',
    seconds: 1,
    config: {
      ...common,
      magnitudeFile: raw('float16', 'big', 16),
      phaseFile: raw('int16', 'big', 16),
      layout: 'frame-major',
      nfft: 511,
      sided: 'one',
      hop: 128,
      winLength: 511,
      window: 'blackman',
      windowSymmetry: 'periodic',
      center: false,
      padMode: 'none',
      firstFrameStart: 0,
      phaseReference: 'frame-start',
      magnitudeScale: 'log1p',
      phaseUnit: 'scaled-65536',
      sampleRate: 16000,
    },
  },
];

mkdirSync(DIR, { recursive: true });
const rows: string[] = [];
for (const s of SAMPLES) {
  const sr = s.config.sampleRate ?? 16000;
  const x = demoSignal(sr, s.seconds, 7);
  const bins = s.config.sided === 'two' ? s.config.nfft : Math.floor(s.config.nfft / 2) + 1;
  const frames = frameCountFor(x.length, geometryFromConfig({ ...s.config }));
  const config: StftConfig = { ...s.config, frames, bins, originalLength: s.config.center ? x.length : null };
  const made = makeStftFiles(x, config);
  write(join(DIR, `${s.name}.mag`), made.magnitude);
  if (made.phase) write(join(DIR, `${s.name}.phase`), made.phase);
  write(join(DIR, `${s.name}.truth.json`), `${JSON.stringify(config, null, 2)}\n`);
  const c = config;
  rows.push(
    `| \`${s.name}\` | ${c.magnitudeFile.dtype}/${c.phaseFile?.dtype} ${c.magnitudeFile.endian}${c.magnitudeFile.headerBytes ? `, ${c.magnitudeFile.headerBytes} B header` : ''} | ${c.frames}×${c.bins} ${c.layout} | ${c.nfft}/${c.hop} | ${c.windowSymmetry} ${c.window} | ${c.center ? `centre, ${c.padMode}` : 'none'} | ${c.magnitudeScale} / ${c.phaseUnit} | ${c.sampleRate} | ${s.what} |`,
  );
  console.log(`${s.name}: ${frames}×${bins}, ${made.magnitude.byteLength} + ${made.phase?.byteLength ?? 0} bytes`);
}

write(
  join(DIR, 'README.md'),
  `# Bundled samples

Made by \`npm run samples\` (scripts/make-samples.ts) from a synthetic signal (harmonic notes with vibrato, a chirp,
noise bursts) with the project's exact STFT under other programs' conventions. Each pair is \`<name>.mag\` +
\`<name>.phase\`; \`<name>.truth.json\` is the true config (the one \`analyze\` should find; \`export --config\` takes it).

| pair | storage | frames×bins, layout | nfft/hop | window | padding | magnitude / phase | Hz | made like |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);

/** Whole-file writes go through a temp name so an interrupted run never leaves a half-written sample. */
function write(file: string, data: Uint8Array | string): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}
