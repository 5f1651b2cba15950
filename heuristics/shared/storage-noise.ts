import type { DecodableConfig, Evidence } from '../../src/analysis/evidence.js';
import { type Dtype, isComplexDtype, type Sided } from '../../src/config/types.js';
import { decodeMagnitudes, phaseUnitFactor } from '../../src/decode/scales.js';
import { HOST_LITTLE } from '../../src/io/dtype.js';

/** Mantissa bits of the float dtypes: their quantum at v is 2^(⌊log2|v|⌋ − bits). */
const MANTISSA: Partial<Record<Dtype, number>> = { float16: 10, float32: 23, float64: 52 };

/** Bit views of one double: its exponent field is ⌊log2|v|⌋ without a log per value. */
const F64 = new Float64Array(1);
const HI = new Uint32Array(F64.buffer, HOST_LITTLE ? 4 : 0, 1);
const LO = new Uint32Array(F64.buffer, HOST_LITTLE ? 0 : 4, 1);

/** Quantum of a stored value: 1 for integers, the last place for floats. */
function quantum(dtype: Dtype, v: number): number {
  const bits = MANTISSA[dtype];
  if (bits === undefined) return 1;
  // Zero sits at the format's smallest step; its value hardly matters here.
  if (v === 0) return 2 ** (-bits - 14);
  F64[0] = v;
  const field = (HI[0] >>> 20) & 0x7ff;
  const exp = field - 1023 - bits;
  // Subnormal doubles, and steps below the normal range: the slow exact form.
  if (field === 0 || exp < -1022) return 2 ** (Math.floor(Math.log2(Math.abs(v))) - bits);
  HI[0] = (exp + 1023) << 20;
  LO[0] = 0;
  return F64[0];
}

/**
 * How exact the decoded frames can be at all: the relative noise power ε² = Σ noise / Σ |X|² that the
 * files' own quantum implies (an integer step, or a float's last place), over the given frame blocks.
 * A stored value v stands for anything within ±q/2 of it, so its decoded magnitude is uncertain by
 * (decode(v + q/2) − decode(v − q/2))/√12, and a phase quantum δ moves X by |X|·δ/√12. A dropped
 * Nyquist bin (one-no-nyquist) is noise too, of about the power of the top stored bin. Independent per
 * bin, this noise is white in the time segments: ε²·(frame energy)/nfft at every sample. Measured on the
 * demo signal at nfft 512: uint8 dB magnitudes with int16 phase 1.1e-3 (the overlap test then tops out
 * near 2.5 decades, not 4), int16 phase alone 7.7e-10, float16 2e-7–5e-7, float32 3e-15, a dropped
 * Nyquist bin 2.5e-6 (which a rectangular window's silent part shows as noise).
 */
export function storageNoise(evidence: Evidence, c: DecodableConfig & { sided: Sided }, starts: number[], blockLength: number): number {
  const magDtype = c.magnitudeFile.dtype;
  // One complex float file: its components carry at least float32's 7 digits, far past the test's 4 decades.
  if (isComplexDtype(magDtype)) return 0;
  const shape = { frames: c.frames, bins: c.bins, layout: c.layout, binOrder: c.binOrder };
  const factor = c.phaseFile ? phaseUnitFactor(c.phaseUnit) : 0;
  let noise = 0;
  let power = 0;
  for (const m0 of starts) {
    const count = Math.min(blockLength, c.frames - m0);
    const stored = evidence.storedFrames('magnitude', c.magnitudeFile, shape, m0, count);
    const phase = c.phaseFile ? evidence.storedFrames('phase', c.phaseFile, shape, m0, count) : null;
    const n = count * c.bins;
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const q = quantum(magDtype, stored[i]) / 2;
      lo[i] = stored[i] - q;
      hi[i] = stored[i] + q;
    }
    decodeMagnitudes(lo, c.magnitudeScale, n);
    decodeMagnitudes(hi, c.magnitudeScale, n);
    const mag = evidence.decodedFrames(c, m0, count).magnitude;
    // The Nyquist bin counts once in a frame's energy, the others twice (their mirror images).
    if (c.sided === 'one-no-nyquist') for (let i = c.bins - 1; i < n; i += c.bins) noise += (mag[i] * mag[i]) / 2;
    for (let i = 0; i < n; i++) {
      const p = mag[i] * mag[i];
      if (!Number.isFinite(p) || !Number.isFinite(hi[i])) continue;
      const dPhase = phase && c.phaseFile ? quantum(c.phaseFile.dtype, phase[i]) * factor : 0;
      noise += ((hi[i] - lo[i]) ** 2 + p * dPhase * dPhase) / 12;
      power += p;
    }
  }
  return power > 0 ? noise / power : 0;
}
