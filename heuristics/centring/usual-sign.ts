import type { AnalyzerResult } from '../types.js';

/**
 * Frames that do not overlap can leave the phase sign open (a symmetric window's imprint reads alike
 * time-reversed, and a few short seams do not tell): centring then reads the edges under the usual
 * e^{-j} kernel, the sign the fill would give the config anyway, and says so. Left unread, a centred
 * torch.stft with hop_length = n_fft took the block-FFT convention (frame 0 at sample 0, 128 samples off).
 */
export function underUsualSign(r: AnalyzerResult): AnalyzerResult {
  return {
    ...r,
    hypotheses: r.hypotheses.map((h) => ({
      ...h,
      values: { ...h.values, phaseSign: '+' },
      reason: `${h.reason} (read under the usual e^{-j} kernel: no overlap shows the sign)`,
    })),
  };
}
