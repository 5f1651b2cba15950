/**
 * Accurate, fast cos/sin for polar→complex conversion of whole files. Math.cos/Math.sin cost more than
 * the FFTs on a 10-minute export (DESIGN.md §4.10); a 1024-entry table plus a short Taylor correction of
 * the remainder (|r| ≤ π/1024, so the truncation error is below 2e-18; the two 8 KB tables stay in L1)
 * and the angle-sum identity agree with Math.cos/sin to ~1e-16 for the phase ranges files hold.
 * (A 256-entry table needs two more Taylor terms; measured 20 % slower.)
 */
const TABLE_BITS = 10;
const N = 1 << TABLE_BITS;
const STEP = (2 * Math.PI) / N;
const INV_STEP = N / (2 * Math.PI);
// Cody-Waite reduction: STEP_HI has few enough bits that q·STEP_HI is exact; STEP_LO carries the rest
// (including the part of 2π a double cannot hold), so large phases keep full accuracy.
const STEP_HI = Math.round(STEP * 2 ** 28) / 2 ** 28;
const TWO_PI_LO = 2.4492935982947064e-16;
const STEP_LO = (2 * Math.PI - STEP_HI * N + TWO_PI_LO) / N;
/** Adding and subtracting 1.5·2^52 rounds to the nearest integer without a branch (|x| < 2^51). */
const ROUND_MAGIC = 6755399441055744;
/** Beyond this the table index no longer fits an int32: fall back to Math.cos/sin. */
const MAX_Q = 2 ** 30;
const COS = new Float64Array(N + 1);
const SIN = new Float64Array(N + 1);
for (let i = 0; i <= N; i++) {
  COS[i] = Math.cos(i * STEP);
  SIN[i] = Math.sin(i * STEP);
}

/**
 * out[i] = mag[i]·(cos, sin)(phase[i]·scale), re into `re`, im into `im`. `re` may alias `mag` and
 * `im` may alias `phase`. Non-finite phase gives 0 (the caller reports unusable phase separately).
 */
export function polarToComplex(mag: Float64Array, phase: Float64Array, scale: number, re: Float64Array, im: Float64Array, count = mag.length): void {
  for (let i = 0; i < count; i++) {
    const a = mag[i];
    const t = phase[i] * scale;
    const q = t * INV_STEP + ROUND_MAGIC - ROUND_MAGIC;
    if (!(q < MAX_Q && q > -MAX_Q)) {
      re[i] = Number.isFinite(t) ? a * Math.cos(t) : 0;
      im[i] = Number.isFinite(t) ? a * Math.sin(t) : 0;
      continue;
    }
    const r = t - q * STEP_HI - q * STEP_LO;
    const j = (q | 0) & (N - 1);
    const r2 = r * r;
    const cr = 1 - r2 * (0.5 - r2 * (1 / 24));
    const sr = r * (1 - r2 * (1 / 6 - r2 * (1 / 120)));
    const ct = COS[j];
    const st = SIN[j];
    re[i] = a * (ct * cr - st * sr);
    im[i] = a * (st * cr + ct * sr);
  }
}
