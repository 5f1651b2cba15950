/**
 * A deterministic synthetic test signal with what real audio has and analyzers rely on: harmonic notes
 * with vibrato (stationary partials for the phase-advance witness), a chirp, noise bursts (broadband
 * frames), a quiet gap, and onsets. Used for the bundled samples and the benchmark.
 */
export function demoSignal(sampleRate: number, seconds: number, seed = 1): Float64Array {
  const n = Math.round(sampleRate * seconds);
  const x = new Float64Array(n);
  let s = seed >>> 0 || 1;
  const noise = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
  const notes = [220, 277.18, 329.63, 440, 392, 293.66];
  const noteLen = Math.max(1, Math.floor(n / notes.length));
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const ni = Math.min(notes.length - 1, Math.floor(i / noteLen));
    const local = (i - ni * noteLen) / sampleRate;
    const f0 = notes[ni] * (1 + 0.006 * Math.sin(2 * Math.PI * 5.5 * t));
    phase += (2 * Math.PI * f0) / sampleRate;
    const env = Math.min(1, local * 40) * Math.exp(-1.2 * local);
    let v = 0;
    for (let h = 1; h <= 8; h++) if (f0 * h < sampleRate / 2.2) v += Math.sin(h * phase) / h;
    v *= 0.35 * env;
    const chirpF = 100 + (sampleRate / 4 - 100) * (i / n);
    v += 0.08 * Math.sin(2 * Math.PI * chirpF * t);
    if ((Math.floor(t * 4) & 3) === 1) v += 0.06 * noise();
    x[i] = v + 0.002 * noise();
  }
  return x;
}
