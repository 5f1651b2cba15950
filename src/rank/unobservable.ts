import type { FieldEvidence } from '../analyze/types.js';
import { isComplexDtype, type StftConfig } from '../config/types.js';

/**
 * The fields of a candidate that its files cannot show at all, so that its config gives the matched
 * recipe's (or the fill's) convention for them, not a measurement. Magnitudes alone, without any phase:
 * - phaseReference and phaseSign: they only rotate or conjugate the phase, and |X| has none;
 * - windowPlacement, when the window is shorter than the frame: moving the segment within the frame is
 *   a circular shift, which leaves |FFT| unchanged;
 * - center, padMode, firstFrameStart: no analyzer reads the edges without phase (the padded frames'
 *   magnitudes do not tell zero padding from quiet audio), so the start follows the maker's convention;
 * - detrend: a removed segment mean changes only the bins in the window's main lobe of DC (μ·W(k)),
 *   which magnitude-fit leaves free, and the detrend analyzer needs phase: a recipe's convention
 *   (scipy.signal.spectrogram's 'constant') or none;
 * - windowSymmetry: a symmetric window of length L is the periodic one stretched by L/(L−1), and the
 *   FGLA contrast of the two twins differed by at most 0.5 dB on every real magnitude-only fixture
 *   (Hann 512 in aubio's and mlab's files, Hann 400, Hamming 200); a preset's or habit's choice.
 * With phase (a phase file, or one complex file) every field is measured or its doubt is in the
 * ranking, but for the symmetry of a measured window (window 'estimated'): the samples overlapping frames
 * share fix it to round-off about either centre, so the symmetry only says which mirror its imprint was
 * averaged over. A field the user pinned is known, whatever the data shows.
 */
export function unobservableFields(config: StftConfig, trail: readonly FieldEvidence[]): string[] {
  const pinned = new Set(trail.filter((t) => t.source === 'pinned').map((t) => t.field));
  if (!magnitudesOnly(config)) return config.window === 'estimated' && !pinned.has('windowSymmetry') ? ['windowSymmetry'] : [];
  const fields = [
    'phaseReference',
    'phaseSign',
    ...(config.winLength < config.nfft ? ['windowPlacement'] : []),
    ...(config.window !== 'rectangular' ? ['windowSymmetry'] : []),
    'center',
    'padMode',
    'firstFrameStart',
    'detrend',
  ];
  return fields.filter((f) => !pinned.has(f));
}

/**
 * The fields a prior chose where the data ranked no value above its rivals (FieldEvidence.prior: a
 * magnitude-only excerpt every reading explains alike, where the preset a reading completes names its
 * hop and window). The files could show them, these did not: undetermined, like the unobservable ones,
 * which are not repeated here.
 */
export function fromPriorFields(trail: readonly FieldEvidence[], unobservable: readonly string[]): string[] {
  const hidden = new Set(unobservable);
  return [...new Set(trail.filter((t) => t.prior !== undefined && !hidden.has(t.field)).map((t) => t.field))];
}

/** No phase to read: no phase file and magnitudes that are not complex. */
function magnitudesOnly(config: StftConfig): boolean {
  return config.phaseFile === null && !isComplexDtype(config.magnitudeFile.dtype);
}
