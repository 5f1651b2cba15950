/**
 * Phase retrieval benchmark (DESIGN.md 4.11), run by `npm run bench` or directly with
 * `node dist/bench/retrieval-bench.js`:
 * - quality: spectral convergence after 32 and 100 iterations of PGHI + FGLA, FGLA from random phase
 *   and plain Griffin-Lim on 3 s of the demo signal, periodic Hann 1024/256 at 22.05 kHz.
 *   Targets: ≤ −22 dB at 32 and ≤ −26 dB at 100; the PGHI start must beat random at equal iterations.
 * - speed: 100 iterations on 30 s of 22.05 kHz audio at 1024/256 (≈ 2600 frames). Target < 10 s.
 */
import { pathToFileURL } from 'node:url';
import { pghiLambda } from '../src/dsp/pghi.js';
import { retrievePhase, type RetrievalInit } from '../src/dsp/retrieval.js';
import { geometryFromConfig, stft, type StftGeometry } from '../src/dsp/stft.js';
import { demoSignal } from '../src/synth/signals.js';

const SAMPLE_RATE = 22050;
const NFFT = 1024;
const HOP = 256;

function hannGeometry(): StftGeometry {
  return geometryFromConfig({
    nfft: NFFT,
    hop: HOP,
    sided: 'one',
    winLength: NFFT,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    firstFrameStart: -NFFT / 2,
    padMode: 'zeros',
    phaseReference: 'frame-start',
    phaseSign: '+',
    gain: 1,
  });
}

function magnitudesOf(seconds: number, g: StftGeometry): Float64Array {
  const X = stft(demoSignal(SAMPLE_RATE, seconds, 1), g);
  const mag = new Float64Array(X.re.length);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(X.re[i], X.im[i]);
  return mag;
}

export async function benchRetrieval(): Promise<void> {
  const g = hannGeometry();
  const lambda = pghiLambda('hann', NFFT);
  const mag = magnitudesOf(3, g);
  console.log(`\nphase retrieval quality: 3 s demo signal, periodic Hann ${NFFT}/${HOP} at ${SAMPLE_RATE} Hz, spectral convergence (dB)`);
  console.log(`${'method'.padEnd(24)}${'start'.padStart(8)}${'32 it'.padStart(8)}${'100 it'.padStart(8)}`);
  const methods: [string, RetrievalInit, number][] = [
    ['PGHI + FGLA (α 0.99)', 'pghi', 0.99],
    ['FGLA from random phase', 'random', 0.99],
    ['Griffin-Lim (random)', 'random', 0],
  ];
  const at32: number[] = [];
  for (const [name, init, alpha] of methods) {
    const sc = retrievePhase(mag, g, { iterations: 100, init, alpha, lambda, seed: 1 }).spectralConvergenceDb;
    at32.push(sc[32]);
    console.log(`${name.padEnd(24)}${sc[0].toFixed(1).padStart(8)}${sc[32].toFixed(1).padStart(8)}${sc[100].toFixed(1).padStart(8)}`);
  }
  console.log(`  targets: <= -22 dB at 32, <= -26 dB at 100; PGHI start ${at32[0] < at32[1] ? 'beats' : 'DOES NOT beat'} random at 32 iterations`);

  const long = magnitudesOf(30, g);
  const frames = long.length / (NFFT / 2 + 1);
  const t = performance.now();
  const r = retrievePhase(long, g, { iterations: 100, init: 'pghi', lambda });
  const seconds = (performance.now() - t) / 1000;
  console.log(`\nphase retrieval speed: 30 s at ${SAMPLE_RATE} Hz, ${NFFT}/${HOP} (${frames} frames), PGHI + 100 FGLA iterations`);
  console.log(`  ${seconds.toFixed(2)} s (${((seconds * 1000) / 100).toFixed(0)} ms/iteration), final SC ${r.final.toFixed(1)} dB; target < 10 s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchRetrieval();
}
